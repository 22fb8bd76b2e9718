//! The container every index file uses: a payload followed by a 32-byte footer.
//!
//! ```text
//! payload (N bytes) | magic "SPLSCOPE" (8) | kind (4 ASCII bytes) | format version (u32 LE)
//!                   | payload length N (u64 LE) | CRC-32 of the payload (u32 LE)
//!                   | build id (u32 LE)
//! ```
//!
//! Readers memory-map the file, check the magic, kind, version, length and checksum, and
//! then read the payload in place (payloads over [`VERIFY_AT_OPEN`] bytes are checksummed
//! when [`FileData::verify`] is called: [`super::Index::open`] does it before returning,
//! [`super::Index::open_deferred`] leaves it to the caller). The build id is drawn at random for each build and shared
//! by every file of it and the manifest, so a file copied in from another build is refused
//! even when its size happens to match ([`super::Index::open`]). A truncated, foreign or corrupted file is an error that
//! names the file, never a panic. All integers in payloads are little-endian.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use memmap2::Mmap;

use super::error::{io, IndexError, Result};

/// Footer magic.
pub const MAGIC: &[u8; 8] = b"SPLSCOPE";
/// The index format version this build writes and reads.
pub const FORMAT_VERSION: u32 = 6;
/// Footer size in bytes.
pub const FOOTER_LEN: usize = 32;
/// Payloads up to this size are checked against their CRC-32 when opened; larger ones by
/// [`FileData::verify`] (64 MiB: a small index opens fully checked in milliseconds).
pub const VERIFY_AT_OPEN: usize = 64 << 20;

/// Writes one index file: payload bytes, then the footer.
pub struct FileWriter {
    out: BufWriter<File>,
    crc: crc32fast::Hasher,
    len: u64,
    kind: [u8; 4],
    build_id: u32,
    path: PathBuf,
}

impl FileWriter {
    /// Creates `path` for a payload of `kind`, part of build `build_id`.
    pub fn create(path: &Path, kind: &[u8; 4], build_id: u32) -> Result<Self> {
        let file = File::create(path).map_err(io(path))?;
        Ok(Self {
            out: BufWriter::with_capacity(1 << 20, file),
            crc: crc32fast::Hasher::new(),
            len: 0,
            kind: *kind,
            build_id,
            path: path.to_path_buf(),
        })
    }

    /// Appends payload bytes.
    pub fn write(&mut self, bytes: &[u8]) -> Result<()> {
        self.crc.update(bytes);
        self.len += bytes.len() as u64;
        self.out.write_all(bytes).map_err(io(&self.path))
    }

    /// Appends a `u32`.
    pub fn u32(&mut self, v: u32) -> Result<()> {
        self.write(&v.to_le_bytes())
    }

    /// Appends a `u64`.
    pub fn u64(&mut self, v: u64) -> Result<()> {
        self.write(&v.to_le_bytes())
    }

    /// Appends `f32`s.
    pub fn f32s(&mut self, values: &[f32]) -> Result<()> {
        let mut buf = Vec::with_capacity(values.len() * 4);
        for v in values {
            buf.extend_from_slice(&v.to_le_bytes());
        }
        self.write(&buf)
    }

    /// Payload bytes written so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether nothing was written yet.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Writes the footer, flushes and syncs; returns (file size, CRC-32).
    pub fn finish(mut self) -> Result<(u64, u32)> {
        let crc = self.crc.clone().finalize();
        let mut footer = Vec::with_capacity(FOOTER_LEN);
        footer.extend_from_slice(MAGIC);
        footer.extend_from_slice(&self.kind);
        footer.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        footer.extend_from_slice(&self.len.to_le_bytes());
        footer.extend_from_slice(&crc.to_le_bytes());
        footer.extend_from_slice(&self.build_id.to_le_bytes());
        self.out.write_all(&footer).map_err(io(&self.path))?;
        let file = self.out.into_inner().map_err(|e| IndexError::Io {
            path: self.path.clone(),
            source: e.into_error(),
        })?;
        file.sync_all().map_err(io(&self.path))?;
        Ok((self.len + FOOTER_LEN as u64, crc))
    }
}

/// A memory-mapped, verified index file.
pub struct FileData {
    mmap: Mmap,
    len: usize,
    crc: u32,
    build_id: u32,
    /// The payload's CRC-32, once computed.
    computed: OnceLock<u32>,
    /// Kept open to tell whether the mapped file shrank ([`FileData::check_unchanged`]).
    file: File,
    path: PathBuf,
}

impl FileData {
    /// Maps `path` and checks its footer (kind, version, length, checksum).
    pub fn open(path: &Path, kind: &[u8; 4]) -> Result<Self> {
        let file = File::open(path).map_err(io(path))?;
        // SAFETY: index files are written once, then renamed into place and never modified;
        // a file changed underneath a reader could at worst give wrong numbers or a checksum
        // error, as with any mmap-based reader.
        let mmap = unsafe { Mmap::map(&file) }.map_err(io(path))?;
        let corrupt = |reason: String| IndexError::Corrupt {
            path: path.to_path_buf(),
            reason,
        };
        if mmap.len() < FOOTER_LEN {
            return Err(corrupt(format!(
                "{} bytes is too short for an index file",
                mmap.len()
            )));
        }
        let footer = &mmap[mmap.len() - FOOTER_LEN..];
        if &footer[..8] != MAGIC {
            return Err(corrupt(
                "no spladescope footer (truncated or not an index file)".into(),
            ));
        }
        if &footer[8..12] != kind {
            return Err(corrupt(format!(
                "holds a {:?} part, expected {:?}",
                String::from_utf8_lossy(&footer[8..12]),
                String::from_utf8_lossy(kind)
            )));
        }
        let version = u32::from_le_bytes(footer[12..16].try_into().expect("4 bytes"));
        if version != FORMAT_VERSION {
            return Err(IndexError::Version {
                path: path.to_path_buf(),
                found: version,
                expected: FORMAT_VERSION,
            });
        }
        let len = u64::from_le_bytes(footer[16..24].try_into().expect("8 bytes"));
        if len != (mmap.len() - FOOTER_LEN) as u64 {
            return Err(corrupt(format!(
                "payload length {len} disagrees with the file size {}",
                mmap.len()
            )));
        }
        let crc = u32::from_le_bytes(footer[24..28].try_into().expect("4 bytes"));
        let build_id = u32::from_le_bytes(footer[28..32].try_into().expect("4 bytes"));
        let data = Self {
            mmap,
            len: len as usize,
            crc,
            build_id,
            computed: OnceLock::new(),
            file,
            path: path.to_path_buf(),
        };
        if data.len <= VERIFY_AT_OPEN {
            data.verify()?;
        }
        Ok(data)
    }

    /// Checks the payload against the footer's CRC-32 (once; later calls repeat the first
    /// answer). [`Self::open`] does it for payloads up to [`VERIFY_AT_OPEN`] bytes; larger
    /// ones wait for a call, so that opening a large index does not read all of it.
    pub fn verify(&self) -> Result<()> {
        let actual = *self
            .computed
            .get_or_init(|| crc32fast::hash(&self.mmap[..self.len]));
        if actual == self.crc {
            return Ok(());
        }
        Err(IndexError::Corrupt {
            path: self.path.clone(),
            reason: format!(
                "checksum mismatch (stored {:08x}, computed {actual:08x})",
                self.crc
            ),
        })
    }

    /// The CRC-32 of the payload, as the footer records it (verified by [`Self::verify`]).
    pub fn crc32(&self) -> u32 {
        self.crc
    }

    /// The build this file belongs to.
    pub fn build_id(&self) -> u32 {
        self.build_id
    }

    /// An error if the file on disk no longer has the length it was mapped with: reading a
    /// mapped page past the new end would kill the process (SIGBUS). Cheap (one `fstat`).
    pub fn check_unchanged(&self) -> Result<()> {
        let now = self.file.metadata().map_err(io(&self.path))?.len();
        if now == self.mmap.len() as u64 {
            return Ok(());
        }
        Err(IndexError::Changed {
            path: self.path.clone(),
            opened: self.mmap.len() as u64,
            now,
        })
    }

    /// The payload.
    pub fn bytes(&self) -> &[u8] {
        &self.mmap[..self.len]
    }

    /// The file's path (for messages).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file size on disk.
    pub fn file_len(&self) -> u64 {
        self.mmap.len() as u64
    }

    /// A [`Reader`] over the payload.
    pub fn reader(&self) -> Reader<'_> {
        Reader {
            bytes: self.bytes(),
            pos: 0,
            path: &self.path,
        }
    }

    /// An error naming this file.
    pub fn corrupt(&self, reason: impl Into<String>) -> IndexError {
        IndexError::Corrupt {
            path: self.path.clone(),
            reason: reason.into(),
        }
    }
}

/// A bounds-checked cursor over a payload.
pub struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    path: &'a Path,
}

impl<'a> Reader<'a> {
    /// Takes the next `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len());
        match end {
            Some(end) => {
                let out = &self.bytes[self.pos..end];
                self.pos = end;
                Ok(out)
            }
            None => Err(IndexError::Corrupt {
                path: self.path.to_path_buf(),
                reason: format!("unexpected end of data at byte {}", self.pos),
            }),
        }
    }

    /// Reads a `u32`.
    pub fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }

    /// Reads a `u64`.
    pub fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }

    /// Current offset.
    pub fn position(&self) -> usize {
        self.pos
    }
}

/// Reads the `i`-th little-endian `u64` of a table.
pub fn u64_at(table: &[u8], i: usize) -> u64 {
    u64::from_le_bytes(table[i * 8..i * 8 + 8].try_into().expect("8 bytes"))
}

/// Reads the `i`-th little-endian `u32` of a table.
pub fn u32_at(table: &[u8], i: usize) -> u32 {
    u32::from_le_bytes(table[i * 4..i * 4 + 4].try_into().expect("4 bytes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, payload: &[u8]) -> PathBuf {
        let path = dir.join("part.bin");
        let mut w = FileWriter::create(&path, b"TEST", 7).unwrap();
        w.write(payload).unwrap();
        w.finish().unwrap();
        path
    }

    #[test]
    fn round_trips_and_detects_damage() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), b"hello index");
        let data = FileData::open(&path, b"TEST").unwrap();
        assert_eq!(data.bytes(), b"hello index");
        assert_eq!(data.build_id(), 7);
        assert_eq!(data.crc32(), crc32fast::hash(b"hello index"));
        data.check_unchanged().unwrap();
        let full = std::fs::read(&path).unwrap();
        std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(4)
            .unwrap();
        let err = data.check_unchanged().err().unwrap();
        assert!(err.to_string().contains("changed on disk"), "{err}");
        drop(data);
        std::fs::write(&path, full).unwrap();
        let err = FileData::open(&path, b"OTHR").err().unwrap();
        assert!(err.to_string().contains("expected \"OTHR\""), "{err}");

        let mut bytes = std::fs::read(&path).unwrap();
        bytes[3] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        let err = FileData::open(&path, b"TEST").err().unwrap();
        assert!(err.to_string().contains("checksum mismatch"), "{err}");

        std::fs::write(&path, &bytes[..bytes.len() - 5]).unwrap();
        let err = FileData::open(&path, b"TEST").err().unwrap();
        assert!(err.to_string().contains("part.bin"), "{err}");

        std::fs::write(&path, b"").unwrap();
        assert!(FileData::open(&path, b"TEST").is_err());
    }

    #[test]
    fn a_large_payload_is_checksummed_when_verified_not_when_opened() {
        let dir = tempfile::tempdir().unwrap();
        let mut payload = vec![3u8; VERIFY_AT_OPEN + 1];
        let path = write(dir.path(), &payload);
        let data = FileData::open(&path, b"TEST").unwrap();
        data.verify().unwrap();
        drop(data);
        payload[1000] ^= 1;
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[..payload.len()].copy_from_slice(&payload);
        std::fs::write(&path, &bytes).unwrap();
        let data = FileData::open(&path, b"TEST").unwrap();
        for _ in 0..2 {
            let err = data.verify().err().unwrap().to_string();
            assert!(err.contains("checksum mismatch"), "{err}");
        }
    }

    #[test]
    fn rejects_other_versions() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), b"x");
        let mut bytes = std::fs::read(&path).unwrap();
        let at = bytes.len() - FOOTER_LEN + 12;
        bytes[at..at + 4].copy_from_slice(&99u32.to_le_bytes());
        std::fs::write(&path, &bytes).unwrap();
        let err = FileData::open(&path, b"TEST").err().unwrap();
        assert!(
            matches!(err, IndexError::Version { found: 99, .. }),
            "{err}"
        );
    }

    #[test]
    fn reader_is_bounds_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), &[1, 0, 0, 0, 2]);
        let data = FileData::open(&path, b"TEST").unwrap();
        let mut r = data.reader();
        assert_eq!(r.u32().unwrap(), 1);
        assert!(r.u32().is_err());
    }
}
