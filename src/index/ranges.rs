//! Range maxima (`splade.rmx`): for each SPLADE term, the largest impact code in each
//! range of [`RANGE`] consecutive document numbers, the bounds that let a top-k search
//! visit the most promising ranges first and skip the rest (as BMP does with its block
//! upper bounds).
//!
//! Codes are the terms' 8-bit upper bounds from [`super::blocks`] (`code·Δ_t ≥ w`), so
//! `Σ_t q_t·Δ_t·max_code_t(r)` bounds the score of every document of range `r`. A term
//! present in few ranges lists them (sparse); one present in many stores a code for every
//! range, 0 where absent (dense), whichever is smaller.
//!
//! ```text
//! payload:
//!   data: per term, either
//!     sparse: n × range number (u32 LE), then n × code (u8)     (5n < ranges)
//!     dense:  ranges × code (u8)
//!   table: (terms + 1) × data offset (u64 LE)
//!   trailer: range size u32 | ranges u32 | terms u32 | data bytes u64
//! ```
//! A term's entry is `offset[t]..offset[t + 1]`: empty, sparse (5n bytes, fewer than
//! `ranges`) or dense (exactly `ranges` bytes).

use std::path::Path;

use super::error::Result;
use super::format::{u32_at, u64_at, FileData, FileWriter};
use crate::simd::dispatch;

/// Documents per range.
pub const RANGE: usize = 16;
/// Kind tag of the file.
pub const KIND: &[u8; 4] = b"SPLR";
const TRAILER: usize = 20;

/// Writes `splade.rmx` one term at a time (term ids in order).
pub struct RangeMaximaWriter {
    out: FileWriter,
    ranges: usize,
    offsets: Vec<u64>,
    /// Scratch: (range, code) of the current term.
    pairs: Vec<(u32, u8)>,
}

impl RangeMaximaWriter {
    /// Creates the file for an index of `documents` documents.
    pub fn create(path: &Path, documents: usize, build_id: u32) -> Result<Self> {
        Ok(Self {
            out: FileWriter::create(path, KIND, build_id)?,
            ranges: documents.div_ceil(RANGE),
            offsets: Vec::new(),
            pairs: Vec::new(),
        })
    }

    /// Appends the next term: its documents (ascending) and their codes.
    pub fn push(&mut self, docs: &[u32], codes: impl IntoIterator<Item = u8>) -> Result<()> {
        self.offsets.push(self.out.len());
        self.pairs.clear();
        for (&d, c) in docs.iter().zip(codes) {
            let r = d / RANGE as u32;
            match self.pairs.last_mut() {
                Some((last, max)) if *last == r => *max = (*max).max(c),
                _ => self.pairs.push((r, c)),
            }
        }
        if self.pairs.is_empty() {
            return Ok(());
        }
        if 5 * self.pairs.len() < self.ranges {
            let mut bytes = Vec::with_capacity(5 * self.pairs.len());
            for &(r, _) in &self.pairs {
                bytes.extend_from_slice(&r.to_le_bytes());
            }
            bytes.extend(self.pairs.iter().map(|&(_, c)| c));
            self.out.write(&bytes)
        } else {
            let mut dense = vec![0u8; self.ranges];
            for &(r, c) in &self.pairs {
                dense[r as usize] = c;
            }
            self.out.write(&dense)
        }
    }

    /// Writes the table and footer; returns (bytes on disk, CRC-32).
    pub fn finish(mut self) -> Result<(u64, u32)> {
        let terms = self.offsets.len() as u32;
        let data_len = self.out.len();
        self.offsets.push(data_len);
        let mut table = Vec::with_capacity(self.offsets.len() * 8);
        for o in &self.offsets {
            table.extend_from_slice(&o.to_le_bytes());
        }
        self.out.write(&table)?;
        self.out.u32(RANGE as u32)?;
        self.out.u32(self.ranges as u32)?;
        self.out.u32(terms)?;
        self.out.u64(data_len)?;
        self.out.finish()
    }
}

/// The memory-mapped range maxima.
pub struct RangeMaxima {
    data: FileData,
    ranges: usize,
    terms: usize,
    data_len: usize,
}

impl RangeMaxima {
    /// Opens and checks the file (sizes, and every term's entry).
    pub fn open(path: &Path) -> Result<Self> {
        let data = FileData::open(path, KIND)?;
        let bytes = data.bytes();
        if bytes.len() < TRAILER {
            return Err(data.corrupt("too short for range maxima"));
        }
        let trailer = &bytes[bytes.len() - TRAILER..];
        let (range, ranges, terms) = (
            u32_at(trailer, 0) as usize,
            u32_at(trailer, 1) as usize,
            u32_at(trailer, 2) as usize,
        );
        let data_len = u64::from_le_bytes(trailer[12..20].try_into().expect("8"));
        if range != RANGE {
            return Err(data.corrupt(format!("range size {range}, expected {RANGE}")));
        }
        if data_len as u128 + (terms as u128 + 1) * 8 + TRAILER as u128 != bytes.len() as u128 {
            return Err(data.corrupt("the table does not match the file size"));
        }
        let out = Self {
            ranges,
            terms,
            data_len: data_len as usize,
            data,
        };
        let mut prev = 0;
        for t in 0..=terms {
            let offset = out.offset(t);
            let len = offset.wrapping_sub(prev);
            let fits =
                offset >= prev && (len == ranges as u64 || (len < ranges as u64 && len % 5 == 0));
            if (t > 0 && !fits) || (t == 0 && offset != 0) || offset > out.data_len as u64 {
                return Err(out.data.corrupt(format!("term {t} has a bad entry")));
            }
            prev = offset;
        }
        if prev != data_len {
            return Err(out.data.corrupt("the table does not end at the data's end"));
        }
        Ok(out)
    }

    fn offset(&self, t: usize) -> u64 {
        u64_at(&self.data.bytes()[self.data_len..], t)
    }

    /// Number of ranges (documents / [`RANGE`], rounded up).
    pub fn ranges(&self) -> usize {
        self.ranges
    }

    /// Adds `per_code · max_code_t(r)` to `bounds[r]` for every range `r` holding term `t`
    /// (`bounds` has [`Self::ranges`] entries; a term past the vocabulary adds nothing).
    pub fn add_bounds(&self, t: usize, per_code: f32, bounds: &mut [f32]) {
        if t >= self.terms {
            return;
        }
        let (a, b) = (self.offset(t) as usize, self.offset(t + 1) as usize);
        let entry = &self.data.bytes()[a..b];
        if entry.len() == self.ranges {
            add_dense(bounds, entry, per_code);
        } else {
            let n = entry.len() / 5;
            let (ids, codes) = entry.split_at(4 * n);
            for (id, &c) in ids.chunks_exact(4).zip(codes) {
                let r = u32::from_le_bytes([id[0], id[1], id[2], id[3]]) as usize;
                if let Some(bound) = bounds.get_mut(r) {
                    *bound += per_code * f32::from(c);
                }
            }
        }
    }

    /// Term `t`'s code in every range, when it is stored densely (`None` for a sparse or
    /// empty entry, and past the vocabulary).
    pub fn dense_codes(&self, t: usize) -> Option<&[u8]> {
        if t >= self.terms {
            return None;
        }
        let (a, b) = (self.offset(t) as usize, self.offset(t + 1) as usize);
        (b - a == self.ranges).then(|| &self.data.bytes()[a..b])
    }

    /// Number of terms.
    pub fn terms(&self) -> usize {
        self.terms
    }

    /// The underlying file.
    pub fn file(&self) -> &FileData {
        &self.data
    }
}

/// `bounds[r] += per_code · codes[r]` for every range (the dense entries, the bulk of the
/// bound pass), at the CPU's widest vectors.
fn add_dense(bounds: &mut [f32], codes: &[u8], per_code: f32) {
    dispatch!((bounds: &mut [f32], codes: &[u8], per_code: f32) => add_dense_loop(bounds, codes, per_code))
}

#[inline(always)]
fn add_dense_loop(bounds: &mut [f32], codes: &[u8], per_code: f32) {
    for (bound, &c) in bounds.iter_mut().zip(codes) {
        *bound += per_code * f32::from(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn bounds_are_each_ranges_largest_code(
            documents in 1usize..2000,
            lists in proptest::collection::vec(
                proptest::collection::btree_map(0u32..2000, 1u8..=255, 0..300), 0..10),
            per_code in 0.01f32..4.0,
        ) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("rmx");
            let mut w = RangeMaximaWriter::create(&path, documents, 7).unwrap();
            let lists: Vec<Vec<(u32, u8)>> = lists
                .iter()
                .map(|l| l.iter().filter(|(&d, _)| (d as usize) < documents).map(|(&d, &c)| (d, c)).collect())
                .collect();
            for list in &lists {
                let docs: Vec<u32> = list.iter().map(|p| p.0).collect();
                w.push(&docs, list.iter().map(|p| p.1)).unwrap();
            }
            w.finish().unwrap();
            let maxima = RangeMaxima::open(&path).unwrap();
            prop_assert_eq!(maxima.ranges(), documents.div_ceil(RANGE));
            prop_assert_eq!(maxima.terms(), lists.len());
            for (t, list) in lists.iter().enumerate() {
                let mut want = vec![0u8; maxima.ranges()];
                for &(d, c) in list {
                    let r = d as usize / RANGE;
                    want[r] = want[r].max(c);
                }
                let mut got = vec![0.0f32; maxima.ranges()];
                maxima.add_bounds(t, per_code, &mut got);
                let want: Vec<f32> = want.iter().map(|&c| per_code * f32::from(c)).collect();
                prop_assert_eq!(got, want);
            }
            let mut past = vec![0.0f32; maxima.ranges()];
            maxima.add_bounds(lists.len(), per_code, &mut past);
            prop_assert!(past.iter().all(|&b| b == 0.0));
        }
    }

    #[test]
    fn a_damaged_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rmx");
        let mut w = RangeMaximaWriter::create(&path, 100, 7).unwrap();
        w.push(&[1, 2, 90], [3, 9, 4]).unwrap();
        w.finish().unwrap();
        assert!(RangeMaxima::open(&path).is_ok());
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[0] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        assert!(RangeMaxima::open(&path).is_err());
        bytes[0] ^= 1;
        bytes.truncate(bytes.len() - 40);
        std::fs::write(&path, &bytes).unwrap();
        assert!(RangeMaxima::open(&path).is_err());
    }
}
