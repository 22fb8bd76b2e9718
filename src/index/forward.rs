//! The forward index (`splade.fwd`): every document's SPLADE vector, stored by range of
//! [`RANGE`] consecutive documents (the ranges of [`super::ranges`]), so that the exact
//! scores of one range's documents are one pass over one record: the pruned top-k search
//! ([`crate::search::pruned`]) scores the ranges its bounds cannot rule out this way.
//!
//! A record lists the range's distinct terms once, in increasing id, each with a mask of
//! the documents holding it, then the weights:
//!
//! ```text
//! header: documents u32 | range size u32 | id bytes u32 (2, or 4 for a vocabulary over
//!         65,536 terms) | ranges u32 | entries u64 (postings) | term entries u64
//! table: (ranges + 1) × record offset u64 (from the start of the records)
//! lengths: documents × u32 (each document's terms)
//! records, per range:
//!   terms n: u32
//!   ids: n × id (LE, strictly increasing)
//!   masks: n × u16 (LE; bit i: the range's i-th document holds the term, never 0)
//!   weights: Σ popcount(mask) × f32 (LE), term after term, documents in order
//! ```
//!
//! A document's score from a record is `Σ q_t·w` over its terms in increasing id, added in
//! `f32` from 0: the very sum the exhaustive path makes term after term.

use std::path::Path;

use super::error::Result;
use super::format::{u32_at, u64_at, FileData, FileWriter};
use super::ranges::RANGE;
use super::spill::ByteArea;
use crate::sparse::SparseVector;

const HEADER: usize = 32;

/// A query's weights by term id, with a bitmap of the terms it holds (small enough to stay
/// in the first-level cache while ranges are scored).
pub struct QueryTable {
    weights: Vec<f32>,
    bits: Vec<u64>,
}

impl QueryTable {
    /// An empty table for term ids below `vocab_size`.
    pub fn new(vocab_size: usize) -> Self {
        let size = vocab_size.max(1 << 16);
        Self {
            weights: vec![0.0; size],
            bits: vec![0; size.div_ceil(64)],
        }
    }

    /// Gives term `t` (below the vocabulary size) the weight `w`; a term holding 0 is
    /// skipped like an absent one.
    pub fn set(&mut self, t: u32, w: f32) {
        let t = t as usize;
        self.weights[t] = w;
        if w != 0.0 {
            self.bits[t >> 6] |= 1 << (t & 63);
        } else {
            self.bits[t >> 6] &= !(1 << (t & 63));
        }
    }

    fn contains(&self, t: usize) -> bool {
        self.bits
            .get(t >> 6)
            .is_some_and(|b| b >> (t & 63) & 1 != 0)
    }
}

/// Collects document vectors in document order and writes the forward file; records go to
/// memory, or with [`ForwardBuilder::spill_into`] to a file beside the output (only the
/// tables, 8 bytes per range and 4 per document, and the current range stay in memory).
pub struct ForwardBuilder {
    id_bytes: usize,
    table: Vec<u64>,
    lengths: Vec<u32>,
    records: ByteArea,
    /// The current range's postings: (term, document within the range, weight).
    pending: Vec<(u32, u8, f32)>,
    documents: usize,
    entries: u64,
    term_entries: u64,
}

impl ForwardBuilder {
    /// An empty builder for term ids below `vocab_size`.
    pub fn new(vocab_size: usize) -> Self {
        Self {
            id_bytes: if vocab_size <= 1 << 16 { 2 } else { 4 },
            table: Vec::new(),
            lengths: Vec::new(),
            records: ByteArea::default(),
            pending: Vec::new(),
            documents: 0,
            entries: 0,
            term_entries: 0,
        }
    }

    /// Streams the records to `path` (removed by [`Self::write`]).
    pub fn spill_into(&mut self, path: &Path) -> Result<()> {
        self.records.spill_into(path)
    }

    /// Appends the next document's vector (ids strictly increasing and below the
    /// vocabulary size, one weight per id).
    pub fn push(&mut self, ids: &[u32], weights: &[f32]) -> Result<()> {
        debug_assert_eq!(ids.len(), weights.len());
        debug_assert!(self.id_bytes == 4 || ids.iter().all(|&t| t < 1 << 16));
        let slot = (self.documents % RANGE) as u8;
        self.pending
            .extend(ids.iter().zip(weights).map(|(&t, &w)| (t, slot, w)));
        self.documents += 1;
        self.entries += ids.len() as u64;
        self.lengths.push(ids.len() as u32);
        if self.documents.is_multiple_of(RANGE) {
            self.flush()?;
        }
        Ok(())
    }

    /// Documents so far.
    pub fn documents(&self) -> usize {
        self.documents
    }

    /// Writes the current range's record.
    fn flush(&mut self) -> Result<()> {
        self.table.push(self.records.len());
        // Stable: a term's postings stay in document order.
        self.pending.sort_by_key(|p| p.0);
        let mut terms: Vec<(u32, u16)> = Vec::new();
        for &(t, slot, _) in &self.pending {
            match terms.last_mut() {
                Some((last, mask)) if *last == t => *mask |= 1 << slot,
                _ => terms.push((t, 1 << slot)),
            }
        }
        self.term_entries += terms.len() as u64;
        let (id_bytes, pending) = (self.id_bytes, &self.pending);
        self.records.append(|out| {
            out.extend_from_slice(&(terms.len() as u32).to_le_bytes());
            for &(t, _) in &terms {
                out.extend_from_slice(&t.to_le_bytes()[..id_bytes]);
            }
            for &(_, mask) in &terms {
                out.extend_from_slice(&mask.to_le_bytes());
            }
            for &(_, _, w) in pending {
                out.extend_from_slice(&w.to_le_bytes());
            }
        })?;
        self.pending.clear();
        Ok(())
    }

    /// Writes the file; returns (bytes on disk, CRC-32).
    pub fn write(mut self, path: &Path, kind: &[u8; 4], build_id: u32) -> Result<(u64, u32)> {
        if !self.documents.is_multiple_of(RANGE) {
            self.flush()?;
        }
        self.table.push(self.records.len());
        let mut w = FileWriter::create(path, kind, build_id)?;
        w.u32(self.documents as u32)?;
        w.u32(RANGE as u32)?;
        w.u32(self.id_bytes as u32)?;
        w.u32((self.table.len() - 1) as u32)?;
        w.u64(self.entries)?;
        w.u64(self.term_entries)?;
        let mut table = Vec::with_capacity(self.table.len() * 8);
        for offset in &self.table {
            table.extend_from_slice(&offset.to_le_bytes());
        }
        w.write(&table)?;
        let lengths: Vec<u8> = self.lengths.iter().flat_map(|l| l.to_le_bytes()).collect();
        w.write(&lengths)?;
        self.records.write_to(&mut w)?;
        w.finish()
    }
}

/// Adds `q·w` for the documents of `mask`, whose weights start at the `at`-th of
/// `weights` (weights past the end are skipped: the caller reports the record).
#[inline(always)]
fn add_term(q: f32, mask: u16, at: usize, weights: &[u8], acc: &mut [f32; RANGE]) {
    let (mut m, mut at) = (mask, at * 4);
    while m != 0 {
        if let Some(w) = weights.get(at..at + 4) {
            acc[m.trailing_zeros() as usize] += q * f32::from_le_bytes([w[0], w[1], w[2], w[3]]);
        }
        m &= m - 1;
        at += 4;
    }
}

/// [`Forward::add_range_scores`] over 2-byte ids; returns the weights the masks account
/// for. Compiled with the CPU's population-count instruction when it has one: the count
/// runs once per term entry.
fn add_short_ids(
    ids: &[u8],
    masks: &[u8],
    weights: &[u8],
    query: &QueryTable,
    acc: &mut [f32; RANGE],
) -> usize {
    #[inline(always)]
    fn scan(
        ids: &[u8],
        masks: &[u8],
        weights: &[u8],
        query: &QueryTable,
        acc: &mut [f32; RANGE],
    ) -> usize {
        // 65,536 bits: every 2-byte id is inside, no bounds check in the loop.
        let bits: &[u64; 1 << 10] = query.bits[..1 << 10].try_into().expect("1024 words");
        let mut at = 0usize;
        for (id, m) in ids.chunks_exact(2).zip(masks.chunks_exact(2)) {
            let t = usize::from(u16::from_le_bytes([id[0], id[1]]));
            let mask = u16::from_le_bytes([m[0], m[1]]);
            if bits[t >> 6] >> (t & 63) & 1 != 0 {
                add_term(query.weights[t], mask, at, weights, acc);
            }
            at += mask.count_ones() as usize;
        }
        at
    }
    #[cfg(target_arch = "x86_64")]
    {
        #[target_feature(enable = "popcnt,bmi1")]
        unsafe fn fast(
            ids: &[u8],
            masks: &[u8],
            weights: &[u8],
            query: &QueryTable,
            acc: &mut [f32; RANGE],
        ) -> usize {
            scan(ids, masks, weights, query, acc)
        }
        if std::arch::is_x86_feature_detected!("popcnt")
            && std::arch::is_x86_feature_detected!("bmi1")
        {
            // SAFETY: both instruction sets were detected.
            return unsafe { fast(ids, masks, weights, query, acc) };
        }
    }
    scan(ids, masks, weights, query, acc)
}

/// One range's record, checked for size.
struct Record<'a> {
    ids: &'a [u8],
    masks: &'a [u8],
    weights: &'a [u8],
}

/// The memory-mapped forward file.
pub struct Forward {
    data: FileData,
    documents: usize,
    id_bytes: usize,
    ranges: usize,
    entries: u64,
    term_entries: u64,
    table: std::ops::Range<usize>,
    lengths: std::ops::Range<usize>,
    records: std::ops::Range<usize>,
}

impl Forward {
    /// Opens the file and checks its header and table.
    pub fn open(path: &Path, kind: &[u8; 4]) -> Result<Self> {
        let data = FileData::open(path, kind)?;
        let mut r = data.reader();
        let documents = r.u32()? as usize;
        let range = r.u32()? as usize;
        let id_bytes = r.u32()? as usize;
        let ranges = r.u32()? as usize;
        let entries = r.u64()?;
        let term_entries = r.u64()?;
        if range != RANGE || !(id_bytes == 2 || id_bytes == 4) {
            return Err(data.corrupt(format!(
                "range size {range} or id width {id_bytes} is not this version's"
            )));
        }
        if ranges != documents.div_ceil(RANGE) {
            return Err(data.corrupt("range count does not match the document count"));
        }
        debug_assert_eq!(r.position(), HEADER);
        let table_start = r.position();
        r.take((ranges + 1) * 8)?;
        let lengths_start = r.position();
        r.take(documents * 4)?;
        let records = r.position()..data.bytes().len();
        let out = Self {
            documents,
            id_bytes,
            ranges,
            entries,
            term_entries,
            table: table_start..lengths_start,
            lengths: lengths_start..records.start,
            records,
            data,
        };
        // Every record holds at least its term count.
        let sized = (0..ranges).all(|i| out.offset(i) + 4 <= out.offset(i + 1));
        if out.offset(0) != 0 || out.offset(ranges) != out.records.len() as u64 || !sized {
            return Err(out.data.corrupt("record table does not match the records"));
        }
        Ok(out)
    }

    fn offset(&self, i: usize) -> u64 {
        u64_at(&self.data.bytes()[self.table.clone()], i)
    }

    /// Range `r`'s record (`None` past the last range).
    fn record(&self, r: usize) -> Result<Option<Record<'_>>> {
        if r >= self.ranges {
            return Ok(None);
        }
        let bytes = &self.data.bytes()[self.records.clone()];
        let (a, b) = (self.offset(r) as usize, self.offset(r + 1) as usize);
        let rec = &bytes[a..b];
        let n = u32::from_le_bytes(rec[..4].try_into().expect("4 bytes")) as usize;
        let heads = n
            .checked_mul(self.id_bytes + 2)
            .and_then(|h| h.checked_add(4))
            .filter(|&h| h <= rec.len() && (rec.len() - h).is_multiple_of(4))
            .ok_or_else(|| self.data.corrupt(format!("range {r}: bad record size")))?;
        let ids = &rec[4..4 + n * self.id_bytes];
        Ok(Some(Record {
            ids,
            masks: &rec[4 + n * self.id_bytes..heads],
            weights: &rec[heads..],
        }))
    }

    /// Calls `f(term, mask, its first weight's number, weight bytes)` for every term of
    /// range `r`, in increasing id, then checks that the masks account for every weight.
    fn for_each_term(&self, r: usize, mut f: impl FnMut(u32, u16, usize, &[u8])) -> Result<()> {
        let Some(rec) = self.record(r)? else {
            return Ok(());
        };
        let mut at = 0usize;
        for (id, m) in rec
            .ids
            .chunks_exact(self.id_bytes)
            .zip(rec.masks.chunks_exact(2))
        {
            // Little-endian ids of 2 or 4 bytes.
            let mut bytes = [0u8; 4];
            bytes[..id.len()].copy_from_slice(id);
            let mask = u16::from_le_bytes([m[0], m[1]]);
            f(u32::from_le_bytes(bytes), mask, at, rec.weights);
            at += mask.count_ones() as usize;
        }
        self.check_weights(r, &rec, at)
    }

    /// Checks that range `r`'s masks, which account for `at` weights, match its record.
    fn check_weights(&self, r: usize, rec: &Record<'_>, at: usize) -> Result<()> {
        if at * 4 != rec.weights.len() {
            return Err(self
                .data
                .corrupt(format!("range {r}: masks do not match the weights")));
        }
        Ok(())
    }

    /// Adds `query[t]·w` for every posting `(t, w)` of range `r` into `acc[i]`, `i` the
    /// document's place in the range, term after term in increasing id (terms the query
    /// lacks are skipped). From zeroed accumulators this gives each document the `f32`
    /// score the exhaustive path computes for the query.
    pub fn add_range_scores(
        &self,
        r: usize,
        query: &QueryTable,
        acc: &mut [f32; RANGE],
    ) -> Result<()> {
        if self.id_bytes != 2 {
            return self.for_each_term(r, |t, mask, at, weights| {
                if query.contains(t as usize) {
                    add_term(query.weights[t as usize], mask, at, weights, acc);
                }
            });
        }
        let Some(rec) = self.record(r)? else {
            return Ok(());
        };
        let at = add_short_ids(rec.ids, rec.masks, rec.weights, query, acc);
        self.check_weights(r, &rec, at)
    }

    /// Asks the CPU to start loading range `r`'s record into its caches (a hint: nothing
    /// happens past the last range or off x86-64). Scoring ranges in an order known in
    /// advance, prefetching the next record while one is scored overlaps their memory
    /// latency.
    pub fn prefetch(&self, r: usize) {
        if r >= self.ranges {
            return;
        }
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
            let bytes = &self.data.bytes()[self.records.clone()];
            let (a, b) = (self.offset(r) as usize, self.offset(r + 1) as usize);
            for line in bytes[a..b].chunks(64) {
                // SAFETY: a prefetch is a hint that never faults; the pointer is inside the
                // mapped record.
                unsafe { _mm_prefetch::<_MM_HINT_T0>(line.as_ptr().cast()) };
            }
        }
    }

    /// Decodes document `d`'s vector into `ids` and `weights` (empty past the last
    /// document).
    pub fn vector(&self, d: usize, ids: &mut Vec<u32>, weights: &mut Vec<f32>) -> Result<()> {
        ids.clear();
        weights.clear();
        if d >= self.documents {
            return Ok(());
        }
        let bit = 1u16 << (d % RANGE);
        self.for_each_term(d / RANGE, |t, mask, at, bytes| {
            if mask & bit != 0 {
                let i = at + (mask & (bit - 1)).count_ones() as usize;
                // Masks that overrun the weights are reported once the record is read.
                if let Some(w) = bytes.get(i * 4..i * 4 + 4) {
                    ids.push(t);
                    weights.push(f32::from_le_bytes([w[0], w[1], w[2], w[3]]));
                }
            }
        })?;
        if ids.len() != self.doc_len(d) {
            return Err(self.data.corrupt(format!(
                "document {d}: its record does not match its length"
            )));
        }
        Ok(())
    }

    /// The vectors of range `r`'s documents, in document order (one pass over its record;
    /// empty past the last range).
    pub fn range_vectors(&self, r: usize) -> Result<Vec<SparseVector>> {
        let first = r.saturating_mul(RANGE).min(self.documents);
        let mut out = vec![SparseVector::default(); (first + RANGE).min(self.documents) - first];
        self.for_each_term(r, |t, mask, at, bytes| {
            let (mut m, mut i) = (mask, at);
            while m != 0 {
                let slot = out.get_mut(m.trailing_zeros() as usize);
                // Masks that overrun the weights are reported once the record is read.
                if let (Some(v), Some(w)) = (slot, bytes.get(i * 4..i * 4 + 4)) {
                    v.ids.push(t);
                    v.weights.push(f32::from_le_bytes([w[0], w[1], w[2], w[3]]));
                }
                m &= m - 1;
                i += 1;
            }
        })?;
        Ok(out)
    }

    /// Terms of document `d` (0 past the last document).
    pub fn doc_len(&self, d: usize) -> usize {
        if d >= self.documents {
            return 0;
        }
        u32_at(&self.data.bytes()[self.lengths.clone()], d) as usize
    }

    /// Number of documents.
    pub fn documents(&self) -> usize {
        self.documents
    }

    /// Number of ranges.
    pub fn ranges(&self) -> usize {
        self.ranges
    }

    /// Total postings.
    pub fn entries(&self) -> u64 {
        self.entries
    }

    /// Total (range, term) entries: the terms a pass over every record visits.
    pub fn term_entries(&self) -> u64 {
        self.term_entries
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
    use proptest::prelude::*;

    fn build(
        rows: &[std::collections::BTreeMap<u32, f32>],
        vocab: usize,
        spill: bool,
    ) -> (tempfile::TempDir, Forward) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fwd");
        let mut b = ForwardBuilder::new(vocab);
        if spill {
            b.spill_into(&dir.path().join("spill")).unwrap();
        }
        for row in rows {
            let ids: Vec<u32> = row.keys().copied().collect();
            let weights: Vec<f32> = row.values().copied().collect();
            b.push(&ids, &weights).unwrap();
        }
        b.write(&path, b"TEST", 1).unwrap();
        // Spill files are gone once the file is written.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        let f = Forward::open(&path, b"TEST").unwrap();
        (dir, f)
    }

    proptest! {
        #[test]
        fn vectors_round_trip_and_ranges_score_as_dot_products(
            rows in proptest::collection::vec(
                proptest::collection::btree_map(0u32..300, 0.0f32..5.0, 0..40), 0..60),
            wide in any::<bool>(),
            spill in any::<bool>(),
            query in proptest::collection::btree_map(0u32..300, 0.0f32..3.0, 0..30),
        ) {
            let vocab = if wide { 100_000 } else { 300 };
            // Wide ids exercise the 4-byte layout.
            let rows: Vec<_> = rows
                .iter()
                .map(|r| r.iter().map(|(&t, &w)| (if wide { t * 300 } else { t }, w)).collect())
                .collect();
            let query: std::collections::BTreeMap<u32, f32> = query
                .iter()
                .map(|(&t, &w)| (if wide { t * 300 } else { t }, w))
                .collect();
            let (_dir, f) = build(&rows, vocab, spill);
            prop_assert_eq!(f.documents(), rows.len());
            prop_assert_eq!(f.entries(), rows.iter().map(|r| r.len() as u64).sum::<u64>());
            let (mut ids, mut weights) = (Vec::new(), Vec::new());
            for (d, row) in rows.iter().enumerate() {
                f.vector(d, &mut ids, &mut weights).unwrap();
                prop_assert_eq!(&ids, &row.keys().copied().collect::<Vec<_>>());
                let want: Vec<u32> = row.values().map(|w| w.to_bits()).collect();
                let got: Vec<u32> = weights.iter().map(|w| w.to_bits()).collect();
                prop_assert_eq!(got, want);
                prop_assert_eq!(f.doc_len(d), row.len());
            }
            f.vector(rows.len() + 3, &mut ids, &mut weights).unwrap();
            prop_assert!(ids.is_empty());
            for r in 0..f.ranges() + 1 {
                let vectors = f.range_vectors(r).unwrap();
                let want: Vec<&std::collections::BTreeMap<u32, f32>> =
                    rows.iter().skip(r * RANGE).take(RANGE).collect();
                prop_assert_eq!(vectors.len(), want.len());
                for (v, row) in vectors.iter().zip(want) {
                    prop_assert_eq!(&v.ids, &row.keys().copied().collect::<Vec<_>>());
                    let bits: Vec<u32> = v.weights.iter().map(|w| w.to_bits()).collect();
                    prop_assert_eq!(bits, row.values().map(|w| w.to_bits()).collect::<Vec<_>>());
                }
            }
            let mut table = QueryTable::new(vocab);
            for (&t, &q) in &query {
                table.set(t, q);
            }
            for r in 0..f.ranges() {
                let mut acc = [0.0f32; RANGE];
                f.add_range_scores(r, &table, &mut acc).unwrap();
                for (i, row) in rows.iter().enumerate().skip(r * RANGE).take(RANGE) {
                    // Term after term in increasing id, from 0: the exhaustive sum.
                    let mut want = 0.0f32;
                    for (t, q) in &query {
                        want += q * row.get(t).copied().unwrap_or(0.0);
                    }
                    prop_assert_eq!(acc[i - r * RANGE].to_bits(), want.to_bits());
                }
            }
        }
    }

    #[test]
    fn a_damaged_record_is_an_error_not_a_panic() {
        let rows: Vec<std::collections::BTreeMap<u32, f32>> =
            (0..20).map(|d| [(d, 1.0), (d + 1, 2.0)].into()).collect();
        let (dir, f) = build(&rows, 100, false);
        let path = dir.path().join("fwd");
        let mut bytes = std::fs::read(&path).unwrap();
        // Clear one mask bit of the first record: the masks no longer match the weights.
        let record = HEADER + 8 * (f.ranges() + 1) + 4 * f.documents();
        let n = u32::from_le_bytes(bytes[record..record + 4].try_into().unwrap()) as usize;
        bytes[record + 4 + 2 * n] &= !1;
        // The checksum still matches, as after a bug rather than a disk error.
        let payload = bytes.len() - crate::index::format::FOOTER_LEN;
        let crc = crc32fast::hash(&bytes[..payload]);
        bytes[payload + 24..payload + 28].copy_from_slice(&crc.to_le_bytes());
        std::fs::write(&path, &bytes).unwrap();
        let g = Forward::open(&path, b"TEST").unwrap();
        let (mut ids, mut weights) = (Vec::new(), Vec::new());
        let err = g.vector(0, &mut ids, &mut weights).unwrap_err().to_string();
        assert!(
            err.contains("range 0: masks do not match the weights"),
            "{err}"
        );
        let mut all = QueryTable::new(100);
        (0..100).for_each(|t| all.set(t, 1.0));
        assert!(g.add_range_scores(0, &all, &mut [0.0; RANGE]).is_err());
        // The other range is intact.
        g.vector(17, &mut ids, &mut weights).unwrap();
        assert_eq!(ids, [17, 18]);
    }
}
