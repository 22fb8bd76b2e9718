//! `manifest.json`: what an index holds and how it was built. It is written last, so a
//! directory without it is never opened as an index.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::error::{io, IndexError, Result};
use super::format::FORMAT_VERSION;
use crate::encoder::{DenseEncoder, ModelFiles, QueryEncoding, SparseEncoder};

/// File name of the manifest.
pub const FILE: &str = "manifest.json";

/// The index manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always `"spladescope-index"`.
    pub format: String,
    /// Binary format version of the index files.
    pub format_version: u32,
    /// The spladescope version that built it.
    pub built_by: String,
    /// Random id of the build, 8 hex digits, also in every file's footer: files of
    /// different builds are never mixed.
    pub build_id: String,
    /// Documents in the index (empty ones included).
    pub documents: u64,
    /// Documents with empty title and text.
    pub empty_documents: u64,
    /// Corpus lines skipped with `--skip-bad`.
    pub skipped_records: u64,
    /// Documents longer than `max_length` tokens (cut for SPLADE; BM25 sees all their text).
    pub truncated_documents: u64,
    /// Where the documents came from.
    pub corpus: CorpusInfo,
    /// The SPLADE model.
    pub model: ModelInfo,
    /// SPLADE part.
    pub splade: SpladeInfo,
    /// BM25 part.
    pub bm25: Bm25Info,
    /// Dense part (`index --dense`), if built.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dense: Option<super::dense::DenseInfo>,
    /// Where the SPLADE vectors came from when they were imported (`index --vectors`)
    /// rather than encoded here; `model` is then the query encoder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imported: Option<ImportInfo>,
    /// How the documents were reordered after reading (`index --reorder`): document
    /// numbers follow that order, not the input's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reordered: Option<ReorderInfo>,
    /// Each file's size and CRC-32.
    pub files: BTreeMap<String, FileInfo>,
}

/// A build's document reordering ([`super::reorder`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReorderInfo {
    /// `"graph bisection"`.
    pub method: String,
    /// Its settings.
    #[serde(flatten)]
    pub bisection: super::reorder::Bisection,
    /// Seconds the reordering took (the order and the second build).
    pub seconds: f64,
}

/// A fresh random build id.
pub fn new_build_id() -> u32 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.write_u32(std::process::id());
    h.finish() as u32
}

/// The corpus an index was built from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CorpusInfo {
    pub path: String,
    pub format: String,
}

/// The model an index was built with, with fingerprints of its files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    /// Repo id or absolute directory.
    pub id: String,
    pub architecture: String,
    pub vocab_size: usize,
    /// Longest input in tokens used for documents.
    pub max_length: usize,
    /// sha256 of config.json.
    pub config_sha256: String,
    /// sha256 of tokenizer.json.
    pub tokenizer_sha256: String,
    /// sha256 of the weights file.
    pub weights_sha256: String,
    /// How queries are encoded (`index --query-encoder`; queries default to it).
    #[serde(default)]
    pub query_encoder: QueryEncoding,
    /// sha256 of the `idf.json` the queries are weighted with (`query_encoder` `idf`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idf_sha256: Option<String>,
}

/// The SPLADE part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpladeInfo {
    /// Postings (non-zero document weights).
    pub postings: u64,
    /// Terms with at least one posting.
    pub terms: u64,
    /// How impacts are stored: `"f32"` (exact encoder weights, no quantisation).
    pub impacts: String,
    /// How document vectors were pruned before indexing (`index --doc-top`, `--doc-min`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_pruning: Option<crate::sparse::Pruning>,
    /// Postings that pruning removed.
    #[serde(default)]
    pub pruned_postings: u64,
}

/// The BM25 part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bm25Info {
    pub k1: f32,
    pub b: f32,
    /// The analyzer, in words.
    pub analyzer: String,
    pub terms: u64,
    pub postings: u64,
    /// Documents with at least one term.
    pub doc_count: u64,
    pub sum_total_term_freq: u64,
    /// How document lengths are stored.
    pub norms: String,
}

/// Imported document vectors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportInfo {
    /// The vector file, as given.
    pub vectors: String,
    /// Its sha256.
    pub sha256: String,
    /// What its keys were: `tokens` or `ids`.
    pub keys: crate::vectors::Keys,
    /// The divisor applied to its weights, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact_scale: Option<f64>,
    /// Where the texts came from: the vector file itself, or a corpus (`--corpus`).
    pub texts: String,
    /// Vector records whose document the corpus lacked (indexed without text).
    #[serde(default)]
    pub without_text: u64,
}

/// Size and checksum of one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileInfo {
    pub bytes: u64,
    pub crc32: String,
}

impl Manifest {
    /// Reads `dir/manifest.json`.
    pub fn read(dir: &Path) -> Result<Self> {
        let path = dir.join(FILE);
        let text = match std::fs::read_to_string(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !path.exists() => {
                return Err(IndexError::NotAnIndex(dir.to_path_buf()))
            }
            other => other.map_err(io(&path))?,
        };
        let corrupt = |reason: String| IndexError::Corrupt {
            path: path.clone(),
            reason,
        };
        // Format and version first: an older manifest may lack fields this version needs.
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| corrupt(e.to_string()))?;
        let format = value.get("format").and_then(|f| f.as_str());
        if format != Some("spladescope-index") {
            return Err(corrupt(format!(
                "not a spladescope manifest (format {})",
                value
                    .get("format")
                    .map_or("missing".into(), |f| f.to_string())
            )));
        }
        let version = value.get("format_version").and_then(|v| v.as_u64());
        if version != Some(u64::from(FORMAT_VERSION)) {
            return Err(IndexError::Version {
                path,
                found: version.map_or(0, |v| u32::try_from(v).unwrap_or(u32::MAX)),
                expected: FORMAT_VERSION,
            });
        }
        let manifest: Manifest =
            serde_json::from_value(value).map_err(|e| corrupt(e.to_string()))?;
        Ok(manifest)
    }

    /// Checks that `file`, opened as `name`, is the file this manifest describes: same
    /// size, same CRC-32, same build.
    pub fn check_file(&self, name: &str, file: &super::format::FileData) -> Result<()> {
        let mismatch = |reason: String| IndexError::Mismatch {
            path: file.path().to_path_buf(),
            reason,
        };
        let Some(info) = self.files.get(name) else {
            return Err(mismatch(format!("{FILE} does not list {name}")));
        };
        if info.bytes != file.file_len() {
            return Err(mismatch(format!(
                "{} bytes, but {FILE} records {}",
                file.file_len(),
                info.bytes
            )));
        }
        let crc = format!("{:08x}", file.crc32());
        if info.crc32 != crc {
            return Err(mismatch(format!(
                "CRC-32 {crc}, but {FILE} records {}",
                info.crc32
            )));
        }
        let build = format!("{:08x}", file.build_id());
        if self.build_id != build {
            return Err(mismatch(format!(
                "build {build}, but {FILE} records build {}",
                self.build_id
            )));
        }
        Ok(())
    }

    /// Writes `dir/manifest.json` (synced).
    pub fn write(&self, dir: &Path) -> Result<()> {
        let path = dir.join(FILE);
        let text = serde_json::to_string_pretty(self).expect("manifest serialises");
        std::fs::write(&path, text + "\n").map_err(io(&path))?;
        std::fs::File::open(&path)
            .and_then(|f| f.sync_all())
            .map_err(io(&path))
    }
}

impl ModelInfo {
    /// Fingerprints a SPLADE encoder's files and query encoding.
    pub fn of(encoder: &SparseEncoder) -> Result<Self> {
        Ok(Self {
            query_encoder: encoder.query_encoding(),
            idf_sha256: encoder.idf().map(|idf| idf.sha256.clone()),
            ..Self::of_files(
                encoder.files(),
                encoder.architecture().name(),
                encoder.vocab_size(),
                encoder.options().max_length,
            )?
        })
    }

    /// Fingerprints a dense encoder's files.
    pub fn of_dense(encoder: &DenseEncoder) -> Result<Self> {
        Self::of_files(
            encoder.files(),
            encoder.class(),
            encoder.vocab_size(),
            encoder.max_length(),
        )
    }

    fn of_files(
        files: &ModelFiles,
        architecture: &str,
        vocab_size: usize,
        max_length: usize,
    ) -> Result<Self> {
        let id = match std::fs::canonicalize(&files.id) {
            Ok(abs) if Path::new(&files.id).is_dir() => abs.display().to_string(),
            _ => files.id.clone(),
        };
        Ok(Self {
            id,
            architecture: architecture.to_string(),
            vocab_size,
            max_length,
            config_sha256: sha256_file(&files.config)?,
            tokenizer_sha256: sha256_file(&files.tokenizer)?,
            weights_sha256: sha256_file(&files.weights)?,
            query_encoder: QueryEncoding::Model,
            idf_sha256: None,
        })
    }

    /// Whether two fingerprints name the same model files.
    pub fn same_files(&self, other: &ModelInfo) -> bool {
        self.config_sha256 == other.config_sha256
            && self.tokenizer_sha256 == other.tokenizer_sha256
            && self.weights_sha256 == other.weights_sha256
    }
}

/// Hex sha256 of a file's contents.
pub fn sha256_file(path: &Path) -> Result<String> {
    let mut file = std::fs::File::open(path).map_err(io(path))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).map_err(io(path))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}
