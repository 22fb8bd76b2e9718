//! BM25 postings collected in bounded memory. Terms get numbers in order of first sight;
//! postings gather per term until a run holds a set number of postings (the builder uses
//! [`super::spill::RUN_POSTINGS`]), then the run is written to
//! a file in the build's temporary directory, its terms in bytewise order of their text,
//! and memory is reused. Every run lists its terms in that one global order and documents
//! arrive in number order, so a term's list is the concatenation of its segments in run
//! order, read from every run file at once while walking the sorted dictionary.
//!
//! ```text
//! run file: per term holding postings in the run, in bytewise term order:
//!   term number u32 | n u32 | n × document u32 | n × term frequency u32 (LE)
//! ```
//! Only the dictionary (each distinct term once) stays in memory.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use super::error::{io, Result};

/// BM25 postings by term, spilled to run files past a run size.
#[derive(Default)]
pub struct Bm25Collector {
    numbers: HashMap<String, u32>,
    /// Term texts by number.
    texts: Vec<String>,
    /// This run's postings by term number.
    lists: Vec<(Vec<u32>, Vec<u32>)>,
    in_run: usize,
    limit: usize,
    dir: Option<PathBuf>,
    runs: Vec<PathBuf>,
}

/// One run being read back.
struct RunReader<'a> {
    path: &'a Path,
    input: BufReader<File>,
    /// The term number of the next segment (`None` at the end).
    next: Option<u32>,
}

impl RunReader<'_> {
    fn u32(&mut self) -> Result<Option<u32>> {
        let mut b = [0u8; 4];
        match self.input.read_exact(&mut b) {
            Ok(()) => Ok(Some(u32::from_le_bytes(b))),
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(None),
            Err(e) => Err(io(self.path)(e)),
        }
    }

    /// Appends the current segment to `docs` and `tfs` and reads the next term number.
    fn take(&mut self, docs: &mut Vec<u32>, tfs: &mut Vec<u32>, bytes: &mut Vec<u8>) -> Result<()> {
        let n = self.u32()?.ok_or_else(|| truncated(self.path))? as usize;
        bytes.resize(n * 8, 0);
        self.input.read_exact(bytes).map_err(io(self.path))?;
        let (d, t) = bytes.split_at(n * 4);
        docs.extend(
            d.chunks_exact(4)
                .map(|c| u32::from_le_bytes(c.try_into().expect("4"))),
        );
        tfs.extend(
            t.chunks_exact(4)
                .map(|c| u32::from_le_bytes(c.try_into().expect("4"))),
        );
        self.next = self.u32()?;
        Ok(())
    }
}

fn truncated(path: &Path) -> super::error::IndexError {
    io(path)(std::io::Error::new(
        std::io::ErrorKind::UnexpectedEof,
        "a BM25 run file ends early",
    ))
}

impl Bm25Collector {
    /// Spills runs of `limit` postings into `dir` (which must exist).
    pub fn spill_into(&mut self, dir: &Path, limit: usize) {
        self.dir = Some(dir.to_path_buf());
        self.limit = limit.max(1);
    }

    /// Adds document `doc`'s term frequencies.
    pub fn push(&mut self, doc: u32, tf: HashMap<String, u32>) -> Result<()> {
        for (term, count) in tf {
            let next = self.texts.len() as u32;
            let t = *self.numbers.entry(term).or_insert_with_key(|term| {
                self.texts.push(term.clone());
                next
            }) as usize;
            if t >= self.lists.len() {
                self.lists.resize(t + 1, (Vec::new(), Vec::new()));
            }
            self.lists[t].0.push(doc);
            self.lists[t].1.push(count);
            self.in_run += 1;
        }
        if self.dir.is_some() && self.in_run >= self.limit {
            self.spill()?;
        }
        Ok(())
    }

    /// Term numbers in bytewise order of their text.
    fn sorted(&self) -> Vec<u32> {
        let mut order: Vec<u32> = (0..self.texts.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| {
            self.texts[a as usize]
                .as_bytes()
                .cmp(self.texts[b as usize].as_bytes())
        });
        order
    }

    fn spill(&mut self) -> Result<()> {
        let Some(dir) = &self.dir else {
            return Ok(());
        };
        let path = dir.join(format!("bm25-{}.run", self.runs.len()));
        let file = File::create(&path).map_err(io(&path))?;
        let mut out = BufWriter::with_capacity(1 << 20, file);
        let mut buf = Vec::new();
        for t in self.sorted() {
            let Some((docs, tfs)) = self.lists.get_mut(t as usize) else {
                continue;
            };
            if docs.is_empty() {
                continue;
            }
            buf.clear();
            buf.extend_from_slice(&t.to_le_bytes());
            buf.extend_from_slice(&(docs.len() as u32).to_le_bytes());
            for v in docs.iter().chain(tfs.iter()) {
                buf.extend_from_slice(&v.to_le_bytes());
            }
            out.write_all(&buf).map_err(io(&path))?;
            docs.clear();
            tfs.clear();
        }
        let file = out.into_inner().map_err(|e| io(&path)(e.into_error()))?;
        file.sync_all().map_err(io(&path))?;
        self.runs.push(path);
        self.in_run = 0;
        Ok(())
    }

    /// Calls `each(term, documents, term frequencies)` for every term in bytewise order
    /// of its text, then removes the run files.
    pub fn write(mut self, mut each: impl FnMut(&str, &[u32], &[u32]) -> Result<()>) -> Result<()> {
        let order = self.sorted();
        if self.runs.is_empty() {
            for t in order {
                let (docs, tfs) = &self.lists[t as usize];
                each(&self.texts[t as usize], docs, tfs)?;
            }
            return Ok(());
        }
        if self.in_run > 0 {
            self.spill()?;
        }
        self.lists = Vec::new();
        let mut readers = Vec::with_capacity(self.runs.len());
        for path in &self.runs {
            let file = File::open(path).map_err(io(path))?;
            let mut r = RunReader {
                path,
                input: BufReader::with_capacity(1 << 20, file),
                next: None,
            };
            r.next = r.u32()?;
            readers.push(r);
        }
        let (mut docs, mut tfs, mut bytes) = (Vec::new(), Vec::new(), Vec::new());
        for t in order {
            docs.clear();
            tfs.clear();
            for r in &mut readers {
                if r.next == Some(t) {
                    r.take(&mut docs, &mut tfs, &mut bytes)?;
                }
            }
            each(&self.texts[t as usize], &docs, &tfs)?;
        }
        for r in &readers {
            if r.next.is_some() {
                return Err(truncated(r.path));
            }
        }
        for path in &self.runs {
            std::fs::remove_file(path).map_err(io(path))?;
        }
        Ok(())
    }

    /// Run files written so far.
    pub fn runs(&self) -> usize {
        self.runs.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Each term with its documents and frequencies.
    type Lists = Vec<(String, Vec<u32>, Vec<u32>)>;

    fn collect(docs: &[Vec<(String, u32)>], spill: Option<(&Path, usize)>) -> (Lists, usize) {
        let mut c = Bm25Collector::default();
        if let Some((dir, limit)) = spill {
            c.spill_into(dir, limit);
        }
        for (d, terms) in docs.iter().enumerate() {
            c.push(d as u32, terms.iter().cloned().collect()).unwrap();
        }
        let runs = c.runs();
        let mut out = Vec::new();
        c.write(|t, d, f| {
            out.push((t.to_string(), d.to_vec(), f.to_vec()));
            Ok(())
        })
        .unwrap();
        (out, runs)
    }

    proptest! {
        #[test]
        fn spilled_runs_give_the_postings_held_in_memory(
            docs in proptest::collection::vec(
                proptest::collection::btree_map("[a-e]{1,3}", 1u32..9, 0..6)
                    .prop_map(|m| m.into_iter().collect::<Vec<_>>()),
                0..120),
            limit in 1usize..60,
        ) {
            let dir = tempfile::tempdir().unwrap();
            let (memory, _) = collect(&docs, None);
            let (spilled, runs) = collect(&docs, Some((dir.path(), limit)));
            prop_assert_eq!(&spilled, &memory);
            let total: usize = docs.iter().map(|d| d.len()).sum();
            prop_assert_eq!(runs > 0, total >= limit);
            // Terms in bytewise order, documents ascending, and no run file left.
            prop_assert!(memory.windows(2).all(|w| w[0].0.as_bytes() < w[1].0.as_bytes()));
            prop_assert!(memory.iter().all(|(_, d, _)| d.windows(2).all(|w| w[0] < w[1])));
            prop_assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        }
    }
}
