//! SPLADE postings collected in bounded memory: postings gather per term in memory until a
//! run holds [`RUN_POSTINGS`], then the run is written to a file in the build's temporary
//! directory, term after term, and memory is reused. Documents arrive in number order, so
//! run `i` holds documents before run `i + 1`: a term's list is the concatenation of its
//! segments in run order, read back from every run file at once, term after term, with no
//! sort and no seek.
//!
//! ```text
//! run file: per term (0..vocabulary): n u32 | n × document u32 | n × weight f32 (LE)
//! ```
//! Without a spill directory (small in-memory builds and tests) nothing is written.
//!
//! [`ByteArea`] is the other half: an append-only byte area (forward vectors, document
//! records, embeddings) held in memory or streamed to a file and copied into the index
//! file when it is written.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use super::blocks::BlockPostingsWriter;
use super::error::{io, Result};
use super::format::FileWriter;
use crate::sparse::SparseVector;

/// Postings per run: 8 bytes each, so a run holds about 256 MB (more while its vectors
/// grow, at most twice that).
pub const RUN_POSTINGS: usize = 32 << 20;

/// SPLADE postings by term, spilled to run files past [`RUN_POSTINGS`].
pub struct PostingCollector {
    terms: Vec<(Vec<u32>, Vec<f32>)>,
    in_run: usize,
    limit: usize,
    dir: Option<PathBuf>,
    runs: Vec<PathBuf>,
}

impl PostingCollector {
    /// An in-memory collector for a vocabulary of `vocab` terms.
    pub fn new(vocab: usize) -> Self {
        Self {
            terms: vec![(Vec::new(), Vec::new()); vocab],
            in_run: 0,
            limit: RUN_POSTINGS,
            dir: None,
            runs: Vec::new(),
        }
    }

    /// Spills runs of `limit` postings into `dir` (which must exist).
    pub fn spill_into(&mut self, dir: &Path, limit: usize) {
        self.dir = Some(dir.to_path_buf());
        self.limit = limit.max(1);
    }

    /// Adds document `doc`'s postings (terms past the vocabulary are dropped).
    pub fn push(&mut self, doc: u32, vector: &SparseVector) -> Result<()> {
        for (term, weight) in vector.iter() {
            if let Some((docs, weights)) = self.terms.get_mut(term as usize) {
                docs.push(doc);
                weights.push(weight);
                self.in_run += 1;
            }
        }
        if self.in_run >= self.limit && self.dir.is_some() {
            self.spill()?;
        }
        Ok(())
    }

    /// Run files written so far.
    pub fn runs(&self) -> usize {
        self.runs.len()
    }

    fn spill(&mut self) -> Result<()> {
        let Some(dir) = &self.dir else {
            return Ok(());
        };
        let mut out = RunWriter::create(dir.join(format!("postings-{}.run", self.runs.len())))?;
        for (docs, weights) in &mut self.terms {
            out.words(std::iter::once(docs.len() as u32))?;
            out.words(
                docs.iter()
                    .copied()
                    .chain(weights.iter().map(|w| w.to_bits())),
            )?;
            docs.clear();
            weights.clear();
        }
        self.runs.push(out.finish()?);
        self.in_run = 0;
        Ok(())
    }

    /// Writes every term's postings, in term-id order, and removes the run files.
    pub fn write(mut self, out: &mut BlockPostingsWriter) -> Result<()> {
        if self.runs.is_empty() {
            for (docs, weights) in &self.terms {
                out.push(docs, weights)?;
            }
            return Ok(());
        }
        if self.in_run > 0 {
            self.spill()?;
        }
        let vocab = self.terms.len();
        self.terms = Vec::new();
        let mut readers = Vec::with_capacity(self.runs.len());
        for path in &self.runs {
            readers.push(RunReader::open(path)?);
        }
        let (mut docs, mut weights, mut bits) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..vocab {
            docs.clear();
            weights.clear();
            for reader in &mut readers {
                let n = reader.required()? as usize;
                reader.words(n, &mut docs)?;
                bits.clear();
                reader.words(n, &mut bits)?;
                weights.extend(bits.iter().map(|&b| f32::from_bits(b)));
            }
            out.push(&docs, &weights)?;
        }
        remove_runs(&self.runs)
    }
}

/// A run file being written: little-endian 32-bit words.
pub(crate) struct RunWriter {
    path: PathBuf,
    out: BufWriter<File>,
    buf: Vec<u8>,
}

impl RunWriter {
    /// Creates the file.
    pub(crate) fn create(path: PathBuf) -> Result<Self> {
        let file = File::create(&path).map_err(io(&path))?;
        Ok(Self {
            path,
            out: BufWriter::with_capacity(1 << 20, file),
            buf: Vec::new(),
        })
    }

    /// Appends `words`.
    pub(crate) fn words(&mut self, words: impl IntoIterator<Item = u32>) -> Result<()> {
        self.buf.clear();
        for w in words {
            self.buf.extend_from_slice(&w.to_le_bytes());
        }
        self.out.write_all(&self.buf).map_err(io(&self.path))
    }

    /// Flushes and syncs the file; returns its path.
    pub(crate) fn finish(self) -> Result<PathBuf> {
        let path = self.path;
        let file = self
            .out
            .into_inner()
            .map_err(|e| io(&path)(e.into_error()))?;
        file.sync_all().map_err(io(&path))?;
        Ok(path)
    }
}

/// A run file read back from its start.
pub(crate) struct RunReader<'a> {
    path: &'a Path,
    input: BufReader<File>,
    bytes: Vec<u8>,
}

impl<'a> RunReader<'a> {
    /// Opens the file.
    pub(crate) fn open(path: &'a Path) -> Result<Self> {
        let file = File::open(path).map_err(io(path))?;
        Ok(Self {
            path,
            input: BufReader::with_capacity(1 << 20, file),
            bytes: Vec::new(),
        })
    }

    /// The next word, or `None` at the end of the file.
    pub(crate) fn word(&mut self) -> Result<Option<u32>> {
        let mut b = [0u8; 4];
        match self.input.read_exact(&mut b) {
            Ok(()) => Ok(Some(u32::from_le_bytes(b))),
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(None),
            Err(e) => Err(io(self.path)(e)),
        }
    }

    /// The next word, which must be there.
    pub(crate) fn required(&mut self) -> Result<u32> {
        self.word()?.ok_or_else(|| self.truncated())
    }

    /// Appends the next `n` words to `out`.
    pub(crate) fn words(&mut self, n: usize, out: &mut Vec<u32>) -> Result<()> {
        self.bytes.resize(n * 4, 0);
        self.input
            .read_exact(&mut self.bytes)
            .map_err(io(self.path))?;
        out.extend(
            self.bytes
                .chunks_exact(4)
                .map(|c| u32::from_le_bytes(c.try_into().expect("4"))),
        );
        Ok(())
    }

    /// The error for a run file that ends early.
    pub(crate) fn truncated(&self) -> super::error::IndexError {
        io(self.path)(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "a run file ends early",
        ))
    }
}

/// Removes run files once they are merged.
pub(crate) fn remove_runs(runs: &[PathBuf]) -> Result<()> {
    for path in runs {
        std::fs::remove_file(path).map_err(io(path))?;
    }
    Ok(())
}

/// Bytes held before a file-backed [`ByteArea`] writes them out.
const HOLD: usize = 1 << 20;

/// Append-only bytes of a file being built: in memory, or streamed to a spill file.
#[derive(Debug, Default)]
pub struct ByteArea {
    held: Vec<u8>,
    len: u64,
    file: Option<(PathBuf, BufWriter<File>)>,
}

impl ByteArea {
    /// Streams the bytes to `path` (removed by [`Self::write_to`]).
    pub fn spill_into(&mut self, path: &Path) -> Result<()> {
        let file = File::create(path).map_err(io(path))?;
        self.file = Some((path.to_path_buf(), BufWriter::with_capacity(HOLD, file)));
        Ok(())
    }

    /// Appends what `f` writes into the buffer.
    pub fn append(&mut self, f: impl FnOnce(&mut Vec<u8>)) -> Result<()> {
        let before = self.held.len();
        f(&mut self.held);
        self.len += (self.held.len() - before) as u64;
        if self.held.len() >= HOLD {
            if let Some((path, out)) = &mut self.file {
                out.write_all(&self.held).map_err(io(path))?;
                self.held.clear();
            }
        }
        Ok(())
    }

    /// Bytes appended so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether nothing was appended.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends every byte to `w` (and removes the spill file).
    pub fn write_to(self, w: &mut FileWriter) -> Result<()> {
        let Some((path, mut out)) = self.file else {
            return w.write(&self.held);
        };
        out.write_all(&self.held).map_err(io(&path))?;
        drop(out.into_inner().map_err(|e| io(&path)(e.into_error()))?);
        let mut file = File::open(&path).map_err(io(&path))?;
        let mut buf = vec![0u8; HOLD];
        loop {
            let n = file.read(&mut buf).map_err(io(&path))?;
            if n == 0 {
                break;
            }
            w.write(&buf[..n])?;
        }
        std::fs::remove_file(&path).map_err(io(&path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::blocks::BlockPostings;

    /// A spill that meets a full disk is an error naming the file, not a panic (Linux's
    /// `/dev/full` answers every write with "No space left on device").
    #[test]
    #[cfg(target_os = "linux")]
    fn a_full_disk_while_spilling_is_an_error_naming_the_file() {
        let full = Path::new("/dev/full");
        if !full.exists() {
            return;
        }
        let mut area = ByteArea::default();
        area.spill_into(full).unwrap();
        let err = area
            .append(|out| out.resize(HOLD + 1, 7))
            .expect_err("the write fails")
            .to_string();
        assert!(err.starts_with("/dev/full: "), "{err}");
        assert!(err.contains("No space left on device"), "{err}");
    }
    use proptest::prelude::*;

    /// Writes `vectors` through a collector (spilling every `limit` postings when given)
    /// and opens the result.
    fn postings(
        dir: &Path,
        vocab: usize,
        vectors: &[SparseVector],
        limit: Option<usize>,
    ) -> (BlockPostings, usize) {
        let mut c = PostingCollector::new(vocab);
        if let Some(limit) = limit {
            c.spill_into(dir, limit);
        }
        for (d, v) in vectors.iter().enumerate() {
            c.push(d as u32, v).unwrap();
        }
        let runs = c.runs();
        let [inv, imp, rmx] = ["inv", "imp", "rmx"].map(|f| dir.join(f));
        let mut w = BlockPostingsWriter::create([&inv, &imp, &rmx], vectors.len(), 1).unwrap();
        c.write(&mut w).unwrap();
        w.finish().unwrap();
        (BlockPostings::open(&inv, &imp).unwrap(), runs)
    }

    proptest! {
        #[test]
        fn spilled_runs_give_the_postings_held_in_memory(
            vectors in proptest::collection::vec(
                proptest::collection::btree_map(0u32..24, 0.01f32..5.0, 0..8)
                    .prop_map(|m| SparseVector::from_pairs(m.into_iter().collect())),
                0..300),
            limit in 1usize..200,
        ) {
            let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
            let (memory, _) = postings(a.path(), 20, &vectors, None);
            let (spilled, runs) = postings(b.path(), 20, &vectors, Some(limit));
            let total: usize = vectors.iter().map(|v| v.iter().filter(|&(t, _)| t < 20).count()).sum();
            // A run closes after the document that fills it.
            prop_assert_eq!(runs > 0, total >= limit);
            let (mut d1, mut w1, mut d2, mut w2) = (vec![], vec![], vec![], vec![]);
            for t in 0..20 {
                memory.row_f32(t, &mut d1, &mut w1).unwrap();
                spilled.row_f32(t, &mut d2, &mut w2).unwrap();
                prop_assert_eq!(&d1, &d2);
                prop_assert_eq!(&w1, &w2);
            }
            // The run files are gone.
            let left: Vec<_> = std::fs::read_dir(b.path()).unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .filter(|n| n.ends_with(".run"))
                .collect();
            prop_assert!(left.is_empty(), "{left:?}");
        }
    }
}
