//! Block-compressed BM25 postings (`bm25.post`) with per-block score bounds.
//!
//! Each term's posting list (documents ascending, one term frequency each) is cut into
//! blocks of [`BLOCK`] postings, like the SPLADE postings ([`super::blocks`]): a full block
//! stores its documents as bit-packed gaps (`BitPacker4x`, strictly sorted, from the
//! previous block's last document) and its term frequencies bit-packed; the last, partial
//! block stores LEB128 gaps and LEB128 frequencies.
//!
//! A term's BM25 score in a document depends on the document only through
//! `x = tf · norm_inverse[norm]` ([`Bm25Scorer::scaled_tf`]), and never decreases as `x`
//! grows. Each block records its largest `x` and each term its largest over all blocks, so
//! `score_of_scaled_tf(weight, max x)` bounds, bit for bit in `f32`, every score of the
//! block or term: what block-max pruning ([`crate::search::bm25_pruned`]) reads. The bounds
//! hold for the `k1`, `b` and average length the file was built with, which its trailer
//! records and [`Bm25Postings::check_scorer`] compares with the index's scorer.
//!
//! ```text
//! payload:
//!   block data (per term, per block: packed gaps | packed tfs, or varint gaps | varint tfs)
//!   block table: blocks × [data offset u64 | last doc u32 | doc bits u8 | tf bits u8
//!                          | 0 u16 | max x f32]
//!   term table: (terms + 1) × [first posting u64 | first block u64 | max x f32 | 0 u32]
//!   trailer: terms u32 | blocks u64 | postings u64 | data bytes u64 | k1 f32 | b f32
//!            | avgdl f32
//! ```
//!
//! Term `n`'s blocks are `first_block[n]..first_block[n + 1]`, its postings
//! `first_posting[n]..first_posting[n + 1]`.

use std::path::Path;

use bitpacking::{BitPacker, BitPacker4x};

use super::blocks::{
    get_doc_gaps, pack_docs, pack_values, partition_point, put_doc_gaps, term_consistent,
    unpack_full, BLOCK,
};
use super::codec::{get_varint, put_varint};
use super::error::Result;
use super::format::{u32_at, u64_at, FileData, FileWriter};
use crate::analysis::Bm25Scorer;

/// Kind tag of the file.
pub const KIND: &[u8; 4] = b"BMPB";
const BLOCK_ENTRY: usize = 20;
const TERM_ENTRY: usize = 24;
const TRAILER: usize = 40;

/// What the term table says about one term.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Bm25Term {
    /// Documents holding the term.
    pub df: usize,
    /// Its first block's index (into the block table).
    pub first_block: u64,
    /// Number of blocks.
    pub blocks: usize,
    /// The largest scaled term frequency of its postings.
    pub max_x: f32,
}

/// What the block table says about one block.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bm25Block {
    offset: u64,
    /// The block's last document.
    pub last_doc: u32,
    doc_bits: u8,
    tf_bits: u8,
    /// The largest scaled term frequency in the block.
    pub max_x: f32,
}

/// A stored maximum as a bound: a damaged one that is not a number at least 0 bounds
/// nothing, so it reads as infinite (prunes nothing) rather than as a wrong bound.
fn sound(max_x: f32) -> f32 {
    if max_x >= 0.0 {
        max_x
    } else {
        f32::INFINITY
    }
}

/// Writes `bm25.post` one term at a time (term numbers in order).
pub struct Bm25PostingsWriter {
    out: FileWriter,
    scorer: Bm25Scorer,
    blocks: Vec<u8>,
    terms: Vec<u8>,
    block_count: u64,
    postings: u64,
    buf: Vec<u8>,
}

impl Bm25PostingsWriter {
    /// Creates the file; `scorer` is the index's (its parameters and average length).
    pub fn create(path: &Path, scorer: Bm25Scorer, build_id: u32) -> Result<Self> {
        Ok(Self {
            out: FileWriter::create(path, KIND, build_id)?,
            scorer,
            blocks: Vec::new(),
            terms: Vec::new(),
            block_count: 0,
            postings: 0,
            buf: Vec::new(),
        })
    }

    /// Postings written so far.
    pub fn postings(&self) -> u64 {
        self.postings
    }

    /// Appends the next term's postings: documents strictly increasing, frequencies
    /// `≥ 1`; `norms` holds every document's norm byte.
    pub fn push(&mut self, docs: &[u32], tfs: &[u32], norms: &[u8]) -> Result<()> {
        assert_eq!(docs.len(), tfs.len(), "one term frequency per document");
        let x_of = |(&d, &tf): (&u32, &u32)| {
            let norm = norms.get(d as usize).copied().unwrap_or(0);
            self.scorer.scaled_tf(tf, norm)
        };
        let term_max = docs.iter().zip(tfs).map(x_of).fold(0.0f32, f32::max);
        self.terms.extend_from_slice(&self.postings.to_le_bytes());
        self.terms
            .extend_from_slice(&self.block_count.to_le_bytes());
        self.terms.extend_from_slice(&term_max.to_le_bytes());
        self.terms.extend_from_slice(&[0u8; 4]);
        let packer = BitPacker4x::new();
        let mut prev: Option<u32> = None;
        for (block_docs, block_tfs) in docs.chunks(BLOCK).zip(tfs.chunks(BLOCK)) {
            let max_x = block_docs
                .iter()
                .zip(block_tfs)
                .map(x_of)
                .fold(0.0f32, f32::max);
            let offset = self.out.len();
            self.buf.clear();
            let (doc_bits, tf_bits) = if block_docs.len() == BLOCK {
                let doc_bits = pack_docs(&packer, prev, block_docs, &mut self.buf);
                (doc_bits, pack_values(&packer, block_tfs, &mut self.buf))
            } else {
                put_doc_gaps(prev, block_docs, &mut self.buf);
                for &tf in block_tfs {
                    put_varint(&mut self.buf, tf);
                }
                (0, 0)
            };
            self.out.write(&self.buf)?;
            let last = *block_docs.last().expect("chunks are not empty");
            self.blocks.extend_from_slice(&offset.to_le_bytes());
            self.blocks.extend_from_slice(&last.to_le_bytes());
            self.blocks.extend_from_slice(&[doc_bits, tf_bits, 0, 0]);
            self.blocks.extend_from_slice(&max_x.to_le_bytes());
            self.block_count += 1;
            prev = Some(last);
        }
        self.postings += docs.len() as u64;
        Ok(())
    }

    /// Writes the tables and the footer; returns (bytes, CRC-32).
    pub fn finish(mut self) -> Result<(u64, u32)> {
        let terms = (self.terms.len() / TERM_ENTRY) as u32;
        let data_len = self.out.len();
        self.terms.extend_from_slice(&self.postings.to_le_bytes());
        self.terms
            .extend_from_slice(&self.block_count.to_le_bytes());
        self.terms.extend_from_slice(&[0u8; 8]);
        self.out.write(&self.blocks)?;
        self.out.write(&self.terms)?;
        self.out.u32(terms)?;
        self.out.u64(self.block_count)?;
        self.out.u64(self.postings)?;
        self.out.u64(data_len)?;
        let params = self.scorer.params();
        for v in [params.k1, params.b, self.scorer.avgdl()] {
            self.out.write(&v.to_le_bytes())?;
        }
        self.out.finish()
    }
}

/// The memory-mapped BM25 block postings.
pub struct Bm25Postings {
    data: FileData,
    terms: usize,
    blocks: usize,
    postings: u64,
    data_len: usize,
    /// `k1`, `b` and the average length the block bounds were computed with.
    built_with: [f32; 3],
}

impl Bm25Postings {
    /// Opens and checks the file.
    pub fn open(path: &Path) -> Result<Self> {
        let data = FileData::open(path, KIND)?;
        let bytes = data.bytes();
        if bytes.len() < TRAILER {
            return Err(data.corrupt("too short for block postings"));
        }
        let trailer = &bytes[bytes.len() - TRAILER..];
        let terms = u32_at(trailer, 0) as usize;
        let u64_from = |at: usize| u64::from_le_bytes(trailer[at..at + 8].try_into().expect("8"));
        let (blocks, postings, data_len) = (u64_from(4), u64_from(12), u64_from(20));
        let built_with = [28, 32, 36].map(|at| f32::from_bits(u32_at(&trailer[at..], 0)));
        let expected = (blocks as u128) * BLOCK_ENTRY as u128
            + (terms as u128 + 1) * TERM_ENTRY as u128
            + data_len as u128
            + TRAILER as u128;
        if expected != bytes.len() as u128 {
            return Err(data.corrupt("the tables do not match the file size"));
        }
        let out = Self {
            terms,
            blocks: blocks as usize,
            postings,
            data_len: data_len as usize,
            built_with,
            data,
        };
        let last = out.term_entry(terms);
        if last.0 != postings || last.1 != blocks {
            return Err(out
                .data
                .corrupt("the term table does not match the trailer"));
        }
        Ok(out)
    }

    /// Refuses the file unless its bounds were computed with `scorer`'s `k1`, `b` and
    /// average length, bit for bit.
    pub fn check_scorer(&self, scorer: &Bm25Scorer) -> Result<()> {
        let params = scorer.params();
        let want = [params.k1, params.b, scorer.avgdl()];
        if want.map(f32::to_bits) != self.built_with.map(f32::to_bits) {
            let [k1, b, avgdl] = self.built_with;
            return Err(self.data.corrupt(format!(
                "built for k1 {k1}, b {b}, average length {avgdl}, not the manifest's \
                 k1 {}, b {}, average length {}",
                want[0], want[1], want[2]
            )));
        }
        Ok(())
    }

    fn term_entry(&self, n: usize) -> (u64, u64, f32) {
        let start = self.data_len + self.blocks * BLOCK_ENTRY + n * TERM_ENTRY;
        let e = &self.data.bytes()[start..start + TERM_ENTRY];
        (u64_at(e, 0), u64_at(e, 1), f32::from_bits(u32_at(e, 4)))
    }

    /// Number of terms (rows).
    pub fn terms(&self) -> usize {
        self.terms
    }

    /// Total postings.
    pub fn postings(&self) -> u64 {
        self.postings
    }

    /// Term `n` (empty when out of range or corrupt).
    pub fn term(&self, n: usize) -> Bm25Term {
        if n >= self.terms {
            return Bm25Term::default();
        }
        let (p0, b0, max_x) = self.term_entry(n);
        let (p1, b1, _) = self.term_entry(n + 1);
        if !term_consistent((p0, b0), (p1, b1), self.postings, self.blocks) {
            return Bm25Term::default();
        }
        Bm25Term {
            df: (p1 - p0) as usize,
            first_block: b0,
            blocks: (b1 - b0) as usize,
            max_x: sound(max_x),
        }
    }

    /// Block `b` of term `t`.
    pub fn block(&self, t: &Bm25Term, b: usize) -> Bm25Block {
        let start = self.data_len + (t.first_block as usize + b) * BLOCK_ENTRY;
        let e = &self.data.bytes()[start..start + BLOCK_ENTRY];
        Bm25Block {
            offset: u64_at(e, 0),
            last_doc: u32_at(e, 2),
            doc_bits: e[12],
            tf_bits: e[13],
            max_x: sound(f32::from_bits(u32_at(e, 4))),
        }
    }

    /// Decodes block `b` of term `t` into `docs` and `tfs`; returns its length (a block
    /// whose last document is not its table entry's is damaged).
    pub fn decode(
        &self,
        t: &Bm25Term,
        b: usize,
        docs: &mut [u32; BLOCK],
        tfs: &mut [u32; BLOCK],
    ) -> Result<usize> {
        let info = self.block(t, b);
        let prev = (b > 0).then(|| self.block(t, b - 1).last_doc);
        let len = (t.df - b * BLOCK).min(BLOCK);
        let data = &self.data.bytes()[..self.data_len];
        let start = usize::try_from(info.offset).unwrap_or(usize::MAX);
        let corrupt = || self.data.corrupt(format!("block {b} of a term is damaged"));
        let bytes = data.get(start..).ok_or_else(corrupt)?;
        if len == BLOCK {
            let bits = (info.doc_bits, info.tf_bits, 32);
            unpack_full(bytes, prev, bits, docs, Some(tfs)).ok_or_else(corrupt)?;
        } else {
            let mut pos = 0;
            get_doc_gaps(bytes, &mut pos, prev, &mut docs[..len]).ok_or_else(corrupt)?;
            for tf in tfs.iter_mut().take(len) {
                *tf = get_varint(bytes, &mut pos).map_err(|_| corrupt())?;
            }
        }
        // Pruning seeks by the table's last documents: they must be the blocks' own.
        if docs[len - 1] != info.last_doc {
            return Err(corrupt());
        }
        Ok(len)
    }

    /// Term `n`'s documents and term frequencies, decoded whole.
    pub fn row(&self, n: usize, docs: &mut Vec<u32>, tfs: &mut Vec<u32>) -> Result<()> {
        docs.clear();
        tfs.clear();
        let info = self.term(n);
        let (mut d, mut f) = ([0u32; BLOCK], [0u32; BLOCK]);
        for b in 0..info.blocks {
            let len = self.decode(&info, b, &mut d, &mut f)?;
            docs.extend_from_slice(&d[..len]);
            tfs.extend_from_slice(&f[..len]);
        }
        Ok(())
    }

    /// The term frequency of term `n` in document `doc` (`None` when absent), decoding
    /// only the one block that can hold it.
    pub fn tf(&self, n: usize, doc: u32) -> Result<Option<u32>> {
        let info = self.term(n);
        let b = partition_point(info.blocks, |b| self.block(&info, b).last_doc < doc);
        if b == info.blocks {
            return Ok(None);
        }
        let (mut d, mut f) = ([0u32; BLOCK], [0u32; BLOCK]);
        let len = self.decode(&info, b, &mut d, &mut f)?;
        Ok(d[..len].binary_search(&doc).ok().map(|i| f[i]))
    }

    /// The number of documents holding term `n`.
    pub fn df(&self, n: usize) -> usize {
        self.term(n).df
    }

    /// The file.
    pub fn file(&self) -> &FileData {
        &self.data
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Bm25Params;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn postings_round_trip_and_blocks_bound_their_scores(
            lists in proptest::collection::vec(
                proptest::collection::btree_map(0u32..3000, 1u32..70, 0..400), 0..10),
            norms in proptest::collection::vec(any::<u8>(), 3000),
            k1 in prop_oneof![Just(0.0f32), 0.0f32..3.0],
            b in 0.0f32..=1.0,
        ) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("bm25.post");
            let scorer = Bm25Scorer::new(Bm25Params::new(k1, b).unwrap(), 37.5);
            let mut w = Bm25PostingsWriter::create(&path, scorer.clone(), 9).unwrap();
            for list in &lists {
                let docs: Vec<u32> = list.keys().copied().collect();
                let tfs: Vec<u32> = list.values().copied().collect();
                w.push(&docs, &tfs, &norms).unwrap();
            }
            w.finish().unwrap();
            let p = Bm25Postings::open(&path).unwrap();
            p.check_scorer(&scorer).unwrap();
            let other = Bm25Scorer::new(Bm25Params::new(k1, b).unwrap(), 37.25);
            prop_assert!(p.check_scorer(&other).is_err());
            prop_assert_eq!(p.terms(), lists.len());
            let (mut docs, mut tfs) = (Vec::new(), Vec::new());
            let (mut block, mut block_tfs) = ([0u32; BLOCK], [0u32; BLOCK]);
            let weight = 2.5f32;
            for (n, list) in lists.iter().enumerate() {
                p.row(n, &mut docs, &mut tfs).unwrap();
                prop_assert_eq!(&docs, &list.keys().copied().collect::<Vec<_>>());
                prop_assert_eq!(&tfs, &list.values().copied().collect::<Vec<_>>());
                let info = p.term(n);
                prop_assert_eq!(info.df, list.len());
                for b in 0..info.blocks {
                    let len = p.decode(&info, b, &mut block, &mut block_tfs).unwrap();
                    let meta = p.block(&info, b);
                    prop_assert_eq!(meta.last_doc, block[len - 1]);
                    prop_assert!(meta.max_x <= info.max_x);
                    let bound = scorer.score_of_scaled_tf(weight, meta.max_x);
                    for (&d, &tf) in block[..len].iter().zip(&block_tfs[..len]) {
                        prop_assert!(scorer.score(weight, tf, norms[d as usize]) <= bound);
                    }
                }
                for (&d, &tf) in list {
                    prop_assert_eq!(p.tf(n, d).unwrap(), Some(tf));
                    if !list.contains_key(&(d + 1)) {
                        prop_assert_eq!(p.tf(n, d + 1).unwrap(), None);
                    }
                }
            }
            p.row(lists.len() + 2, &mut docs, &mut tfs).unwrap();
            prop_assert!(docs.is_empty());
            prop_assert_eq!(p.tf(lists.len(), 0).unwrap(), None);
        }
    }
}
