//! Writing the import format: `{"id": ..., "contents": ..., "vector": {term: weight}}` per
//! line, weights as the shortest decimal that reads back to the same `f32`.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::ser::{SerializeMap, Serializer};

use super::{Keys, Vocabulary};
use crate::sparse::SparseVector;

/// Writes one record as a JSON line (without the newline) to `out`. `text` is omitted
/// when `None` (query vectors).
pub fn write_record(
    out: &mut (impl Write + ?Sized),
    id: &str,
    text: Option<&str>,
    vector: &SparseVector,
    vocab: &dyn Vocabulary,
    keys: Keys,
) -> io::Result<()> {
    let mut ser = serde_json::Serializer::new(&mut *out);
    let mut map = ser.serialize_map(None).map_err(io::Error::other)?;
    map.serialize_entry("id", id).map_err(io::Error::other)?;
    if let Some(text) = text {
        map.serialize_entry("contents", text)
            .map_err(io::Error::other)?;
    }
    map.serialize_entry(
        "vector",
        &Terms {
            vector,
            vocab,
            keys,
        },
    )
    .map_err(io::Error::other)?;
    map.end().map_err(io::Error::other)
}

struct Terms<'a> {
    vector: &'a SparseVector,
    vocab: &'a dyn Vocabulary,
    keys: Keys,
}

impl serde::Serialize for Terms<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.vector.nnz()))?;
        for (id, w) in self.vector.iter() {
            match self.keys {
                Keys::Tokens => map.serialize_entry(self.vocab.token(id), &w)?,
                Keys::Ids => map.serialize_entry(&id.to_string(), &w)?,
            }
        }
        map.end()
    }
}

/// A vector file being written: plain, or gzip when the name ends in `.gz`, through a
/// temporary file renamed into place by [`VectorWriter::finish`]; `-` is standard output.
pub struct VectorWriter {
    out: Out,
    /// The temporary file and the final path.
    paths: Option<(PathBuf, PathBuf)>,
}

enum Out {
    Stdout(BufWriter<io::Stdout>),
    Plain(BufWriter<File>),
    Gzip(flate2::write::GzEncoder<BufWriter<File>>),
}

impl VectorWriter {
    /// Starts writing `path` (`-`: standard output).
    pub fn create(path: &Path) -> io::Result<Self> {
        if path == Path::new("-") {
            return Ok(Self {
                out: Out::Stdout(BufWriter::new(io::stdout())),
                paths: None,
            });
        }
        let name = path.file_name().ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "the output has no file name")
        })?;
        let mut tmp_name = std::ffi::OsString::from(".");
        tmp_name.push(name);
        tmp_name.push(format!(".partial-{}", std::process::id()));
        let tmp = path.with_file_name(tmp_name);
        let file = BufWriter::with_capacity(1 << 20, File::create(&tmp)?);
        let out = if path.extension().is_some_and(|e| e == "gz") {
            Out::Gzip(flate2::write::GzEncoder::new(
                file,
                flate2::Compression::fast(),
            ))
        } else {
            Out::Plain(file)
        };
        Ok(Self {
            out,
            paths: Some((tmp, path.to_path_buf())),
        })
    }

    fn writer(&mut self) -> &mut dyn Write {
        match &mut self.out {
            Out::Stdout(w) => w,
            Out::Plain(w) => w,
            Out::Gzip(w) => w,
        }
    }

    /// Writes one record and its newline.
    pub fn write(
        &mut self,
        id: &str,
        text: Option<&str>,
        vector: &SparseVector,
        vocab: &dyn Vocabulary,
        keys: Keys,
    ) -> io::Result<()> {
        let out = self.writer();
        write_record(out, id, text, vector, vocab, keys)?;
        out.write_all(b"\n")
    }

    /// Flushes, syncs and moves the file into place.
    pub fn finish(mut self) -> io::Result<()> {
        let file = match std::mem::replace(&mut self.out, Out::Stdout(BufWriter::new(io::stdout())))
        {
            Out::Stdout(mut w) => return w.flush(),
            Out::Plain(w) => w,
            Out::Gzip(w) => w.finish()?,
        };
        let file = file.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        if let Some((tmp, path)) = self.paths.take() {
            std::fs::rename(tmp, path)?;
        }
        Ok(())
    }
}

impl Drop for VectorWriter {
    /// An unfinished file is removed.
    fn drop(&mut self) {
        if let Some((tmp, _)) = self.paths.take() {
            let _ = std::fs::remove_file(tmp);
        }
    }
}
