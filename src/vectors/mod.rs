//! Pre-encoded sparse vectors: the JSON Lines import format of `index --vectors`,
//! `retrieve --query-vectors` and `export-vectors`.
//!
//! One JSON object per line, as Anserini's `JsonVectorCollection` and Seismic write them:
//!
//! ```text
//! {"id": "4983", "contents": "Microstructural development ...", "vector": {"micro": 1.92, "##structural": 0.7, "brain": 0.35}}
//! ```
//!
//! - `id` (or `_id`): a string or an integer; not empty, no whitespace or control characters.
//! - The text, optional (an imported document without text has no BM25 terms): `title` and
//!   `text` when present, otherwise `contents` (Anserini) or `content` (Seismic) as the text.
//! - `vector`: an object of term → weight. Keys are WordPiece tokens of the query model's
//!   vocabulary ([`Keys::Tokens`]) or decimal term ids ([`Keys::Ids`]). Weights are JSON
//!   numbers `>= 0`; zeros are dropped. A weight is read as the `f32` nearest to the decimal
//!   written, so a file written by [`write`] reads back to the identical vector. With an
//!   impact scale `S` (integer impacts such as Anserini's, `S = 100`), the weight is
//!   `value / S` computed in `f64` and rounded once to `f32`.
//!
//! Other fields are skipped. Files ending in `.gz` (or starting with the gzip magic bytes)
//! are decompressed as they are read. Every bad line is an error naming the file, the line
//! and the problem ([`crate::corpus::VectorProblem`]): a weight that is not a number, is
//! negative or does not fit an `f32`, an unknown token, a term id past the vocabulary, a
//! term given twice, a repeated document id.

mod parse;
mod reader;
mod write;

pub use reader::VectorReader;
pub use write::{write_record, VectorWriter};

use crate::corpus::{Document, DEFAULT_MAX_RECORD_BYTES};
use crate::sparse::SparseVector;

/// What the keys of a `vector` object are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Keys {
    /// WordPiece tokens (`"micro"`, `"##structural"`).
    #[default]
    Tokens,
    /// Decimal term ids (`"2436"`).
    Ids,
}

impl Keys {
    /// The name used by `--vector-keys`.
    pub fn name(self) -> &'static str {
        match self {
            Keys::Tokens => "tokens",
            Keys::Ids => "ids",
        }
    }
}

/// How to read a vector file.
#[derive(Debug, Clone, PartialEq)]
pub struct VectorOptions {
    /// What the keys are.
    pub keys: Keys,
    /// Divide every weight by this (integer impacts); `None` reads weights as they are.
    pub impact_scale: Option<f64>,
    /// Skip and count bad records instead of stopping.
    pub skip_bad: bool,
    /// Longest line accepted, in bytes.
    pub max_record_bytes: usize,
}

impl Default for VectorOptions {
    fn default() -> Self {
        Self {
            keys: Keys::Tokens,
            impact_scale: None,
            skip_bad: false,
            max_record_bytes: DEFAULT_MAX_RECORD_BYTES,
        }
    }
}

/// One record: a document (its text may be empty) and its vector.
#[derive(Debug, Clone, PartialEq)]
pub struct VectorRecord {
    pub doc: Document,
    pub vector: SparseVector,
    /// Whether the line had a text field (`title`, `text`, `contents` or `content`).
    pub has_text: bool,
}

/// Term ids and tokens of a model's vocabulary.
pub trait Vocabulary: Sync {
    /// Number of terms.
    fn size(&self) -> usize;
    /// The id of a token.
    fn id(&self, token: &str) -> Option<u32>;
    /// The token of an id below [`Vocabulary::size`].
    fn token(&self, id: u32) -> &str;
}

impl Vocabulary for crate::encoder::SparseEncoder {
    fn size(&self) -> usize {
        self.vocab_size()
    }
    fn id(&self, token: &str) -> Option<u32> {
        self.token_id(token)
            .filter(|&id| (id as usize) < self.vocab_size())
    }
    fn token(&self, id: u32) -> &str {
        crate::encoder::SparseEncoder::token(self, id)
    }
}

/// A vocabulary known only by its size: enough for term-id keys ([`Keys::Ids`]), which
/// never name a token.
pub struct TermIds(pub usize);

impl Vocabulary for TermIds {
    fn size(&self) -> usize {
        self.0
    }
    fn id(&self, _: &str) -> Option<u32> {
        None
    }
    fn token(&self, _: u32) -> &str {
        ""
    }
}

/// A vocabulary as a token table (index = id), e.g. read from a `tokenizer.json` alone.
pub struct TokenTable {
    tokens: Vec<String>,
    ids: std::collections::HashMap<String, u32>,
}

impl TokenTable {
    /// The table of `tokens` (index = id).
    pub fn new(tokens: Vec<String>) -> Self {
        let ids = tokens
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), i as u32))
            .collect();
        Self { tokens, ids }
    }

    /// The vocabulary of a Hugging Face `tokenizer.json` (added tokens included).
    pub fn from_tokenizer_file(path: &std::path::Path) -> Result<Self, String> {
        let tokenizer = tokenizers::Tokenizer::from_file(path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let vocab = tokenizer.get_vocab(true);
        let mut tokens =
            vec![String::new(); vocab.values().map(|&i| i as usize + 1).max().unwrap_or(0)];
        for (token, id) in vocab {
            tokens[id as usize] = token;
        }
        Ok(Self::new(tokens))
    }
}

impl Vocabulary for TokenTable {
    fn size(&self) -> usize {
        self.tokens.len()
    }
    fn id(&self, token: &str) -> Option<u32> {
        self.ids.get(token).copied()
    }
    fn token(&self, id: u32) -> &str {
        self.tokens.get(id as usize).map_or("", String::as_str)
    }
}
