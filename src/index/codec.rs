//! Integer codecs for posting lists: LEB128 variable-length integers and delta coding of
//! increasing id sequences (each id is stored as the gap to the previous one, first gap
//! from 0, so small gaps take one byte).

use std::fmt;

/// A decoding failure (truncated or overlong varint, or ids that do not increase).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodecError(pub String);

impl fmt::Display for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Appends `v` as a LEB128 varint (7 bits per byte, high bit = more bytes follow).
pub fn put_varint(out: &mut Vec<u8>, mut v: u32) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Reads a varint at `*pos`, advancing it.
pub fn get_varint(bytes: &[u8], pos: &mut usize) -> Result<u32, CodecError> {
    let mut v: u32 = 0;
    for shift in (0..35).step_by(7) {
        let Some(&b) = bytes.get(*pos) else {
            return Err(CodecError(format!(
                "varint runs past the end at byte {}",
                *pos
            )));
        };
        *pos += 1;
        if shift == 28 && b > 0x0f {
            return Err(CodecError(format!(
                "varint overflows u32 at byte {}",
                *pos - 1
            )));
        }
        v |= u32::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err(CodecError(format!(
        "varint longer than 5 bytes at byte {}",
        *pos
    )))
}

/// Appends strictly increasing `ids` as delta varints.
pub fn put_deltas(out: &mut Vec<u8>, ids: &[u32]) {
    let mut prev = 0u32;
    for (i, &id) in ids.iter().enumerate() {
        debug_assert!(i == 0 || id > prev, "ids must increase");
        put_varint(out, id - if i == 0 { 0 } else { prev });
        prev = id;
    }
}

/// Decodes `count` delta-coded ids starting at `*pos` into `out` (cleared first).
pub fn get_deltas(
    bytes: &[u8],
    pos: &mut usize,
    count: usize,
    out: &mut Vec<u32>,
) -> Result<(), CodecError> {
    out.clear();
    out.reserve(count);
    let mut prev: u32 = 0;
    for i in 0..count {
        let gap = get_varint(bytes, pos)?;
        let id = if i == 0 {
            gap
        } else {
            if gap == 0 {
                return Err(CodecError("ids do not increase".into()));
            }
            prev.checked_add(gap)
                .ok_or_else(|| CodecError("id overflows u32".into()))?
        };
        out.push(id);
        prev = id;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn varints_round_trip(values in proptest::collection::vec(any::<u32>(), 0..200)) {
            let mut buf = Vec::new();
            for &v in &values { put_varint(&mut buf, v); }
            let mut pos = 0;
            for &v in &values { prop_assert_eq!(get_varint(&buf, &mut pos).unwrap(), v); }
            prop_assert_eq!(pos, buf.len());
        }

        #[test]
        fn deltas_round_trip(set in proptest::collection::btree_set(any::<u32>(), 0..300)) {
            let ids: Vec<u32> = set.into_iter().collect();
            let mut buf = vec![0xAB];
            put_deltas(&mut buf, &ids);
            let mut pos = 1;
            let mut out = Vec::new();
            get_deltas(&buf, &mut pos, ids.len(), &mut out).unwrap();
            prop_assert_eq!(out, ids);
            prop_assert_eq!(pos, buf.len());
        }

        #[test]
        fn garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64), n in 0usize..40) {
            let mut pos = 0;
            let mut out = Vec::new();
            let _ = get_deltas(&bytes, &mut pos, n, &mut out);
        }
    }

    #[test]
    fn small_gaps_take_one_byte() {
        let mut buf = Vec::new();
        put_deltas(&mut buf, &[3, 4, 100, 227]);
        assert_eq!(buf.len(), 4);
        let mut pos = 0;
        assert!(get_varint(&[0x80, 0x80], &mut pos).is_err());
        let mut pos = 0;
        assert!(get_varint(&[0xff, 0xff, 0xff, 0xff, 0x7f], &mut pos).is_err());
    }
}
