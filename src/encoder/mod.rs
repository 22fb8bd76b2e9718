//! The SPLADE encoder: text in, sparse vector over the WordPiece vocabulary out.
//!
//! For a text tokenised to positions `t = 0..T` (with `[CLS]` and `[SEP]`, truncated on the
//! right to `max_length` tokens that count them), a masked-language model gives a logit
//! `x[t, v]` for every vocabulary term `v`; SPLADE's weight is
//!
//! ```text
//! w[v] = max over t of log(1 + relu(x[t, v]))
//! ```
//!
//! over the text's own positions (padding excluded, `[CLS]`/`[SEP]` included), with token
//! type ids 0. This is the recipe of the naver/splade reference and the golden vectors in
//! `tests/fixtures/golden`. Texts are tokenised, sorted by length and run in batches of
//! similar length (less padding); the vocabulary projection and the max run in a fused
//! kernel (see [`vocab_max`]) that never materialises the `[batch, tokens, vocab]` logits.
//! Batched and one-by-one encoding give the same vectors to within float rounding.

pub mod config;
pub mod error;
pub mod kernel;
pub mod linalg;
pub mod model;
pub mod prefix;
pub mod source;
pub mod vocab_max;

use std::collections::HashSet;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use candle_core::DType;
use candle_nn::VarBuilder;
use serde::Serialize;
use tokenizers::normalizers::NormalizerWrapper;
use tokenizers::{
    PostProcessor, Tokenizer, TruncationDirection, TruncationParams, TruncationStrategy,
};

pub use config::{Architecture, ModelConfig};
pub use error::{EncoderError, Result};
pub use source::{ModelFiles, ModelSpec, WeightsFormat, DEFAULT_MODEL};

use crate::sparse::SparseVector;
use model::Model;

/// How the encoder runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncoderOptions {
    /// Longest input in tokens, `[CLS]` and `[SEP]` included; longer texts are cut on the
    /// right.
    pub max_length: usize,
    /// Texts per forward pass.
    pub batch_size: usize,
    /// Worker threads (0 = one per core).
    pub threads: usize,
    /// Lower `max_length` to the model's limit instead of failing (for defaults, as opposed
    /// to a length the user asked for).
    pub clamp_max_length: bool,
}

impl Default for EncoderOptions {
    fn default() -> Self {
        Self {
            max_length: 512,
            batch_size: 32,
            threads: 0,
            clamp_max_length: false,
        }
    }
}

/// One encoded text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Encoded {
    /// The SPLADE vector.
    pub vector: SparseVector,
    /// The token ids the model saw (after truncation, with special tokens).
    pub token_ids: Vec<u32>,
    /// How many tokens the text had before truncation (special tokens included).
    pub untruncated_tokens: usize,
}

impl Encoded {
    /// Whether the text was cut to `max_length`.
    pub fn truncated(&self) -> bool {
        self.untruncated_tokens > self.token_ids.len()
    }
}

/// Whether a term comes from the text itself or was added by the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TermKind {
    /// The term's id occurs among the text's token ids.
    Input,
    /// A term the model added (expansion).
    Expansion,
}

/// One non-zero term of a vector, for display.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Term {
    /// Vocabulary id.
    pub id: u32,
    /// WordPiece token string (`##` marks a word continuation).
    pub token: String,
    /// SPLADE weight.
    pub weight: f32,
    /// Input or expansion term.
    pub kind: TermKind,
}

/// A loaded SPLADE model, ready to encode text.
pub struct SparseEncoder {
    files: ModelFiles,
    config: ModelConfig,
    model: Model,
    tokenizer: Tokenizer,
    untruncated: Tokenizer,
    vocab: Vec<String>,
    pad_id: u32,
    options: EncoderOptions,
    pool: rayon::ThreadPool,
    /// Where long texts may be cut before tokenising ([`prefix`]).
    cuts: prefix::Cuts,
}

impl SparseEncoder {
    /// Resolves `--model` (a directory or a Hub repo id) and loads it.
    pub fn from_spec(spec: &str, options: EncoderOptions) -> Result<Self> {
        let files = ModelFiles::resolve(&ModelSpec::parse(spec)?)?;
        Self::load(files, options)
    }

    /// Loads a model from its files.
    pub fn load(files: ModelFiles, mut options: EncoderOptions) -> Result<Self> {
        let config = ModelConfig::from_file(&files.config)?;
        let limit = config.max_positions;
        if options.clamp_max_length {
            options.max_length = options.max_length.min(limit);
        }
        if options.max_length < 2 || options.max_length > limit {
            return Err(EncoderError::MaxLength {
                requested: options.max_length,
                limit,
            });
        }
        let (tokenizer, untruncated) = load_tokenizer(&files.tokenizer, options.max_length)?;
        let tokenizer_vocab = tokenizer.get_vocab_size(true);
        if tokenizer_vocab > config.vocab_size {
            return Err(EncoderError::VocabMismatch {
                tokenizer: tokenizer_vocab,
                model: config.vocab_size,
            });
        }
        let weights_err = |e: candle_core::Error| EncoderError::Weights {
            path: files.weights.clone(),
            message: e.to_string(),
        };
        let vb = open_weights(&files.weights, files.format).map_err(weights_err)?;
        let model = Model::load(&vb, &config).map_err(weights_err)?;
        let vocab = (0..config.vocab_size as u32)
            .map(|id| {
                tokenizer
                    .id_to_token(id)
                    .unwrap_or_else(|| format!("[unused id {id}]"))
            })
            .collect();
        let pad_id = tokenizer
            .get_padding()
            .map(|p| p.pad_id)
            .or_else(|| tokenizer.token_to_id("[PAD]"))
            .unwrap_or(0);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(options.threads)
            .thread_name(|i| format!("splade-encode-{i}"))
            .build()
            .map_err(|e| EncoderError::Tokenize(format!("cannot start worker threads: {e}")))?;
        let cuts = prefix::Cuts {
            chinese: matches!(
                tokenizer.get_normalizer(),
                Some(NormalizerWrapper::BertNormalizer(n)) if n.handle_chinese_chars
            ),
        };
        Ok(Self {
            cuts,
            files,
            config,
            model,
            tokenizer,
            untruncated,
            vocab,
            pad_id,
            options: EncoderOptions {
                batch_size: options.batch_size.max(1),
                ..options
            },
            pool,
        })
    }

    /// The model's files and display id.
    pub fn files(&self) -> &ModelFiles {
        &self.files
    }

    /// The architecture that was loaded.
    pub fn architecture(&self) -> Architecture {
        self.config.architecture
    }

    /// The options in force.
    pub fn options(&self) -> EncoderOptions {
        self.options
    }

    /// Vocabulary size (the dimension of the sparse vectors).
    pub fn vocab_size(&self) -> usize {
        self.vocab.len()
    }

    /// Whether the decoder is tied to the word embeddings.
    pub fn tied_decoder(&self) -> bool {
        self.model.tied
    }

    /// Whether the fused kernel uses AVX2/FMA.
    pub fn uses_simd(&self) -> bool {
        self.model.decoder.uses_simd()
    }

    /// Worker threads in use.
    pub fn threads(&self) -> usize {
        self.pool.current_num_threads()
    }

    /// The token string of a vocabulary id.
    pub fn token(&self, id: u32) -> &str {
        self.vocab
            .get(id as usize)
            .map(String::as_str)
            .unwrap_or("[out of vocabulary]")
    }

    /// The id of a token string, if it is in the vocabulary.
    pub fn token_id(&self, token: &str) -> Option<u32> {
        self.tokenizer.token_to_id(token)
    }

    /// Token ids of a text cut to `max_length` tokens (keeping the final special token), as
    /// a model run with that limit sees it; used to tell input from expansion terms of
    /// documents indexed with another limit than the queries'.
    pub fn token_ids(&self, text: &str, max_length: usize) -> Result<Vec<u32>> {
        let mut words = max_length;
        let mut ids = loop {
            let head = self.cuts.word_prefix(text, words);
            let ids = self
                .untruncated
                .encode(head, true)
                .map_err(|e| EncoderError::Tokenize(e.to_string()))?
                .get_ids()
                .to_vec();
            // A prefix with `max_length` tokens cuts to what the whole text cuts to.
            if ids.len() >= max_length || head.len() == text.len() {
                break ids;
            }
            words = words.saturating_mul(2);
        };
        if ids.len() > max_length && max_length >= 2 {
            let last = ids[ids.len() - 1];
            ids.truncate(max_length - 1);
            ids.push(last);
        }
        Ok(ids)
    }

    /// The word-piece tokens of a text with their byte ranges in it, special tokens left
    /// out, untruncated: for highlighting the words behind a term.
    pub fn token_spans(&self, text: &str) -> Result<Vec<(u32, std::ops::Range<usize>)>> {
        let enc = self
            .untruncated
            .encode(text, false)
            .map_err(|e| EncoderError::Tokenize(e.to_string()))?;
        Ok(enc
            .get_ids()
            .iter()
            .zip(enc.get_offsets())
            .filter(|(_, &(start, end))| start < end && end <= text.len())
            .map(|(&id, &(start, end))| (id, start..end))
            .collect())
    }

    /// Encodes one text.
    pub fn encode(&self, text: &str) -> Result<Encoded> {
        let mut out = self.encode_batch(&[text])?;
        Ok(out.pop().expect("one text in, one vector out"))
    }

    /// Encodes many texts; results come back in input order.
    pub fn encode_batch<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Result<Vec<Encoded>> {
        self.encode_batch_until(texts, &AtomicBool::new(false))
    }

    /// [`encode_batch`](Self::encode_batch) that stops with [`EncoderError::Interrupted`]
    /// once `cancel` is set, checked between model batches (a fraction of a second apart).
    pub fn encode_batch_until<S: AsRef<str> + Sync>(
        &self,
        texts: &[S],
        cancel: &AtomicBool,
    ) -> Result<Vec<Encoded>> {
        self.pool.install(|| self.encode_batch_here(texts, cancel))
    }

    fn encode_batch_here<S: AsRef<str> + Sync>(
        &self,
        texts: &[S],
        cancel: &AtomicBool,
    ) -> Result<Vec<Encoded>> {
        use rayon::prelude::*;
        let heads: Vec<(Vec<u32>, usize)> = texts
            .par_iter()
            .map(|t| self.tokenize_head(t.as_ref()))
            .collect::<Result<_>>()?;
        let (mut token_ids, untruncated_tokens): (Vec<Vec<u32>>, Vec<usize>) =
            heads.into_iter().unzip();
        for ids in &mut token_ids {
            if ids.is_empty() {
                // A tokenizer without a post-processor gives nothing for an empty text; the
                // model still needs one position.
                ids.push(self.pad_id);
            }
        }

        // Longest first, so batches have similar work and memory stays bounded.
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(token_ids[i].len()));
        let mut vectors: Vec<Option<SparseVector>> = vec![None; texts.len()];
        for batch in order.chunks(self.options.batch_size) {
            if cancel.load(Ordering::Relaxed) {
                return Err(EncoderError::Interrupted);
            }
            let seqs: Vec<&[u32]> = batch.iter().map(|&i| token_ids[i].as_slice()).collect();
            for (&i, dense) in batch.iter().zip(self.forward(&seqs)?) {
                vectors[i] = Some(SparseVector::from_dense(&dense));
            }
        }
        Ok(vectors
            .into_iter()
            .zip(token_ids)
            .zip(untruncated_tokens)
            .map(|((vector, token_ids), untruncated_tokens)| Encoded {
                vector: vector.expect("every text is in one batch"),
                token_ids,
                untruncated_tokens,
            })
            .collect())
    }

    /// The token ids the model sees for `text` (cut to the maximum length) and the token
    /// count of the whole text. Only a prefix that surely holds the first `max_length` tokens
    /// is tokenised for the model; a longer text is counted piece by piece, so memory stays
    /// in proportion to the piece, not the text ([`prefix`]).
    fn tokenize_head(&self, text: &str) -> Result<(Vec<u32>, usize)> {
        let max = self.options.max_length;
        let tokenize_err = |e: tokenizers::Error| EncoderError::Tokenize(e.to_string());
        let mut words = max;
        loop {
            let head = self.cuts.word_prefix(text, words);
            let whole = head.len() == text.len();
            let ids = self
                .tokenizer
                .encode(head, true)
                .map_err(tokenize_err)?
                .get_ids()
                .to_vec();
            if ids.len() < max && !whole {
                words = words.saturating_mul(2);
                continue;
            }
            if ids.len() < max {
                let n = ids.len();
                return Ok((ids, n));
            }
            let specials = self
                .untruncated
                .get_post_processor()
                .map_or(0, |p| p.added_tokens(false));
            let mut count = specials;
            for piece in self.cuts.pieces(text, 1 << 16) {
                count += self
                    .untruncated
                    .encode(piece, false)
                    .map_err(tokenize_err)?
                    .len();
            }
            return Ok((ids, count));
        }
    }

    /// One forward pass over a batch; returns a dense `[vocab]` row per sequence.
    fn forward(&self, seqs: &[&[u32]]) -> Result<Vec<Vec<f32>>> {
        let hidden = self.model.forward(seqs);
        let d = self.model.hidden();
        let mut rows = Vec::with_capacity(seqs.len());
        let mut start = 0;
        for seq in seqs {
            rows.push(&hidden[start * d..(start + seq.len()) * d]);
            start += seq.len();
        }
        Ok(self.model.decoder.pool_batch(&rows))
    }

    /// The non-zero terms of an encoded text, heaviest first (ties by id), each marked as
    /// input or expansion.
    pub fn terms(&self, encoded: &Encoded) -> Vec<Term> {
        let input: HashSet<u32> = encoded.token_ids.iter().copied().collect();
        encoded
            .vector
            .by_weight()
            .into_iter()
            .map(|(id, weight)| Term {
                id,
                token: self.token(id).to_string(),
                weight,
                kind: if input.contains(&id) {
                    TermKind::Input
                } else {
                    TermKind::Expansion
                },
            })
            .collect()
    }

    /// Token strings of token ids.
    pub fn tokens(&self, ids: &[u32]) -> Vec<String> {
        ids.iter().map(|&id| self.token(id).to_string()).collect()
    }
}

fn open_weights(path: &Path, format: WeightsFormat) -> candle_core::Result<VarBuilder<'static>> {
    let dev = model::device();
    match format {
        // SAFETY: the file is memory-mapped read-only; spladescope never writes model files,
        // and a file changed underneath us could at worst give wrong numbers, as with any
        // mmap-based loader.
        WeightsFormat::Safetensors => unsafe {
            VarBuilder::from_mmaped_safetensors(&[path], DType::F32, &dev)
        },
        WeightsFormat::PyTorch => VarBuilder::from_pth(path, DType::F32, &dev),
    }
}

/// The tokenizer with right truncation at `max_length`, and a copy without truncation (to
/// count the tokens a long text had).
fn load_tokenizer(path: &Path, max_length: usize) -> Result<(Tokenizer, Tokenizer)> {
    let err = |message: String| EncoderError::Tokenizer {
        path: path.to_path_buf(),
        message,
    };
    let mut untruncated = Tokenizer::from_file(path).map_err(|e| err(e.to_string()))?;
    untruncated
        .with_truncation(None)
        .map_err(|e| err(e.to_string()))?;
    untruncated.with_padding(None);
    let mut tokenizer = untruncated.clone();
    tokenizer
        .with_truncation(Some(TruncationParams {
            max_length,
            strategy: TruncationStrategy::LongestFirst,
            stride: 0,
            direction: TruncationDirection::Right,
        }))
        .map_err(|e| err(e.to_string()))?;
    Ok((tokenizer, untruncated))
}
