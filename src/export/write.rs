//! Writing an export: a staging directory renamed into place, buffered files, weights as
//! exact decimals.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::{io_error, ExportError, Result};

/// A directory being written beside the final one (`.NAME.partial-PID`), renamed into place
/// by [`Staging::commit`] and removed if dropped before.
pub struct Staging {
    tmp: PathBuf,
    dir: PathBuf,
    force: bool,
    committed: bool,
}

impl Staging {
    /// Starts an export into `dir`: refused when `dir` is or holds `source` (the index
    /// read), and when it exists (a non-empty directory or a file) unless `force`, which
    /// replaces only an earlier export (a directory with an `export.json`).
    pub fn create(dir: &Path, source: &Path, force: bool) -> Result<Self> {
        let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        let (out, index) = (canonical(dir), canonical(source));
        if index.starts_with(&out) || out.starts_with(&index) {
            return Err(ExportError::Invalid(format!(
                "--out {} is or holds the index {} (or lies inside it): choose another directory",
                dir.display(),
                source.display()
            )));
        }
        let occupied = match std::fs::read_dir(dir) {
            Ok(mut entries) => entries.next().is_some(),
            Err(_) => dir.exists(),
        };
        if occupied && !force {
            return Err(ExportError::Exists(dir.to_path_buf()));
        }
        if occupied && !dir.join("export.json").is_file() {
            return Err(ExportError::Invalid(format!(
                "{} is not an earlier export (it has no export.json): --force replaces only \
                 exports; choose an empty or new directory",
                dir.display()
            )));
        }
        let name = dir
            .file_name()
            .ok_or_else(|| {
                ExportError::Invalid(format!("{}: not a directory name", dir.display()))
            })?
            .to_string_lossy()
            .into_owned();
        let parent = dir
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(io_error(parent))?;
        let tmp = parent.join(format!(".{name}.partial-{}", std::process::id()));
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp).map_err(io_error(&tmp))?;
        }
        std::fs::create_dir(&tmp).map_err(io_error(&tmp))?;
        Ok(Self {
            tmp,
            dir: dir.to_path_buf(),
            force,
            committed: false,
        })
    }

    /// Where files are written.
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// Puts the finished export in place (the old one, with `force`, is removed after).
    pub fn commit(mut self) -> Result<()> {
        let old = self.dir.with_file_name(format!(
            ".{}.replaced-{}",
            self.dir.file_name().unwrap_or_default().to_string_lossy(),
            std::process::id()
        ));
        let replacing = self.force && self.dir.exists();
        if replacing {
            std::fs::rename(&self.dir, &old).map_err(io_error(&self.dir))?;
        }
        if let Err(e) = std::fs::rename(&self.tmp, &self.dir) {
            if replacing {
                // Put the earlier export back where it was.
                let _ = std::fs::rename(&old, &self.dir);
            }
            return Err(io_error(&self.dir)(e));
        }
        self.committed = true;
        if replacing {
            let removed = if old.is_dir() {
                std::fs::remove_dir_all(&old)
            } else {
                std::fs::remove_file(&old)
            };
            removed.map_err(io_error(&old))?;
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.tmp);
        }
    }
}

/// A buffered file of the export, named relative to the export directory.
pub struct OutFile {
    pub name: String,
    path: PathBuf,
    out: BufWriter<File>,
}

impl OutFile {
    /// Creates `dir/name` (and its parent directories).
    pub fn create(dir: &Path, name: &str) -> Result<Self> {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io_error(parent))?;
        }
        let file = File::create(&path).map_err(io_error(&path))?;
        Ok(Self {
            name: name.to_string(),
            path,
            out: BufWriter::with_capacity(1 << 20, file),
        })
    }

    /// Writes bytes.
    pub fn put(&mut self, bytes: &[u8]) -> Result<()> {
        self.out.write_all(bytes).map_err(io_error(&self.path))
    }

    /// Writes a value as one line of JSON.
    pub fn json_line(&mut self, value: &impl serde::Serialize) -> Result<()> {
        serde_json::to_writer(&mut self.out, value).map_err(|e| ExportError::Io {
            path: self.path.clone(),
            source: e.into(),
        })?;
        self.put(b"\n")
    }

    /// Writes a value as pretty JSON.
    pub fn json_pretty(&mut self, value: &impl serde::Serialize) -> Result<()> {
        serde_json::to_writer_pretty(&mut self.out, value).map_err(|e| ExportError::Io {
            path: self.path.clone(),
            source: e.into(),
        })?;
        self.put(b"\n")
    }

    /// Flushes and returns the file's name.
    pub fn finish(mut self) -> Result<String> {
        self.out.flush().map_err(io_error(&self.path))?;
        Ok(self.name)
    }
}

/// A weight as a JSON number that reads back to the same `f32` in any parser: the `f32`
/// widened to `f64`, printed as the shortest decimal of that `f64`.
pub fn weight(w: f32) -> serde_json::Value {
    serde_json::Value::from(f64::from(w))
}

/// A `{name: weight}` JSON object in term-id order.
pub fn weight_map<'a>(
    terms: impl Iterator<Item = (std::borrow::Cow<'a, str>, serde_json::Value)>,
) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    for (name, w) in terms {
        map.insert(name.into_owned(), w);
    }
    serde_json::Value::Object(map)
}
