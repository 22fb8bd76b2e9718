//! The document store: id, title and text of every document, by document number, plus a
//! sorted id table to find a document by its id.
//!
//! ```text
//! documents: u32
//! offsets: (documents + 1) × u64       start of each record in the records area
//! by_id: documents × u32               document numbers sorted by id (bytewise)
//! records: per document, [varint len][id][varint len][title][varint len][text] (UTF-8)
//! ```

use std::path::Path;

use super::codec::{get_varint, put_varint};
use super::error::Result;
use super::format::{u32_at, u64_at, FileData, FileWriter};
use super::spill::ByteArea;
use crate::corpus::Document;

/// File kind tag.
pub const KIND: &[u8; 4] = b"DOCS";

/// A stored document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredDoc<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub text: &'a str,
}

impl StoredDoc<'_> {
    /// The text the encoder read: title and text as [`Document::indexed_text`] joins them.
    pub fn indexed_text(&self) -> String {
        Document {
            id: String::new(),
            title: self.title.to_string(),
            text: self.text.to_string(),
        }
        .indexed_text()
    }

    /// Where [`Self::indexed_text`] maps a byte range: into the title or the text, as
    /// stored (`None` for the separator between them).
    pub fn locate(&self, range: std::ops::Range<usize>) -> Option<TextRange> {
        let start = Document {
            id: String::new(),
            title: self.title.to_string(),
            text: self.text.to_string(),
        }
        .indexed_start();
        let (a, b) = (range.start + start, range.end + start);
        let title = self.title.len();
        if b <= title {
            Some(TextRange {
                in_title: true,
                range: a..b,
            })
        } else if a > title {
            let (a, b) = (a - title - 1, b - title - 1);
            (b <= self.text.len()).then_some(TextRange {
                in_title: false,
                range: a..b,
            })
        } else {
            None
        }
    }
}

/// A byte range of a stored document's title or text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextRange {
    /// In the title (else in the text).
    pub in_title: bool,
    pub range: std::ops::Range<usize>,
}

/// Collects documents and writes the store: records in memory, or streamed to a file with
/// [`DocStoreBuilder::spill_into`] (the offsets and ids stay in memory).
#[derive(Default)]
pub struct DocStoreBuilder {
    offsets: Vec<u64>,
    records: ByteArea,
    ids: Vec<(String, u32)>,
}

impl DocStoreBuilder {
    /// Streams the records to `path` (removed by [`Self::write`]).
    pub fn spill_into(&mut self, path: &Path) -> Result<()> {
        self.records.spill_into(path)
    }

    /// Appends the next document (its number is the count so far).
    pub fn push(&mut self, id: &str, title: &str, text: &str) -> Result<()> {
        self.ids.push((id.to_string(), self.offsets.len() as u32));
        self.offsets.push(self.records.len());
        self.records.append(|out| {
            for field in [id, title, text] {
                put_varint(out, field.len() as u32);
                out.extend_from_slice(field.as_bytes());
            }
        })
    }

    /// Documents so far.
    pub fn len(&self) -> usize {
        self.offsets.len()
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.offsets.is_empty()
    }

    /// Writes the store; returns (bytes on disk, CRC-32).
    pub fn write(mut self, path: &Path, build_id: u32) -> Result<(u64, u32)> {
        self.offsets.push(self.records.len());
        self.ids
            .sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        let mut w = FileWriter::create(path, KIND, build_id)?;
        w.u32(self.ids.len() as u32)?;
        let mut head = Vec::with_capacity(self.offsets.len() * 8 + self.ids.len() * 4);
        for o in &self.offsets {
            head.extend_from_slice(&o.to_le_bytes());
        }
        for (_, n) in &self.ids {
            head.extend_from_slice(&n.to_le_bytes());
        }
        w.write(&head)?;
        self.records.write_to(&mut w)?;
        w.finish()
    }
}

/// A memory-mapped document store.
pub struct DocStore {
    data: FileData,
    len: usize,
    offsets: std::ops::Range<usize>,
    by_id: std::ops::Range<usize>,
    records: std::ops::Range<usize>,
}

impl DocStore {
    /// Opens and verifies the store.
    pub fn open(path: &Path) -> Result<Self> {
        let data = FileData::open(path, KIND)?;
        let mut r = data.reader();
        let len = r.u32()? as usize;
        let o = r.position();
        r.take((len + 1) * 8)?;
        let b = r.position();
        r.take(len * 4)?;
        let records = r.position()..data.bytes().len();
        Ok(Self {
            len,
            offsets: o..b,
            by_id: b..b + len * 4,
            records,
            data,
        })
    }

    /// Number of documents.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the store has no documents.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Document number `n`.
    pub fn get(&self, n: u32) -> Result<StoredDoc<'_>> {
        let n = n as usize;
        if n >= self.len {
            return Err(self
                .data
                .corrupt(format!("document number {n} out of range")));
        }
        let offsets = &self.data.bytes()[self.offsets.clone()];
        let records = &self.data.bytes()[self.records.clone()];
        let (start, end) = (u64_at(offsets, n) as usize, u64_at(offsets, n + 1) as usize);
        let record = records
            .get(start..end)
            .ok_or_else(|| self.data.corrupt(format!("document {n}: bad offsets")))?;
        let mut pos = 0;
        let mut field = || -> Result<&str> {
            let len = get_varint(record, &mut pos).map_err(|e| self.data.corrupt(e.0))? as usize;
            let bytes = record.get(pos..pos + len).ok_or_else(|| {
                self.data
                    .corrupt(format!("document {n}: field past its end"))
            })?;
            pos += len;
            std::str::from_utf8(bytes)
                .map_err(|_| self.data.corrupt(format!("document {n}: not UTF-8")))
        };
        Ok(StoredDoc {
            id: field()?,
            title: field()?,
            text: field()?,
        })
    }

    /// The document number of `id`, by binary search over the sorted id table.
    pub fn find(&self, id: &str) -> Result<Option<u32>> {
        let table = &self.data.bytes()[self.by_id.clone()];
        let (mut lo, mut hi) = (0usize, self.len);
        while lo < hi {
            let mid = (lo + hi) / 2;
            let n = u32_at(table, mid);
            match self.get(n)?.id.as_bytes().cmp(id.as_bytes()) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Ok(Some(n)),
            }
        }
        Ok(None)
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
    fn ranges_of_the_indexed_text_map_back_to_title_and_text() {
        for (title, text) in [
            ("  Big cats", "  roar loudly "),
            ("", "   roar loudly"),
            (" \t", " roar loudly"),
            ("Big cats", ""),
        ] {
            let d = StoredDoc {
                id: "d",
                title,
                text,
            };
            let full = d.indexed_text();
            for word in ["Big", "cats", "roar", "loudly"] {
                let Some(at) = full.find(word) else { continue };
                let r = d.locate(at..at + word.len()).unwrap();
                let shown = if r.in_title { title } else { text };
                assert_eq!(&shown[r.range], word, "{title:?} {text:?}");
            }
        }
        let d = StoredDoc {
            id: "d",
            title: "ab",
            text: "cd",
        };
        assert_eq!(d.locate(2..3), None, "the separator is in neither");
    }

    #[test]
    fn stores_and_finds_documents_held_in_memory_or_spilled() {
        for spill in [false, true] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("docs.bin");
            let mut b = DocStoreBuilder::default();
            if spill {
                b.spill_into(&dir.path().join("records")).unwrap();
            }
            b.push("d10", "Title ten", "Text ✓ ten").unwrap();
            b.push("a", "", "").unwrap();
            b.push("d2", "T", "x").unwrap();
            b.write(&path, 1).unwrap();
            // The spill file is gone.
            assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
            let s = DocStore::open(&path).unwrap();
            assert_eq!(s.len(), 3);
            assert_eq!(
                s.get(0).unwrap(),
                StoredDoc {
                    id: "d10",
                    title: "Title ten",
                    text: "Text ✓ ten"
                }
            );
            assert_eq!(s.get(1).unwrap().text, "");
            for (id, n) in [("d10", 0), ("a", 1), ("d2", 2)] {
                assert_eq!(s.find(id).unwrap(), Some(n));
            }
            assert_eq!(s.find("zzz").unwrap(), None);
            assert!(s.get(3).is_err());
        }
    }
}
