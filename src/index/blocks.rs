//! Block-compressed SPLADE postings (`splade.inv`) and their exact weights (`splade.imp`).
//!
//! Each term's posting list (documents ascending) is cut into blocks of [`BLOCK`] postings.
//! A full block stores its document numbers as bit-packed gaps (`bitpacking`'s
//! `BitPacker4x`, strictly sorted, from the previous block's last document) and one 8-bit
//! impact code per posting, bit-packed too; the last, partial block stores LEB128 gaps and
//! raw codes. Codes are per-term quantised **upper bounds** of the weights: with
//! `Δ_t = max_t / 255` (rounded up until `255·Δ_t ≥ max_t`), `code = ⌈w / Δ_t⌉`, checked so
//! that `code·Δ_t ≥ w` in exact arithmetic. Codes only prune; scores always come from the
//! exact `f32` weights in `splade.imp`, one per posting in the same order, so every search
//! path returns the `f32` dot product bit for bit.
//!
//! ```text
//! splade.inv payload:
//!   block data (per term, per block: packed docs | packed codes, or varint gaps | codes)
//!   block table: blocks × [data offset u64 | last doc u32 | doc bits u8 | code bits u8
//!                          | max code u8 | 0 u8]
//!   term table: (terms + 1) × [first posting u64 | first block u64 | Δ f32 | max weight f32]
//!   trailer: terms u32 | blocks u64 | postings u64 | data bytes u64
//! splade.imp payload: postings × f32 (LE), term after term
//! ```
//!
//! A term's blocks are `first_block[t]..first_block[t + 1]`, its postings
//! `first_posting[t]..first_posting[t + 1]`; the block table's maxima bound every weight
//! of a block (`max_code·Δ_t`), which is what block-max pruning reads.

use std::path::Path;

use bitpacking::{BitPacker, BitPacker4x};

use super::codec::{get_varint, put_varint};
use super::error::Result;
use super::format::{u32_at, u64_at, FileData, FileWriter};
use super::ranges::RangeMaximaWriter;

/// Postings per block.
pub const BLOCK: usize = BitPacker4x::BLOCK_LEN;
const BLOCK_ENTRY: usize = 16;
const TERM_ENTRY: usize = 24;
const TRAILER: usize = 28;

/// Kind tags of the two files.
pub const INV_KIND: &[u8; 4] = b"SPLB";
pub const IMP_KIND: &[u8; 4] = b"SPLW";

/// The quantisation step of a term whose largest weight is `max`: the smallest `f32` with
/// `255·Δ ≥ max` (exactly) from `max / 255` up.
pub fn term_step(max: f32) -> f32 {
    if max <= 0.0 {
        return 0.0;
    }
    let mut delta = max / 255.0;
    while f64::from(delta) * 255.0 < f64::from(max) {
        delta = delta.next_up();
    }
    delta
}

/// The code of weight `w` for step `delta`: the least `c ≥ 1` with `c·Δ ≥ w` (exactly),
/// at most 255 for `w ≤ max` of the term.
pub fn code(w: f32, delta: f32) -> u8 {
    if delta <= 0.0 {
        return 255;
    }
    let (w, d) = (f64::from(w), f64::from(delta));
    let mut c = (w / d).ceil().clamp(1.0, 255.0) as u32;
    while f64::from(c) * d < w && c < 255 {
        c += 1;
    }
    while c > 1 && f64::from(c - 1) * d >= w {
        c -= 1;
    }
    c as u8
}

/// Appends a full block's documents (strictly increasing, all after `prev`) as bit-packed
/// gaps; returns the bit width.
pub(super) fn pack_docs(
    packer: &BitPacker4x,
    prev: Option<u32>,
    docs: &[u32],
    out: &mut Vec<u8>,
) -> u8 {
    let bits = packer.num_bits_strictly_sorted(prev, docs);
    let start = out.len();
    out.resize(start + BitPacker4x::compressed_block_size(bits), 0);
    let n = packer.compress_strictly_sorted(prev, docs, &mut out[start..], bits);
    out.truncate(start + n);
    bits
}

/// Appends a full block of values bit-packed; returns the bit width.
pub(super) fn pack_values(packer: &BitPacker4x, values: &[u32], out: &mut Vec<u8>) -> u8 {
    let bits = packer.num_bits(values);
    let start = out.len();
    out.resize(start + BitPacker4x::compressed_block_size(bits), 0);
    let n = packer.compress(values, &mut out[start..], bits);
    out.truncate(start + n);
    bits
}

/// Appends a partial block's documents (strictly increasing, all after `prev`) as LEB128
/// gaps: the first from `prev + 1` (or 0), each next from the previous document plus one.
pub(super) fn put_doc_gaps(prev: Option<u32>, docs: &[u32], out: &mut Vec<u8>) {
    let mut base = prev.map_or(0, |p| p + 1);
    for &d in docs {
        put_varint(out, d - base);
        base = d + 1;
    }
}

/// Reads `docs.len()` gaps written by [`put_doc_gaps`] at `*pos`; `None` when they are
/// truncated or overflow.
pub(super) fn get_doc_gaps(
    bytes: &[u8],
    pos: &mut usize,
    prev: Option<u32>,
    docs: &mut [u32],
) -> Option<()> {
    let mut base = prev.map_or(0, |p| p.wrapping_add(1));
    for d in docs.iter_mut() {
        let gap = get_varint(bytes, pos).ok()?;
        *d = base.checked_add(gap)?;
        base = d.wrapping_add(1);
    }
    Some(())
}

/// The first `i < n` for which `before(i)` is false (`n` if none), for `before` true on a
/// prefix: a bisection of a block table.
pub fn partition_point(n: usize, before: impl Fn(usize) -> bool) -> usize {
    let (mut a, mut b) = (0, n);
    while a < b {
        let mid = (a + b) / 2;
        if before(mid) {
            a = mid + 1;
        } else {
            b = mid;
        }
    }
    a
}

/// The first of `blocks` blocks whose last document (`last(b)`, increasing) is at or past
/// `doc` (`blocks` when none is), searched from block `from`: forward by galloping, or
/// back by bisection when `doc` lies before it.
pub fn seek_block(from: usize, blocks: usize, doc: u32, last: impl Fn(usize) -> u32) -> usize {
    let (a, b) = if from > 0 && from <= blocks && last(from - 1) >= doc {
        (0, from)
    } else {
        let mut step = 1;
        let mut hi = from;
        while hi < blocks && last(hi) < doc {
            hi += step;
            step *= 2;
        }
        (from, hi.min(blocks))
    };
    a + partition_point(b - a, |i| last(a + i) < doc)
}

/// Unpacks a full block stored by [`pack_docs`] then [`pack_values`]: its documents into
/// `docs` and, when given, its values into `values`; `None` when a bit width is past
/// `max_value_bits` (or 32 for documents) or the bytes are too few.
pub(super) fn unpack_full(
    bytes: &[u8],
    prev: Option<u32>,
    (doc_bits, value_bits, max_value_bits): (u8, u8, u8),
    docs: &mut [u32; BLOCK],
    values: Option<&mut [u32; BLOCK]>,
) -> Option<()> {
    if doc_bits > 32 || value_bits > max_value_bits {
        return None;
    }
    let doc_bytes = BitPacker4x::compressed_block_size(doc_bits);
    let value_bytes = BitPacker4x::compressed_block_size(value_bits);
    let packed = bytes.get(..doc_bytes + value_bytes)?;
    let packer = BitPacker4x::new();
    packer.decompress_strictly_sorted(prev, &packed[..doc_bytes], docs, doc_bits);
    if let Some(values) = values {
        packer.decompress(&packed[doc_bytes..], values, value_bits);
    }
    Some(())
}

/// Whether a term's table entries (first posting, first block) `p0, b0` and the next
/// term's `p1, b1` describe a term within `postings` and `blocks`, one block per
/// [`BLOCK`] postings.
pub(super) fn term_consistent(
    (p0, b0): (u64, u64),
    (p1, b1): (u64, u64),
    postings: u64,
    blocks: usize,
) -> bool {
    p0 <= p1
        && b0 <= b1
        && p1 <= postings
        && b1 <= blocks as u64
        && (p1 - p0).div_ceil(BLOCK as u64) == b1 - b0
}

/// What the term table says about one term.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TermInfo {
    /// Documents holding the term.
    pub df: usize,
    /// Its first posting's index (into `splade.imp`).
    pub first_posting: u64,
    /// Its first block's index (into the block table).
    pub first_block: u64,
    /// Number of blocks.
    pub blocks: usize,
    /// Quantisation step.
    pub delta: f32,
    /// Largest weight.
    pub max: f32,
}

/// What the block table says about one block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockInfo {
    offset: u64,
    /// The block's last document.
    pub last_doc: u32,
    doc_bits: u8,
    code_bits: u8,
    /// The largest code in the block (its weights are at most `max_code·Δ`).
    pub max_code: u8,
}

/// Writes `splade.inv` and `splade.imp` one term at a time (term ids in order).
pub struct BlockPostingsWriter {
    inv: FileWriter,
    imp: FileWriter,
    blocks: Vec<u8>,
    terms: Vec<u8>,
    block_count: u64,
    postings: u64,
    buf: Vec<u8>,
    ranges: RangeMaximaWriter,
    nonempty: u64,
}

impl BlockPostingsWriter {
    /// Creates the three files, for an index of `documents` documents.
    pub fn create(files: [&Path; 3], documents: usize, build_id: u32) -> Result<Self> {
        let [inv, imp, rmx] = files;
        Ok(Self {
            inv: FileWriter::create(inv, INV_KIND, build_id)?,
            imp: FileWriter::create(imp, IMP_KIND, build_id)?,
            ranges: RangeMaximaWriter::create(rmx, documents, build_id)?,
            nonempty: 0,
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

    /// Terms with at least one posting so far.
    pub fn terms_with_postings(&self) -> u64 {
        self.nonempty
    }

    /// Appends the next term's postings: documents strictly increasing, weights `> 0`.
    pub fn push(&mut self, docs: &[u32], weights: &[f32]) -> Result<()> {
        debug_assert_eq!(docs.len(), weights.len());
        let max = weights.iter().copied().fold(0.0f32, f32::max);
        let delta = term_step(max);
        self.terms.extend_from_slice(&self.postings.to_le_bytes());
        self.terms
            .extend_from_slice(&self.block_count.to_le_bytes());
        self.terms.extend_from_slice(&delta.to_le_bytes());
        self.terms.extend_from_slice(&max.to_le_bytes());
        let packer = BitPacker4x::new();
        let mut prev: Option<u32> = None;
        let codes: Vec<u8> = weights.iter().map(|&w| code(w, delta)).collect();
        self.ranges.push(docs, codes.iter().copied())?;
        for (block_docs, block_codes) in docs.chunks(BLOCK).zip(codes.chunks(BLOCK)) {
            let codes: Vec<u32> = block_codes.iter().map(|&c| u32::from(c)).collect();
            let max_code = codes.iter().copied().max().unwrap_or(0) as u8;
            let offset = self.inv.len();
            self.buf.clear();
            let (doc_bits, code_bits) = if block_docs.len() == BLOCK {
                let doc_bits = pack_docs(&packer, prev, block_docs, &mut self.buf);
                (doc_bits, pack_values(&packer, &codes, &mut self.buf))
            } else {
                put_doc_gaps(prev, block_docs, &mut self.buf);
                self.buf.extend(codes.iter().map(|&c| c as u8));
                (0, 8)
            };
            self.inv.write(&self.buf)?;
            let last = *block_docs.last().expect("chunks are not empty");
            self.blocks.extend_from_slice(&offset.to_le_bytes());
            self.blocks.extend_from_slice(&last.to_le_bytes());
            self.blocks
                .extend_from_slice(&[doc_bits, code_bits, max_code, 0]);
            self.block_count += 1;
            prev = Some(last);
        }
        self.imp.f32s(weights)?;
        self.postings += docs.len() as u64;
        self.nonempty += u64::from(!docs.is_empty());
        Ok(())
    }

    /// Writes the tables and footers; returns (bytes, CRC-32) of `splade.inv`, of
    /// `splade.imp` and of `splade.rmx`.
    pub fn finish(mut self) -> Result<[(u64, u32); 3]> {
        let terms = (self.terms.len() / TERM_ENTRY) as u32;
        let data_len = self.inv.len();
        self.terms.extend_from_slice(&self.postings.to_le_bytes());
        self.terms
            .extend_from_slice(&self.block_count.to_le_bytes());
        self.terms.extend_from_slice(&[0u8; 8]);
        self.inv.write(&self.blocks)?;
        self.inv.write(&self.terms)?;
        self.inv.u32(terms)?;
        self.inv.u64(self.block_count)?;
        self.inv.u64(self.postings)?;
        self.inv.u64(data_len)?;
        Ok([
            self.inv.finish()?,
            self.imp.finish()?,
            self.ranges.finish()?,
        ])
    }
}

/// The memory-mapped block postings and exact weights.
pub struct BlockPostings {
    inv: FileData,
    imp: FileData,
    terms: usize,
    blocks: usize,
    postings: u64,
    data_len: usize,
}

impl BlockPostings {
    /// Opens and checks both files.
    pub fn open(inv_path: &Path, imp_path: &Path) -> Result<Self> {
        let inv = FileData::open(inv_path, INV_KIND)?;
        let imp = FileData::open(imp_path, IMP_KIND)?;
        let bytes = inv.bytes();
        if bytes.len() < TRAILER {
            return Err(inv.corrupt("too short for block postings"));
        }
        let trailer = &bytes[bytes.len() - TRAILER..];
        let terms = u32_at(trailer, 0) as usize;
        let blocks = u64::from_le_bytes(trailer[4..12].try_into().expect("8"));
        let postings = u64::from_le_bytes(trailer[12..20].try_into().expect("8"));
        let data_len = u64::from_le_bytes(trailer[20..28].try_into().expect("8"));
        let expected = (blocks as u128) * BLOCK_ENTRY as u128
            + (terms as u128 + 1) * TERM_ENTRY as u128
            + data_len as u128
            + TRAILER as u128;
        if expected != bytes.len() as u128 {
            return Err(inv.corrupt("the tables do not match the file size"));
        }
        if imp.bytes().len() as u128 != postings as u128 * 4 {
            return Err(imp.corrupt(format!(
                "{} bytes of weights for {postings} postings",
                imp.bytes().len()
            )));
        }
        let out = Self {
            terms,
            blocks: blocks as usize,
            postings,
            data_len: data_len as usize,
            inv,
            imp,
        };
        let last = out.term_entry(terms);
        if last.0 != postings || last.1 != blocks {
            return Err(out.inv.corrupt("the term table does not match the trailer"));
        }
        Ok(out)
    }

    fn term_entry(&self, t: usize) -> (u64, u64, f32, f32) {
        let start = self.data_len + self.blocks * BLOCK_ENTRY + t * TERM_ENTRY;
        let e = &self.inv.bytes()[start..start + TERM_ENTRY];
        (
            u64_at(e, 0),
            u64_at(e, 1),
            f32::from_bits(u32_at(e, 4)),
            f32::from_bits(u32_at(e, 5)),
        )
    }

    /// Number of terms (the vocabulary size).
    pub fn terms(&self) -> usize {
        self.terms
    }

    /// Total postings.
    pub fn postings(&self) -> u64 {
        self.postings
    }

    /// Term `t` (empty when out of range or corrupt).
    pub fn term(&self, t: usize) -> TermInfo {
        if t >= self.terms {
            return TermInfo::default();
        }
        let (p0, b0, delta, max) = self.term_entry(t);
        let (p1, b1, _, _) = self.term_entry(t + 1);
        if !term_consistent((p0, b0), (p1, b1), self.postings, self.blocks) {
            return TermInfo::default();
        }
        TermInfo {
            df: (p1 - p0) as usize,
            first_posting: p0,
            first_block: b0,
            blocks: (b1 - b0) as usize,
            delta,
            max,
        }
    }

    /// Block `b` of term `t`.
    pub fn block(&self, t: &TermInfo, b: usize) -> BlockInfo {
        let start = self.data_len + (t.first_block as usize + b) * BLOCK_ENTRY;
        let e = &self.inv.bytes()[start..start + BLOCK_ENTRY];
        BlockInfo {
            offset: u64_at(e, 0),
            last_doc: u32_at(e, 2),
            doc_bits: e[12],
            code_bits: e[13],
            max_code: e[14],
        }
    }

    /// Decodes block `b` of term `t` into `docs`, and its codes into `codes` when given
    /// (the exhaustive path needs only the documents); returns its length.
    pub fn decode(
        &self,
        t: &TermInfo,
        b: usize,
        docs: &mut [u32; BLOCK],
        codes: Option<&mut [u8; BLOCK]>,
    ) -> Result<usize> {
        let info = self.block(t, b);
        let prev = (b > 0).then(|| self.block(t, b - 1).last_doc);
        let len = (t.df - b * BLOCK).min(BLOCK);
        let data = &self.inv.bytes()[..self.data_len];
        let start = usize::try_from(info.offset).unwrap_or(usize::MAX);
        let corrupt = || self.inv.corrupt(format!("block {b} of a term is damaged"));
        let bytes = data.get(start..).ok_or_else(corrupt)?;
        if len == BLOCK {
            let bits = (info.doc_bits, info.code_bits, 8);
            match codes {
                Some(codes) => {
                    let mut wide = [0u32; BLOCK];
                    unpack_full(bytes, prev, bits, docs, Some(&mut wide)).ok_or_else(corrupt)?;
                    for (c, w) in codes.iter_mut().zip(wide) {
                        *c = w as u8;
                    }
                }
                None => unpack_full(bytes, prev, bits, docs, None).ok_or_else(corrupt)?,
            }
        } else {
            let mut pos = 0;
            get_doc_gaps(bytes, &mut pos, prev, &mut docs[..len]).ok_or_else(corrupt)?;
            let raw = bytes.get(pos..pos + len).ok_or_else(corrupt)?;
            if let Some(codes) = codes {
                codes[..len].copy_from_slice(raw);
            }
        }
        Ok(len)
    }

    /// The exact weight of posting `i` of term `t`.
    #[inline]
    pub fn weight(&self, t: &TermInfo, i: usize) -> f32 {
        let at = (t.first_posting as usize + i) * 4;
        let b = &self.imp.bytes()[at..at + 4];
        f32::from_le_bytes([b[0], b[1], b[2], b[3]])
    }

    /// The exact weights of term `t`'s postings, as raw little-endian bytes.
    pub fn weight_bytes(&self, t: &TermInfo) -> &[u8] {
        let start = t.first_posting as usize * 4;
        &self.imp.bytes()[start..start + t.df * 4]
    }

    /// Term `t`'s documents and exact weights, decoded whole.
    pub fn row_f32(&self, t: usize, docs: &mut Vec<u32>, weights: &mut Vec<f32>) -> Result<()> {
        docs.clear();
        weights.clear();
        let info = self.term(t);
        let mut block = [0u32; BLOCK];
        for b in 0..info.blocks {
            let n = self.decode(&info, b, &mut block, None)?;
            docs.extend_from_slice(&block[..n]);
        }
        weights.extend(
            self.weight_bytes(&info)
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])),
        );
        Ok(())
    }

    /// The postings file (`splade.inv`).
    pub fn file(&self) -> &FileData {
        &self.inv
    }

    /// The weights file (`splade.imp`).
    pub fn weights_file(&self) -> &FileData {
        &self.imp
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn codes_bound_weights_from_above_within_one_step() {
        for max in [1e-30f32, 1e-7, 0.3, 1.0, 2.7182817, 255.0, 3.0e38] {
            let delta = term_step(max);
            assert!(f64::from(delta) * 255.0 >= f64::from(max));
            for w in [max, max * 0.5, max * 0.999, max / 255.0, max * 1e-3] {
                if w <= 0.0 {
                    continue;
                }
                let c = code(w, delta);
                assert!(c >= 1);
                assert!(f64::from(c) * f64::from(delta) >= f64::from(w), "{w} {max}");
                assert!(c == 1 || f64::from(c - 1) * f64::from(delta) < f64::from(w));
            }
            assert_eq!(code(max, delta), 255);
        }
    }

    proptest! {
        #[test]
        fn postings_round_trip(
            lists in proptest::collection::vec(
                proptest::collection::btree_map(0u32..5000, 1e-6f32..50.0, 0..400), 0..12),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let (inv, imp, rmx) = (dir.path().join("inv"), dir.path().join("imp"), dir.path().join("rmx"));
            let mut w = BlockPostingsWriter::create([&inv, &imp, &rmx], 5000, 3).unwrap();
            for list in &lists {
                let docs: Vec<u32> = list.keys().copied().collect();
                let weights: Vec<f32> = list.values().copied().collect();
                w.push(&docs, &weights).unwrap();
            }
            w.finish().unwrap();
            let p = BlockPostings::open(&inv, &imp).unwrap();
            prop_assert_eq!(p.terms(), lists.len());
            let (mut docs, mut weights) = (Vec::new(), Vec::new());
            let (mut block, mut codes) = ([0u32; BLOCK], [0u8; BLOCK]);
            for (t, list) in lists.iter().enumerate() {
                p.row_f32(t, &mut docs, &mut weights).unwrap();
                prop_assert_eq!(&docs, &list.keys().copied().collect::<Vec<_>>());
                let bits: Vec<u32> = weights.iter().map(|w| w.to_bits()).collect();
                prop_assert_eq!(bits, list.values().map(|w| w.to_bits()).collect::<Vec<_>>());
                let info = p.term(t);
                for b in 0..info.blocks {
                    let n = p.decode(&info, b, &mut block, Some(&mut codes)).unwrap();
                    let meta = p.block(&info, b);
                    prop_assert_eq!(meta.last_doc, block[n - 1]);
                    for (i, &c) in codes[..n].iter().enumerate() {
                        let w = p.weight(&info, b * BLOCK + i);
                        let bound = f64::from(c) * f64::from(info.delta);
                        prop_assert!(bound >= f64::from(w));
                        prop_assert!(c <= meta.max_code);
                    }
                }
            }
            p.row_f32(lists.len() + 3, &mut docs, &mut weights).unwrap();
            prop_assert!(docs.is_empty());
        }
    }
}
