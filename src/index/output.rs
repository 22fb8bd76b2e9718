//! Where a build writes: the checks before anything is touched, the lock that keeps two
//! builds off one output, and the leftovers of builds that died.
//!
//! A build of `DIR/NAME` writes `DIR/.NAME.building-PID`, then renames it to `DIR/NAME`
//! (an old index is first renamed to `DIR/.NAME.old-PID` and removed after the swap).
//! `DIR/.NAME.lock` is held (`flock`) for the whole build, so under it any other
//! `.NAME.building-*` or `.NAME.old-*` belongs to a build that died (killed, power loss) and
//! is removed.
//!
//! `--force` replaces only what a build made: a directory whose manifest says it is a
//! spladescope index, or an empty directory; never a regular file, never a directory with
//! other files, never the corpus being read.

use std::fs::{File, OpenOptions, TryLockError};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::error::{io, IndexError, Result};
use super::manifest;

/// The output of a build: its parent, name and the held lock.
pub struct Output {
    /// The index directory to create or replace.
    pub path: PathBuf,
    /// Its parent directory (where the temporary directory goes).
    pub parent: PathBuf,
    /// Its file name.
    pub name: String,
    lock: File,
    lock_path: PathBuf,
    /// Leftovers of dead builds that were removed.
    pub removed: Vec<PathBuf>,
    /// An index a build killed during its swap had moved aside, put back at the output.
    pub restored: Option<PathBuf>,
}

/// What [`recover_leftovers`] did.
struct Leftovers {
    removed: Vec<PathBuf>,
    restored: Option<PathBuf>,
}

impl Output {
    /// Checks that `out` may be written (see the module docs), takes the lock and removes
    /// the leftovers of dead builds.
    pub fn prepare(corpus: &Path, out: &Path, force: bool) -> Result<Self> {
        check_replaceable(corpus, out, force)?;
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| IndexError::NotReplaceable {
                path: out.to_path_buf(),
                reason: "has no directory name to build into".into(),
            })?;
        let parent = out
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        std::fs::create_dir_all(&parent).map_err(io(&parent))?;
        let lock_path = parent.join(format!(".{name}.lock"));
        let lock = take_lock(&lock_path, out)?;
        let checked = recover_leftovers(&parent, &name, out).and_then(|left| {
            // Again under the lock: a build that finished meanwhile may have created `out`
            // (or a killed one's index was just put back).
            match (check_replaceable(corpus, out, force), &left.restored) {
                (Err(IndexError::Exists(_)), Some(from)) => Err(IndexError::Restored {
                    path: out.to_path_buf(),
                    from: from.clone(),
                }),
                (Err(e), _) => Err(e),
                (Ok(()), _) => Ok(left),
            }
        });
        let Leftovers { removed, restored } = match checked {
            Ok(left) => left,
            Err(e) => {
                let _ = std::fs::remove_file(&lock_path);
                return Err(e);
            }
        };
        Ok(Self {
            path: out.to_path_buf(),
            parent,
            name,
            lock,
            lock_path,
            removed,
            restored,
        })
    }

    /// The temporary directory this process builds in.
    pub fn building_dir(&self) -> PathBuf {
        self.parent
            .join(format!(".{}.building-{}", self.name, std::process::id()))
    }

    /// Where the replaced index waits while the new one is renamed into place.
    pub fn old_dir(&self) -> PathBuf {
        self.parent
            .join(format!(".{}.old-{}", self.name, std::process::id()))
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        // Unlink while still holding the lock; a builder waiting on the old file notices
        // the change of inode and takes the lock again (see `take_lock`).
        let _ = std::fs::remove_file(&self.lock_path);
        let _ = self.lock.unlock();
    }
}

/// Refuses an output that `--force` must not replace, or that exists without it. Changes
/// nothing ([`Output::prepare`] checks again under the lock).
pub fn check_replaceable(corpus: &Path, out: &Path, force: bool) -> Result<()> {
    let refuse = |reason: &str| IndexError::NotReplaceable {
        path: out.to_path_buf(),
        reason: reason.into(),
    };
    if let (Ok(c), Ok(o)) = (std::fs::canonicalize(corpus), std::fs::canonicalize(out)) {
        if c.starts_with(&o) {
            return Err(refuse(
                "is (or holds) the corpus being indexed; write the index somewhere else",
            ));
        }
    }
    let Ok(meta) = std::fs::metadata(out) else {
        return match std::fs::symlink_metadata(out) {
            Ok(_) => Err(refuse("is a dangling symbolic link")),
            Err(_) => Ok(()),
        };
    };
    if !meta.is_dir() {
        return Err(refuse(
            "is a file, not an index directory; choose another --out",
        ));
    }
    let names: Vec<String> = std::fs::read_dir(out)
        .map_err(io(out))?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<std::io::Result<_>>()
        .map_err(io(out))?;
    if !names.is_empty() && !is_index(out) {
        return Err(refuse(
            "holds files that are not a spladescope index (no spladescope manifest.json); \
             --force only replaces an index or an empty directory",
        ));
    }
    if let Some(other) = names.iter().find(|n| !INDEX_FILES.contains(&n.as_str())) {
        return Err(refuse(&format!(
            "is an index but also holds {other:?}, which is not part of it; move it out \
             first (--force replaces only the index's own files)"
        )));
    }
    if !force {
        return Err(IndexError::Exists(out.to_path_buf()));
    }
    Ok(())
}

/// The names an index directory may hold.
const INDEX_FILES: [&str; 10] = [
    manifest::FILE,
    super::files::DOCS,
    super::files::SPLADE,
    super::files::SPLADE_WEIGHTS,
    super::files::SPLADE_RANGES,
    super::files::FORWARD,
    super::files::BM25_TERMS,
    super::files::BM25_POSTINGS,
    super::files::BM25_NORMS,
    super::dense::FILE,
];

/// Whether `dir` holds a manifest that says it is a spladescope index (any version, files
/// intact or not: a broken index may be rebuilt).
fn is_index(dir: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(dir.join(manifest::FILE)) else {
        return false;
    };
    serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v.get("format")?.as_str().map(|f| f == "spladescope-index"))
        .unwrap_or(false)
}

/// Takes an exclusive `flock` on `path`, failing at once if another build holds it.
fn take_lock(path: &Path, out: &Path) -> Result<File> {
    loop {
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .map_err(io(path))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(IndexError::Busy {
                    path: out.to_path_buf(),
                    lock: path.to_path_buf(),
                })
            }
            Err(TryLockError::Error(e)) => return Err(io(path)(e)),
        }
        // The holder before us may have unlinked the file after we opened it: the lock
        // counts only if the path still names the file we locked.
        let ours = file.metadata().map_err(io(path))?;
        match std::fs::metadata(path) {
            Ok(now) if now.ino() == ours.ino() && now.dev() == ours.dev() => return Ok(file),
            _ => continue,
        }
    }
}

/// Removes `.NAME.building-*` and `.NAME.old-*` in `parent` (only called under the lock, so
/// none of them belongs to a live build of this output). A build killed between its two
/// renames left the output missing and the previous index in `.NAME.old-PID`: that one is
/// renamed back to the output, not removed.
fn recover_leftovers(parent: &Path, name: &str, out: &Path) -> Result<Leftovers> {
    let mut restored = None;
    let mut removed = Vec::new();
    for path in leftovers(parent, name)? {
        let is_old = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with(&format!(".{name}.old-")));
        if is_old && restored.is_none() && std::fs::symlink_metadata(out).is_err() {
            std::fs::rename(&path, out).map_err(io(out))?;
            restored = Some(path);
            continue;
        }
        std::fs::remove_dir_all(&path).map_err(io(&path))?;
        removed.push(path);
    }
    Ok(Leftovers { removed, restored })
}

/// The `.NAME.building-PID` and `.NAME.old-PID` entries of `parent`, sorted.
fn leftovers(parent: &Path, name: &str) -> Result<Vec<PathBuf>> {
    let building = format!(".{name}.building-");
    let old = format!(".{name}.old-");
    let mut found = Vec::new();
    for entry in std::fs::read_dir(parent).map_err(io(parent))? {
        let entry = entry.map_err(io(parent))?;
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        let Some(pid) = file_name
            .strip_prefix(&building)
            .or_else(|| file_name.strip_prefix(&old))
        else {
            continue;
        };
        if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        found.push(entry.path());
    }
    found.sort();
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus(dir: &Path) -> PathBuf {
        let c = dir.join("corpus.tsv");
        std::fs::write(&c, "a\tx\n").unwrap();
        c
    }

    #[test]
    fn force_replaces_only_an_index_or_an_empty_directory() {
        let t = tempfile::tempdir().unwrap();
        let c = corpus(t.path());
        let out = t.path().join("out");
        assert!(check_replaceable(&c, &out, false).is_ok());

        std::fs::create_dir(&out).unwrap();
        assert!(matches!(
            check_replaceable(&c, &out, false),
            Err(IndexError::Exists(_))
        ));
        assert!(check_replaceable(&c, &out, true).is_ok());

        std::fs::write(out.join("notes.txt"), "x").unwrap();
        let e = check_replaceable(&c, &out, true).unwrap_err().to_string();
        assert!(e.contains("not a spladescope index"), "{e}");

        // An index with a file of the user's inside is not replaced either.
        std::fs::write(
            out.join(manifest::FILE),
            r#"{"format": "spladescope-index"}"#,
        )
        .unwrap();
        let e = check_replaceable(&c, &out, true).unwrap_err().to_string();
        assert!(e.contains("\"notes.txt\", which is not part of it"), "{e}");
        std::fs::remove_file(out.join("notes.txt")).unwrap();
        assert!(check_replaceable(&c, &out, true).is_ok());
        // The optional dense part is the index's own.
        std::fs::write(out.join(super::super::dense::FILE), "x").unwrap();
        assert!(check_replaceable(&c, &out, true).is_ok());

        let e = check_replaceable(&c, &c, true).unwrap_err().to_string();
        assert!(e.contains("corpus being indexed"), "{e}");
        let file = t.path().join("file");
        std::fs::write(&file, "x").unwrap();
        let e = check_replaceable(&c, &file, true).unwrap_err().to_string();
        assert!(e.contains("is a file"), "{e}");
        let e = check_replaceable(&c, t.path(), true)
            .unwrap_err()
            .to_string();
        assert!(e.contains("corpus being indexed"), "{e}");
    }

    #[test]
    fn one_build_at_a_time_and_leftovers_removed() {
        let t = tempfile::tempdir().unwrap();
        let c = corpus(t.path());
        let out = t.path().join("idx");
        std::fs::create_dir(t.path().join(".idx.building-999999")).unwrap();
        std::fs::create_dir(t.path().join(".idx.old-12")).unwrap();
        std::fs::create_dir(t.path().join(".other.old-12")).unwrap();
        std::fs::create_dir(&out).unwrap();
        let first = Output::prepare(&c, &out, true).unwrap();
        assert_eq!(
            first.removed,
            [
                t.path().join(".idx.building-999999"),
                t.path().join(".idx.old-12")
            ]
        );
        assert!(t.path().join(".other.old-12").exists());
        let e = Output::prepare(&c, &out, true).err().unwrap();
        assert!(matches!(e, IndexError::Busy { .. }), "{e}");
        drop(first);
        assert!(!t.path().join(".idx.lock").exists());
        assert!(Output::prepare(&c, &out, true).is_ok());
    }

    #[test]
    fn an_index_moved_aside_by_a_killed_swap_is_put_back() {
        let t = tempfile::tempdir().unwrap();
        let c = corpus(t.path());
        let out = t.path().join("idx");
        let old = t.path().join(".idx.old-4242");
        std::fs::create_dir(&old).unwrap();
        std::fs::write(
            old.join(manifest::FILE),
            r#"{"format": "spladescope-index"}"#,
        )
        .unwrap();
        // Without --force the restored index is kept: the build is refused.
        let e = Output::prepare(&c, &out, false).err().unwrap();
        assert!(matches!(e, IndexError::Restored { .. }), "{e}");
        assert!(out.join(manifest::FILE).exists() && !old.exists());
        let again = Output::prepare(&c, &out, true).unwrap();
        assert_eq!(again.restored, None);
    }
}
