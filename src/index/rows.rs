//! Row files: a list of rows, each a strictly increasing id list with one 32-bit value per
//! id. The forward index (row = document, ids = terms, values = `f32` weights) is a row
//! file.
//!
//! ```text
//! rows: u32 | entries: u64
//! table: (rows + 1) × [first entry: u64, first id byte: u64]
//! values: entries × u32 (LE; f32 bit patterns or integers)
//! ids: per row, delta-coded LEB128 varints (see codec)
//! ```
//! Row `r` has `first[r + 1] - first[r]` entries.

use std::path::Path;

use super::codec::{get_deltas, put_deltas};
use super::error::Result;
use super::format::{u64_at, FileData, FileWriter};
use super::spill::ByteArea;

/// Collects rows and writes a row file; rows are held in memory, or, with
/// [`RowsBuilder::spill_into`], streamed to two files beside the output (only the table,
/// 16 bytes per row, stays in memory).
#[derive(Default)]
pub struct RowsBuilder {
    table: Vec<(u64, u64)>,
    values: ByteArea,
    ids: ByteArea,
    entries: u64,
}

impl RowsBuilder {
    /// Streams values and ids to `prefix.values` and `prefix.ids` (removed by
    /// [`Self::write`]).
    pub fn spill_into(&mut self, prefix: &Path) -> Result<()> {
        self.values.spill_into(&prefix.with_extension("values"))?;
        self.ids.spill_into(&prefix.with_extension("ids"))
    }

    /// Appends the next row (ids strictly increasing, one value per id).
    pub fn push(&mut self, ids: &[u32], values: impl IntoIterator<Item = u32>) -> Result<()> {
        self.table.push((self.entries, self.ids.len()));
        let mut count = 0u64;
        self.values.append(|out| {
            for v in values {
                out.extend_from_slice(&v.to_le_bytes());
                count += 1;
            }
        })?;
        debug_assert_eq!(count, ids.len() as u64);
        self.entries += count;
        self.ids.append(|out| put_deltas(out, ids))
    }

    /// Appends a row of `f32` values.
    pub fn push_f32(&mut self, ids: &[u32], values: &[f32]) -> Result<()> {
        self.push(ids, values.iter().map(|v| v.to_bits()))
    }

    /// Rows so far.
    pub fn rows(&self) -> usize {
        self.table.len()
    }

    /// Entries so far.
    pub fn entries(&self) -> u64 {
        self.entries
    }

    /// Writes the file; returns (bytes on disk, CRC-32).
    pub fn write(mut self, path: &Path, kind: &[u8; 4], build_id: u32) -> Result<(u64, u32)> {
        self.table.push((self.entries, self.ids.len()));
        let mut w = FileWriter::create(path, kind, build_id)?;
        w.u32((self.table.len() - 1) as u32)?;
        w.u64(self.entries)?;
        let mut table = Vec::with_capacity(self.table.len() * 16);
        for (first, off) in &self.table {
            table.extend_from_slice(&first.to_le_bytes());
            table.extend_from_slice(&off.to_le_bytes());
        }
        w.write(&table)?;
        self.values.write_to(&mut w)?;
        self.ids.write_to(&mut w)?;
        w.finish()
    }
}

/// A memory-mapped row file.
pub struct Rows {
    data: FileData,
    rows: usize,
    entries: u64,
    table: std::ops::Range<usize>,
    values: std::ops::Range<usize>,
    ids: std::ops::Range<usize>,
}

impl Rows {
    /// Opens and verifies a row file.
    pub fn open(path: &Path, kind: &[u8; 4]) -> Result<Self> {
        let data = FileData::open(path, kind)?;
        let mut r = data.reader();
        let rows = r.u32()? as usize;
        let entries = r.u64()?;
        let table_start = r.position();
        r.take((rows + 1) * 16)?;
        let values_start = r.position();
        let n = usize::try_from(entries).map_err(|_| data.corrupt("entry count too large"))?;
        r.take(
            n.checked_mul(4)
                .ok_or_else(|| data.corrupt("entry count too large"))?,
        )?;
        let ids = r.position()..data.bytes().len();
        let out = Self {
            rows,
            entries,
            table: table_start..values_start,
            values: values_start..values_start + n * 4,
            ids,
            data,
        };
        let (first_end, off_end) = out.table_entry(rows);
        if first_end != entries || off_end as usize != out.ids.len() {
            return Err(out.data.corrupt("row table does not match the data"));
        }
        Ok(out)
    }

    fn table_entry(&self, r: usize) -> (u64, u64) {
        let t = &self.data.bytes()[self.table.clone()];
        (u64_at(t, 2 * r), u64_at(t, 2 * r + 1))
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Total entries.
    pub fn entries(&self) -> u64 {
        self.entries
    }

    /// Entries in row `r` (0 when out of range).
    pub fn row_len(&self, r: usize) -> usize {
        if r >= self.rows {
            return 0;
        }
        let (a, _) = self.table_entry(r);
        let (b, _) = self.table_entry(r + 1);
        b.saturating_sub(a) as usize
    }

    /// Decodes row `r`: its ids into `ids`, and returns its raw values (4 bytes each).
    /// A row out of range is empty.
    pub fn row(&self, r: usize, ids: &mut Vec<u32>) -> Result<&[u8]> {
        ids.clear();
        if r >= self.rows {
            return Ok(&[]);
        }
        let (first, off) = self.table_entry(r);
        let (next, end) = self.table_entry(r + 1);
        if next < first || end < off || next > self.entries || end as usize > self.ids.len() {
            return Err(self.data.corrupt(format!("row {r} has a bad table entry")));
        }
        let id_bytes = &self.data.bytes()[self.ids.clone()][..end as usize];
        let mut pos = off as usize;
        get_deltas(id_bytes, &mut pos, (next - first) as usize, ids)
            .map_err(|e| self.data.corrupt(format!("row {r}: {e}")))?;
        if pos != end as usize {
            return Err(self
                .data
                .corrupt(format!("row {r}: id bytes do not match its length")));
        }
        let values = &self.data.bytes()[self.values.clone()];
        Ok(&values[first as usize * 4..next as usize * 4])
    }

    /// Decodes row `r` with `f32` values.
    pub fn row_f32(&self, r: usize, ids: &mut Vec<u32>, values: &mut Vec<f32>) -> Result<()> {
        let raw = self.row(r, ids)?;
        values.clear();
        values.extend(
            raw.chunks_exact(4)
                .map(|c| f32::from_le_bytes(c.try_into().expect("4"))),
        );
        Ok(())
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

    proptest! {
        #[test]
        fn rows_round_trip(rows in proptest::collection::vec(
            proptest::collection::btree_map(any::<u32>(), any::<f32>(), 0..40), 0..30),
            spill in any::<bool>()) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("rows.bin");
            let mut b = RowsBuilder::default();
            if spill {
                b.spill_into(&dir.path().join("spill")).unwrap();
            }
            for row in &rows {
                let ids: Vec<u32> = row.keys().copied().collect();
                let values: Vec<f32> = row.values().copied().collect();
                b.push_f32(&ids, &values).unwrap();
            }
            b.write(&path, b"TEST", 1).unwrap();
            // Spill files are gone once the file is written.
            prop_assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
            let r = Rows::open(&path, b"TEST").unwrap();
            prop_assert_eq!(r.rows(), rows.len());
            let (mut ids, mut values) = (Vec::new(), Vec::new());
            for (i, row) in rows.iter().enumerate() {
                r.row_f32(i, &mut ids, &mut values).unwrap();
                prop_assert_eq!(&ids, &row.keys().copied().collect::<Vec<_>>());
                let want: Vec<u32> = row.values().map(|v| v.to_bits()).collect();
                let got: Vec<u32> = values.iter().map(|v| v.to_bits()).collect();
                prop_assert_eq!(got, want);
                prop_assert_eq!(r.row_len(i), row.len());
            }
            r.row_f32(rows.len() + 5, &mut ids, &mut values).unwrap();
            prop_assert!(ids.is_empty());
        }
    }
}
