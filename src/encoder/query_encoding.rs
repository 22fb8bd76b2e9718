//! Inference-free query encoders: the query vector without running the model.
//!
//! Doc-only SPLADE models (the `opensearch-neural-sparse-encoding-doc-*` family,
//! `naver/splade-v3-doc`) expand documents with the model but encode a query as its own
//! WordPiece tokens:
//!
//! ```text
//! q[v] = idf[v]   for every vocabulary term v among the query's tokens (special tokens out)
//! ```
//!
//! - `idf`: `idf[v]` comes from the model folder's `idf.json`, an object from token strings
//!   to non-negative weights; a token it does not list weighs 1.0.
//! - `ones`: every token weighs 1.0 (a binary bag of words).
//!
//! A token repeated in the query counts once. Each term's source is the first position that
//! holds it, so attribution works as for the model's vectors. The query is cut to the
//! encoder's `max_length` like a model input. `[CLS]`/`[SEP]` are left out: documents never
//! hold them, so they could not change a score.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::error::{EncoderError, Result};

/// File name of the IDF table in a model folder.
pub const IDF_FILE: &str = "idf.json";

/// How queries are turned into vectors.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QueryEncoding {
    /// Run the model (SPLADE's own query encoder).
    #[default]
    Model,
    /// The query's tokens weighted by the model folder's `idf.json`.
    Idf,
    /// The query's tokens, each weighing 1.0.
    Ones,
}

impl QueryEncoding {
    /// Every encoding, as `--query-encoder` spells them.
    pub const ALL: [QueryEncoding; 3] = [Self::Model, Self::Idf, Self::Ones];

    /// `model`, `idf` or `ones`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Model => "model",
            Self::Idf => "idf",
            Self::Ones => "ones",
        }
    }

    /// Whether queries skip the model.
    pub fn inference_free(self) -> bool {
        self != Self::Model
    }

    /// Parses `model`, `idf` or `ones`.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.name() == s)
    }
}

impl std::fmt::Display for QueryEncoding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Token weights from an `idf.json`, by vocabulary id.
#[derive(Debug, Clone, PartialEq)]
pub struct IdfTable {
    /// Where it was read from.
    pub path: PathBuf,
    /// sha256 of the file (recorded in index manifests).
    pub sha256: String,
    /// Weight of every vocabulary id (1.0 where the file lists none).
    weights: Vec<f32>,
}

impl IdfTable {
    /// Reads `path`, resolving tokens with `token_id` into a vocabulary of `vocab_size` ids.
    /// A token outside the vocabulary, or a weight that is negative, not finite, or not a
    /// number, is an error that names the file and the token.
    pub fn read(
        path: &Path,
        vocab_size: usize,
        token_id: impl Fn(&str) -> Option<u32>,
    ) -> Result<Self> {
        let bad = |message: String| EncoderError::Idf {
            path: path.to_path_buf(),
            message,
        };
        let bytes = std::fs::read(path).map_err(|source| EncoderError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let table: HashMap<String, serde_json::Value> = serde_json::from_slice(&bytes)
            .map_err(|e| bad(format!("{e} (expected an object from tokens to weights)")))?;
        let mut weights = vec![1.0f32; vocab_size];
        for (token, value) in &table {
            let weight = value
                .as_f64()
                .filter(|w| w.is_finite() && *w >= 0.0 && *w <= f64::from(f32::MAX))
                .ok_or_else(|| {
                    bad(format!(
                        "the weight of {token:?} is {value}, not a finite number of 0 or more"
                    ))
                })?;
            let id = token_id(token)
                .filter(|&id| (id as usize) < vocab_size)
                .ok_or_else(|| {
                    bad(format!(
                        "{token:?} is not in the model's vocabulary (is this idf.json from \
                         another model?)"
                    ))
                })?;
            weights[id as usize] = weight as f32;
        }
        Ok(Self {
            path: path.to_path_buf(),
            sha256: sha256_hex(&bytes),
            weights,
        })
    }

    /// The weight of vocabulary id `id` (1.0 outside the table).
    pub fn weight(&self, id: u32) -> f32 {
        self.weights.get(id as usize).copied().unwrap_or(1.0)
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The vector and sources of a query given as input pieces `(id, special)` in position
/// order: each non-special id once, weighted by `weight`, sourced at its first position.
/// Terms weighing 0 are left out.
pub fn bag_of_tokens(
    pieces: impl IntoIterator<Item = (u32, bool)>,
    weight: impl Fn(u32) -> f32,
) -> (crate::sparse::SparseVector, Vec<(u32, u32)>) {
    let mut first: Vec<(u32, u32)> = Vec::new();
    for (position, (id, special)) in pieces.into_iter().enumerate() {
        if !special && !first.iter().any(|&(t, _)| t == id) {
            first.push((id, position as u32));
        }
    }
    first.retain(|&(id, _)| weight(id) > 0.0);
    first.sort_unstable();
    let vector = crate::sparse::SparseVector {
        ids: first.iter().map(|&(id, _)| id).collect(),
        weights: first.iter().map(|&(id, _)| weight(id)).collect(),
    };
    (vector, first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for e in QueryEncoding::ALL {
            assert_eq!(QueryEncoding::parse(e.name()), Some(e));
            assert_eq!(serde_json::to_string(&e).unwrap(), format!("\"{e}\""));
        }
        assert_eq!(QueryEncoding::parse("bm25"), None);
        assert!(!QueryEncoding::Model.inference_free());
        assert!(QueryEncoding::Idf.inference_free());
    }

    #[test]
    fn bag_counts_each_token_once_at_its_first_position() {
        // [CLS] b a b [SEP] with ids 101, 7, 5, 7, 102.
        let pieces = [(101, true), (7, false), (5, false), (7, false), (102, true)];
        let (v, sources) = bag_of_tokens(pieces, |id| if id == 5 { 2.5 } else { 1.0 });
        assert_eq!(v.ids, vec![5, 7]);
        assert_eq!(v.weights, vec![2.5, 1.0]);
        assert_eq!(sources, vec![(5, 2), (7, 1)]);
        let (v, sources) = bag_of_tokens(pieces, |id| if id == 7 { 0.0 } else { 1.0 });
        assert_eq!(v.ids, vec![5]);
        assert_eq!(sources, vec![(5, 2)]);
    }

    #[test]
    fn idf_file_errors_name_file_and_token() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(IDF_FILE);
        let lookup = |t: &str| match t {
            "a" => Some(0),
            "b" => Some(1),
            "far" => Some(99),
            _ => None,
        };
        std::fs::write(&path, r#"{"a": 2.5, "b": 0}"#).unwrap();
        let table = IdfTable::read(&path, 3, lookup).unwrap();
        assert_eq!(
            (table.weight(0), table.weight(1), table.weight(2)),
            (2.5, 0.0, 1.0)
        );
        assert_eq!(table.sha256.len(), 64);
        for (text, expect) in [
            (r#"{"a": -1}"#, "\"a\" is -1"),
            (r#"{"a": "x"}"#, "\"a\" is \"x\""),
            (r#"{"zzz": 1}"#, "\"zzz\" is not in the model's vocabulary"),
            (r#"{"far": 1}"#, "\"far\" is not in the model's vocabulary"),
            ("{\"a\": 1,\n", "line 2"),
            ("[1, 2]", "expected an object"),
        ] {
            std::fs::write(&path, text).unwrap();
            let err = IdfTable::read(&path, 3, lookup).unwrap_err().to_string();
            assert!(
                err.contains(IDF_FILE) && err.contains(expect),
                "{text}: {err}"
            );
        }
        let err = IdfTable::read(&dir.path().join("none.json"), 3, lookup).unwrap_err();
        assert!(err.to_string().contains("none.json"), "{err}");
    }
}
