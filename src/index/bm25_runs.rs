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
use std::path::{Path, PathBuf};

use super::error::Result;
use super::spill::{remove_runs, RunReader, RunWriter};

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

/// One run being read back, with the term number of its next segment (`None` at the
/// end).
struct Run<'a> {
    reader: RunReader<'a>,
    next: Option<u32>,
}

impl Run<'_> {
    /// Appends the current segment to `docs` and `tfs` and reads the next term number.
    fn take(&mut self, docs: &mut Vec<u32>, tfs: &mut Vec<u32>) -> Result<()> {
        let n = self.reader.required()? as usize;
        self.reader.words(n, docs)?;
        self.reader.words(n, tfs)?;
        self.next = self.reader.word()?;
        Ok(())
    }
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
        let mut out = RunWriter::create(dir.join(format!("bm25-{}.run", self.runs.len())))?;
        for t in self.sorted() {
            let Some((docs, tfs)) = self.lists.get_mut(t as usize) else {
                continue;
            };
            if docs.is_empty() {
                continue;
            }
            out.words([t, docs.len() as u32])?;
            out.words(docs.iter().chain(tfs.iter()).copied())?;
            docs.clear();
            tfs.clear();
        }
        self.runs.push(out.finish()?);
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
        let mut runs = Vec::with_capacity(self.runs.len());
        for path in &self.runs {
            let mut reader = RunReader::open(path)?;
            let next = reader.word()?;
            runs.push(Run { reader, next });
        }
        let (mut docs, mut tfs) = (Vec::new(), Vec::new());
        for t in order {
            docs.clear();
            tfs.clear();
            for r in &mut runs {
                if r.next == Some(t) {
                    r.take(&mut docs, &mut tfs)?;
                }
            }
            each(&self.texts[t as usize], &docs, &tfs)?;
        }
        if let Some(r) = runs.iter().find(|r| r.next.is_some()) {
            return Err(r.reader.truncated());
        }
        remove_runs(&self.runs)
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
