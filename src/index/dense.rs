//! The optional dense part of an index (`index --dense MODEL`): one embedding per document,
//! for exact inner-product search.
//!
//! `dense.emb` holds `documents × dim` little-endian `f32`s, document by document, in the
//! index's document order ([`super::format`] footer, kind `DNSE`); `manifest.json` records
//! the model, its pooling and normalisation, and `dim`. A document's dense score is
//! `Σ_i q[i] · d[i]` in `f32`, summed in dimension order (for normalised embeddings, the
//! cosine similarity).

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::error::Result;
use super::format::{FileData, FileWriter};
use super::manifest::ModelInfo;
use super::spill::ByteArea;
use crate::encoder::Pooling;

/// File name and kind tag.
pub const FILE: &str = "dense.emb";
pub const KIND: &[u8; 4] = b"DNSE";

/// What the manifest records about the dense part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DenseInfo {
    /// The bi-encoder (`architecture` is the class `config.json` names; `max_length` the
    /// truncation used for documents and queries).
    pub model: ModelInfo,
    /// sha256 of the model's `modules.json`.
    pub modules_sha256: String,
    pub pooling: Pooling,
    pub normalize: bool,
    /// Embedding dimension.
    pub dim: usize,
}

/// Document embeddings collected during a build.
#[derive(Debug, Default)]
pub struct DenseBuilder {
    dim: usize,
    values: ByteArea,
}

impl DenseBuilder {
    /// An empty builder of `dim`-dimensional embeddings.
    pub fn new(dim: usize) -> Self {
        Self {
            dim,
            values: ByteArea::default(),
        }
    }

    /// Streams the embeddings to `path` (removed by [`Self::write`]).
    pub fn spill_into(&mut self, path: &Path) -> Result<()> {
        self.values.spill_into(path)
    }

    /// Adds the next document's embedding (`dim` values).
    pub fn push(&mut self, embedding: &[f32]) -> Result<()> {
        assert_eq!(
            embedding.len(),
            self.dim,
            "embedding of the wrong dimension"
        );
        self.values.append(|out| {
            for v in embedding {
                out.extend_from_slice(&v.to_le_bytes());
            }
        })
    }

    /// Writes `dense.emb`; returns its size and CRC-32.
    pub fn write(self, path: &Path, build_id: u32) -> Result<(u64, u32)> {
        let mut w = FileWriter::create(path, KIND, build_id)?;
        self.values.write_to(&mut w)?;
        w.finish()
    }
}

/// The document embeddings of an open index.
pub struct DenseVectors {
    data: FileData,
    dim: usize,
    /// Decoded copy when the mapped payload is not `f32`-aligned or the machine is
    /// big-endian (never on the usual little-endian targets, whose maps are page-aligned).
    decoded: Option<Vec<f32>>,
}

impl DenseVectors {
    /// Opens `dense.emb` of `documents` embeddings of `dim` values.
    pub fn open(path: &Path, dim: usize, documents: usize) -> Result<Self> {
        let data = FileData::open(path, KIND)?;
        if dim == 0 || data.bytes().len() != documents * dim * 4 {
            return Err(data.corrupt(format!(
                "{} bytes do not hold {documents} embeddings of {dim} floats",
                data.bytes().len()
            )));
        }
        // SAFETY: any 4 bytes are a valid f32; `align_to` only yields the aligned middle.
        let (head, _, tail) = unsafe { data.bytes().align_to::<f32>() };
        let decoded =
            (cfg!(target_endian = "big") || !head.is_empty() || !tail.is_empty()).then(|| {
                data.bytes()
                    .chunks_exact(4)
                    .map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes")))
                    .collect()
            });
        Ok(Self { data, dim, decoded })
    }

    /// Every embedding, concatenated.
    pub fn all(&self) -> &[f32] {
        match &self.decoded {
            Some(v) => v,
            // SAFETY: checked aligned and little-endian at open.
            None => unsafe { self.data.bytes().align_to::<f32>().1 },
        }
    }

    /// Embedding dimension.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Document `n`'s embedding.
    pub fn row(&self, n: u32) -> Option<&[f32]> {
        let start = n as usize * self.dim;
        self.all().get(start..start + self.dim)
    }

    /// The score of every document for a query embedding (exact, see the module docs).
    pub fn scores(&self, query: &[f32]) -> Vec<f32> {
        self.all()
            .chunks_exact(self.dim)
            .map(|d| dot(query, d))
            .collect()
    }

    /// The underlying file.
    pub fn file(&self) -> &FileData {
        &self.data
    }
}

/// `Σ_i a[i]·b[i]` in `f32`, in index order.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).fold(0.0f32, |s, (x, y)| s + x * y)
}
