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
//!
//! Each weight comes from exactly one position (the argmax of the max); [`Encoded::sources`]
//! records it and [`attribution`] maps positions to the tokens and words of the text.
//!
//! Queries go through [`SparseEncoder::encode_queries`], which runs the model or, for
//! doc-only models, weighs the query's own tokens without it ([`query_encoding`]).

pub mod attribution;
pub mod backbone;
pub mod config;
pub mod dense;
pub mod error;
pub mod kernel;
pub mod linalg;
pub mod model;
pub mod prefix;
pub mod query_encoding;
pub mod source;
pub mod vmath;
pub mod vocab_max;

use std::collections::HashSet;
use std::sync::atomic::AtomicBool;

use serde::Serialize;

pub use attribution::{InputText, Source, WordContribution};
pub use backbone::InputPiece;
pub use config::{Architecture, ModelConfig};
pub use dense::{DenseEncoder, DenseSpec, Pooling};
pub use error::{EncoderError, Result};
pub use query_encoding::{IdfTable, QueryEncoding, IDF_FILE};
pub use source::{ModelFiles, ModelSpec, WeightsFormat, DEFAULT_MODEL};

use crate::sparse::SparseVector;
use backbone::Backbone;
use model::MlmHead;

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
    /// `(term id, position)` for every term of the vector as encoded, by id: the input
    /// position whose logit gave the term its weight (the first one on an exact tie).
    /// Edits of `vector` leave it as it is, so it still answers for the terms they keep.
    pub sources: Vec<(u32, u32)>,
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

    /// The input position that gave term `id` its weight, if the encoder gave it one.
    pub fn source(&self, id: u32) -> Option<usize> {
        self.sources
            .binary_search_by_key(&id, |&(t, _)| t)
            .ok()
            .map(|i| self.sources[i].1 as usize)
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

impl TermKind {
    /// `Input` when the term is one of the text's own tokens, else `Expansion`.
    pub fn of(own_token: bool) -> Self {
        if own_token {
            Self::Input
        } else {
            Self::Expansion
        }
    }

    /// `"input"` or `"expansion"`.
    pub fn word(self) -> &'static str {
        match self {
            Self::Input => "input",
            Self::Expansion => "expansion",
        }
    }
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
    /// The input token whose logit gave the weight, and its word.
    pub source: Option<Source>,
}

/// A loaded SPLADE model, ready to encode text.
pub struct SparseEncoder {
    backbone: Backbone,
    vocab: Vec<String>,
    /// How [`Self::encode_queries`] encodes.
    query_encoding: QueryEncoding,
    /// The `idf.json` table, with [`QueryEncoding::Idf`].
    idf: Option<IdfTable>,
}

impl SparseEncoder {
    /// Resolves `--model` (a directory or a Hub repo id) and loads it.
    pub fn from_spec(spec: &str, options: EncoderOptions) -> Result<Self> {
        let files = ModelFiles::resolve(&ModelSpec::parse(spec)?)?;
        Self::load(files, options)
    }

    /// Loads a model from its files.
    pub fn load(files: ModelFiles, options: EncoderOptions) -> Result<Self> {
        let backbone = Backbone::load(files, options, true)?;
        let vocab = (0..backbone.config.vocab_size as u32)
            .map(|id| {
                backbone
                    .tokenizer
                    .id_to_token(id)
                    .unwrap_or_else(|| format!("[unused id {id}]"))
            })
            .collect();
        Ok(Self {
            backbone,
            vocab,
            query_encoding: QueryEncoding::Model,
            idf: None,
        })
    }

    /// Encodes queries with `encoding` from now on; [`QueryEncoding::Idf`] reads the model's
    /// `idf.json` (from its folder, or its Hub repository).
    pub fn set_query_encoding(&mut self, encoding: QueryEncoding) -> Result<()> {
        self.idf = match encoding {
            QueryEncoding::Idf => {
                let id = &self.backbone.files.id;
                let path = ModelSpec::parse(id)
                    .and_then(|spec| source::model_file(&spec, IDF_FILE))
                    .map_err(|e| EncoderError::NoIdf {
                        model: id.clone(),
                        reason: match e {
                            EncoderError::MissingFile { dir, file } => {
                                format!("no {}", dir.join(file).display())
                            }
                            other => other.to_string(),
                        },
                    })?;
                Some(IdfTable::read(&path, self.vocab.len(), |t| {
                    self.token_id(t)
                })?)
            }
            _ => None,
        };
        self.query_encoding = encoding;
        Ok(())
    }

    /// How queries are encoded.
    pub fn query_encoding(&self) -> QueryEncoding {
        self.query_encoding
    }

    /// The `idf.json` table in use, with [`QueryEncoding::Idf`].
    pub fn idf(&self) -> Option<&IdfTable> {
        self.idf.as_ref()
    }

    fn head(&self) -> &MlmHead {
        self.backbone
            .model
            .head
            .as_ref()
            .expect("a SPLADE backbone is loaded with its head")
    }

    /// The model's files and display id.
    pub fn files(&self) -> &ModelFiles {
        &self.backbone.files
    }

    /// The architecture that was loaded.
    pub fn architecture(&self) -> Architecture {
        self.backbone.config.architecture
    }

    /// The options in force.
    pub fn options(&self) -> EncoderOptions {
        self.backbone.options
    }

    /// Vocabulary size (the dimension of the sparse vectors).
    pub fn vocab_size(&self) -> usize {
        self.vocab.len()
    }

    /// Whether the decoder is tied to the word embeddings.
    pub fn tied_decoder(&self) -> bool {
        self.head().tied
    }

    /// Whether the fused kernel uses AVX2/FMA.
    pub fn uses_simd(&self) -> bool {
        self.head().decoder.uses_simd()
    }

    /// Worker threads in use.
    pub fn threads(&self) -> usize {
        self.backbone.pool.current_num_threads()
    }

    /// The token string of a vocabulary id.
    pub fn token(&self, id: u32) -> &str {
        self.vocab
            .get(id as usize)
            .map(String::as_str)
            .unwrap_or("[out of vocabulary]")
    }

    /// Every token string, by id.
    pub fn vocabulary(&self) -> &[String] {
        &self.vocab
    }

    /// The id of a token string, if it is in the vocabulary.
    pub fn token_id(&self, token: &str) -> Option<u32> {
        self.backbone.tokenizer.token_to_id(token)
    }

    /// Token ids of a text cut to `max_length` tokens (keeping the final special token), as
    /// a model run with that limit sees it; used to tell input from expansion terms of
    /// documents indexed with another limit than the queries'.
    pub fn token_ids(&self, text: &str, max_length: usize) -> Result<Vec<u32>> {
        self.backbone.token_ids(text, max_length)
    }

    /// The tokens of the whole text, special tokens included (before any truncation).
    pub fn count_tokens(&self, text: &str) -> Result<usize> {
        self.backbone.count_tokens(text)
    }

    /// The positions of `text` as this encoder reads it (cut to its `max_length`), with the
    /// tokens and words they belong to: what [`Encoded::sources`] positions refer to.
    pub fn input_text(&self, text: &str, encoded: &Encoded) -> Result<InputText> {
        let pieces = self
            .backbone
            .input_pieces(text, self.options().max_length)?;
        Ok(InputText::new(text, pieces, &encoded.token_ids, |id| {
            self.token(id).to_string()
        }))
    }

    /// The word-piece tokens of a text with their byte ranges in it, special tokens left
    /// out, untruncated: for highlighting the words behind a term.
    pub fn token_spans(&self, text: &str) -> Result<Vec<(u32, std::ops::Range<usize>)>> {
        self.backbone.token_spans(text)
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
        let (token_ids, untruncated_tokens) = self.backbone.tokenize(texts)?;
        self.encode_ids(token_ids, untruncated_tokens, cancel)
    }

    /// Encodes queries as [`Self::query_encoding`] says: with the model, or (inference-free)
    /// as their weighted tokens ([`query_encoding`]). Results come back in input order.
    pub fn encode_queries<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Result<Vec<Encoded>> {
        let weight = match (self.query_encoding, &self.idf) {
            (QueryEncoding::Model, _) => return self.encode_batch(texts),
            (QueryEncoding::Idf, Some(idf)) => Some(idf),
            _ => None,
        };
        let max_length = self.options().max_length;
        texts
            .iter()
            .map(|text| {
                let text = text.as_ref();
                let pieces = self.backbone.input_pieces(text, max_length)?;
                let (vector, sources) = query_encoding::bag_of_tokens(
                    pieces
                        .iter()
                        .map(|p| (p.id, p.word.is_none() && p.span.is_none())),
                    |id| weight.map_or(1.0, |idf| idf.weight(id)),
                );
                let token_ids: Vec<u32> = pieces.iter().map(|p| p.id).collect();
                let untruncated_tokens = if token_ids.len() < max_length {
                    token_ids.len()
                } else {
                    self.backbone.count_tokens(text)?
                };
                Ok(Encoded {
                    vector,
                    sources,
                    token_ids,
                    untruncated_tokens,
                })
            })
            .collect()
    }

    /// Encodes one query ([`Self::encode_queries`]).
    pub fn encode_query(&self, text: &str) -> Result<Encoded> {
        let mut out = self.encode_queries(&[text])?;
        Ok(out.pop().expect("one text in, one vector out"))
    }

    /// Encodes `text` cut to `max_length` tokens rather than this encoder's own limit (as an
    /// index built with that limit encoded its documents), with the map from its positions
    /// to its tokens and words.
    pub fn encode_with_input(&self, text: &str, max_length: usize) -> Result<(Encoded, InputText)> {
        let pieces = self.backbone.input_pieces(text, max_length)?;
        let ids: Vec<u32> = pieces.iter().map(|p| p.id).collect();
        let untruncated = if ids.len() < max_length {
            ids.len()
        } else {
            self.backbone.count_tokens(text)?
        };
        let mut encoded = self.encode_ids(vec![ids], vec![untruncated], &AtomicBool::new(false))?;
        let encoded = encoded.pop().expect("one text in, one vector out");
        let input = InputText::new(text, pieces, &encoded.token_ids, |id| {
            self.token(id).to_string()
        });
        Ok((encoded, input))
    }

    /// Runs the model on tokenised texts; results come back in input order.
    fn encode_ids(
        &self,
        token_ids: Vec<Vec<u32>>,
        untruncated_tokens: Vec<usize>,
        cancel: &AtomicBool,
    ) -> Result<Vec<Encoded>> {
        let head = self.head();
        type WithSources = (SparseVector, Vec<(u32, u32)>);
        let mut vectors: Vec<Option<WithSources>> = vec![None; token_ids.len()];
        self.backbone
            .run_batches(&token_ids, cancel, |batch, seqs, hidden| {
                head.transform(hidden);
                let d = self.backbone.model.hidden();
                let mut rows = Vec::with_capacity(seqs.len());
                let mut start = 0;
                for seq in seqs {
                    rows.push(&hidden[start * d..(start + seq.len()) * d]);
                    start += seq.len();
                }
                for (&i, pooled) in batch.iter().zip(head.decoder.pool_batch(&rows)) {
                    let vector = SparseVector::from_dense(&pooled.weights);
                    let sources = vector
                        .ids
                        .iter()
                        .map(|&id| (id, pooled.sources[id as usize]))
                        .collect();
                    vectors[i] = Some((vector, sources));
                }
            })?;
        Ok(vectors
            .into_iter()
            .zip(token_ids)
            .zip(untruncated_tokens)
            .map(|((vector, token_ids), untruncated_tokens)| {
                let (vector, sources) = vector.expect("every text is in one batch");
                Encoded {
                    vector,
                    sources,
                    token_ids,
                    untruncated_tokens,
                }
            })
            .collect())
    }

    /// The non-zero terms of an encoded text, heaviest first (ties by id), each marked as
    /// input or expansion, with its source in `input` (the text's [`Self::input_text`]).
    pub fn terms(&self, encoded: &Encoded, input: &InputText) -> Vec<Term> {
        let tokens: HashSet<u32> = encoded.token_ids.iter().copied().collect();
        encoded
            .vector
            .by_weight()
            .into_iter()
            .map(|(id, weight)| Term {
                id,
                token: self.token(id).to_string(),
                weight,
                kind: TermKind::of(tokens.contains(&id)),
                source: input.source(encoded, id),
            })
            .collect()
    }

    /// Token strings of token ids.
    pub fn tokens(&self, ids: &[u32]) -> Vec<String> {
        ids.iter().map(|&id| self.token(id).to_string()).collect()
    }
}
