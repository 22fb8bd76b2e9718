//! Lucene's one-byte length norms (`SmallFloat.intToByte4` / `byte4ToInt`, Lucene ≥ 7).
//!
//! At index time `BM25Similarity.computeNorm` stores each document's field length — the
//! number of tokens the analyzer emitted (stop words are *not* counted; with
//! `discountOverlaps`, tokens at position increment 0 are not either) — as one byte:
//!
//! * lengths `0..=23` are stored exactly (the byte is the length);
//! * larger lengths `l` store `24 + int4(l - 24)`, a tiny float with 3 explicit mantissa
//!   bits: `int4(x) = x` for `x < 8`, else `((shift + 1) << 3) | ((x >> shift) & 7)` with
//!   `shift = bits(x) - 4`. Decoding gives the largest representable length `<= l`, so
//!   long documents look up to ~12% shorter than they are.
//!
//! Bytes `0..=39` decode to exact lengths `0..=39`; from byte 40 (length 40..=41) on the
//! length is approximate. The largest byte, 255, decodes to `2_013_265_944`.

/// Lengths below this are stored exactly (`NUM_FREE_VALUES` in Lucene: `255 - int4(i32::MAX)`).
pub const NUM_FREE_VALUES: u32 = 24;

/// Lucene's `SmallFloat.longToInt4`: a 4-significant-bit encoding of a non-negative value.
pub const fn long_to_int4(i: u64) -> u32 {
    let num_bits = 64 - i.leading_zeros();
    if num_bits < 4 {
        // "subnormal" value: stored as is
        i as u32
    } else {
        let shift = num_bits - 4;
        // keep the 4 most significant bits, drop the implicit leading one
        let mantissa = ((i >> shift) & 0x07) as u32;
        mantissa | ((shift + 1) << 3)
    }
}

/// Lucene's `SmallFloat.int4ToLong`, the inverse of [`long_to_int4`] (up to truncation).
pub const fn int4_to_long(i: u32) -> u64 {
    let bits = (i & 0x07) as u64;
    let shift = i >> 3;
    if shift == 0 {
        bits
    } else {
        (bits | 0x08) << (shift - 1)
    }
}

/// Lucene's `SmallFloat.intToByte4`: encodes a field length as a norm byte.
///
/// Lucene takes a non-negative `int`; lengths above `i32::MAX` saturate to `255` here.
pub const fn int_to_byte4(length: u32) -> u8 {
    let i = if length > i32::MAX as u32 {
        i32::MAX as u32
    } else {
        length
    };
    if i < NUM_FREE_VALUES {
        i as u8
    } else {
        (NUM_FREE_VALUES + long_to_int4((i - NUM_FREE_VALUES) as u64)) as u8
    }
}

/// Lucene's `SmallFloat.byte4ToInt`: decodes a norm byte to a (lower-bound) field length.
pub const fn byte4_to_int(norm: u8) -> u32 {
    let i = norm as u32;
    if i < NUM_FREE_VALUES {
        i
    } else {
        NUM_FREE_VALUES + int4_to_long(i - NUM_FREE_VALUES) as u32
    }
}

/// Every norm byte decoded (Lucene's `BM25Similarity.LENGTH_TABLE`, as integers).
pub const LENGTH_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = byte4_to_int(i as u8);
        i += 1;
    }
    table
};

/// Encodes a token count (e.g. `Vec::len()`) as a norm byte, saturating huge counts.
pub fn encode_length(length: usize) -> u8 {
    int_to_byte4(u32::try_from(length).unwrap_or(u32::MAX))
}

/// Is the length decoded from `norm` exact (norms `0..=39`)? Lucene's explanation calls
/// larger ones "length of field (approximate)".
pub const fn is_exact_norm(norm: u8) -> bool {
    norm <= 39
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        assert_eq!(long_to_int4(i32::MAX as u64), 231);
        assert_eq!(NUM_FREE_VALUES, 255 - long_to_int4(i32::MAX as u64));
        for i in 0..24 {
            assert_eq!(int_to_byte4(i), i as u8);
            assert_eq!(byte4_to_int(i as u8), i);
        }
        // 24 + int4(x): x < 8 exact, 8..=15 exact (shift 0), then steps of 2, 4, 8, ...
        assert_eq!(int_to_byte4(24), 24);
        assert_eq!(int_to_byte4(31), 31);
        assert_eq!(int_to_byte4(39), 39);
        assert_eq!(int_to_byte4(40), 40);
        assert_eq!(int_to_byte4(41), 40);
        assert_eq!(byte4_to_int(40), 40);
        assert_eq!(byte4_to_int(41), 42);
        assert_eq!(int_to_byte4(100), 57);
        assert_eq!(byte4_to_int(57), 96);
        assert_eq!(int_to_byte4(250), 70);
        assert_eq!(byte4_to_int(70), 248);
        assert_eq!(byte4_to_int(255), 2_013_265_944);
        assert_eq!(int_to_byte4(i32::MAX as u32), 255);
        assert_eq!(int_to_byte4(u32::MAX), 255);
        assert_eq!(encode_length(usize::MAX), 255);
        assert_eq!(LENGTH_TABLE[57], 96);
        assert!(is_exact_norm(39) && !is_exact_norm(40));
    }

    #[test]
    fn table_is_strictly_increasing_and_round_trips() {
        for b in 1..=255u8 {
            assert!(
                LENGTH_TABLE[b as usize] > LENGTH_TABLE[b as usize - 1],
                "byte {b}"
            );
            assert_eq!(int_to_byte4(byte4_to_int(b)), b, "byte {b}");
        }
    }

    #[test]
    fn encoding_is_monotone_and_decodes_to_a_lower_bound() {
        // Exhaustive over all lengths a document can realistically have, then sampled.
        let mut prev = 0u8;
        let mut check = |len: u32| {
            let b = int_to_byte4(len);
            assert!(b >= prev, "not monotone at {len}");
            prev = b;
            let dec = byte4_to_int(b);
            assert!(dec <= len, "decoded {dec} > {len}");
            if b < 255 {
                assert!(
                    byte4_to_int(b + 1) > len,
                    "{len} should encode to a larger byte"
                );
            }
            // Relative loss is below 1/8 (3 explicit mantissa bits).
            assert!(
                u64::from(len - dec) * 8 <= u64::from(len),
                "too lossy at {len}"
            );
        };
        for len in 0..=2_000_000u32 {
            check(len);
        }
        let mut len = 2_000_001u64;
        while len <= i32::MAX as u64 {
            check(len as u32);
            len = len * 1001 / 1000 + 1;
        }
    }
}
