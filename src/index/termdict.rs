//! The BM25 term dictionary: the analyzed terms in byte order, so a term's number is its
//! rank; the BM25 postings file has one row per term number.
//!
//! ```text
//! terms: u32 | doc_count: u64 (documents with at least one term) | sum_total_term_freq: u64
//! offsets: (terms + 1) × u32   start of each term in the string area
//! strings: the terms' UTF-8 bytes, concatenated
//! ```

use std::path::Path;

use super::error::Result;
use super::format::{u32_at, FileData, FileWriter};

/// File kind tag.
pub const KIND: &[u8; 4] = b"BMTD";

/// Writes a dictionary from terms already sorted bytewise.
pub fn write(
    path: &Path,
    sorted_terms: &[&str],
    doc_count: u64,
    sum_ttf: u64,
    build_id: u32,
) -> Result<(u64, u32)> {
    let mut w = FileWriter::create(path, KIND, build_id)?;
    w.u32(sorted_terms.len() as u32)?;
    w.u64(doc_count)?;
    w.u64(sum_ttf)?;
    let mut offsets = Vec::with_capacity((sorted_terms.len() + 1) * 4);
    let mut at = 0u32;
    for t in sorted_terms {
        offsets.extend_from_slice(&at.to_le_bytes());
        at += t.len() as u32;
    }
    offsets.extend_from_slice(&at.to_le_bytes());
    w.write(&offsets)?;
    for t in sorted_terms {
        w.write(t.as_bytes())?;
    }
    w.finish()
}

/// A memory-mapped term dictionary.
pub struct TermDict {
    data: FileData,
    terms: usize,
    /// Documents with at least one term (Lucene's `docCount`).
    pub doc_count: u64,
    /// Total number of terms in all documents (Lucene's `sumTotalTermFreq`).
    pub sum_total_term_freq: u64,
    offsets: std::ops::Range<usize>,
    strings: std::ops::Range<usize>,
}

impl TermDict {
    /// Opens and verifies the dictionary.
    pub fn open(path: &Path) -> Result<Self> {
        let data = FileData::open(path, KIND)?;
        let mut r = data.reader();
        let terms = r.u32()? as usize;
        let doc_count = r.u64()?;
        let sum_total_term_freq = r.u64()?;
        let o = r.position();
        r.take((terms + 1) * 4)?;
        let strings = r.position()..data.bytes().len();
        let out = Self {
            terms,
            doc_count,
            sum_total_term_freq,
            offsets: o..o + (terms + 1) * 4,
            strings,
            data,
        };
        let last = u32_at(&out.data.bytes()[out.offsets.clone()], terms) as usize;
        if last != out.strings.len() {
            return Err(out
                .data
                .corrupt("term offsets do not match the string area"));
        }
        Ok(out)
    }

    /// Number of distinct terms.
    pub fn len(&self) -> usize {
        self.terms
    }

    /// Whether there are no terms.
    pub fn is_empty(&self) -> bool {
        self.terms == 0
    }

    /// Term number `n` (empty if out of range or damaged).
    pub fn term(&self, n: usize) -> &str {
        if n >= self.terms {
            return "";
        }
        let offsets = &self.data.bytes()[self.offsets.clone()];
        let strings = &self.data.bytes()[self.strings.clone()];
        let (a, b) = (u32_at(offsets, n) as usize, u32_at(offsets, n + 1) as usize);
        strings
            .get(a..b)
            .and_then(|s| std::str::from_utf8(s).ok())
            .unwrap_or("")
    }

    /// The number of `term`, by binary search.
    pub fn find(&self, term: &str) -> Option<usize> {
        let (mut lo, mut hi) = (0usize, self.terms);
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.term(mid).as_bytes().cmp(term.as_bytes()) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }

    /// The file size on disk.
    pub fn file_len(&self) -> u64 {
        self.data.file_len()
    }

    /// The underlying file.
    pub fn file(&self) -> &FileData {
        &self.data
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_terms_by_binary_search() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.bin");
        write(&path, &["apple", "banana", "café", "zebra"], 3, 10, 1).unwrap();
        let d = TermDict::open(&path).unwrap();
        assert_eq!((d.len(), d.doc_count, d.sum_total_term_freq), (4, 3, 10));
        assert_eq!(d.find("café"), Some(2));
        assert_eq!(d.find("apple"), Some(0));
        assert_eq!(d.find("cherry"), None);
        assert_eq!(d.term(3), "zebra");
    }
}
