//! What SPLADE and dense encoders share: a checkpoint's config, tokenizer and transformer,
//! the worker pool, tokenising a text's head (long texts stay cheap, see [`super::prefix`])
//! and running token sequences through the transformer in batches of similar length.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use candle_core::DType;
use candle_nn::VarBuilder;
use tokenizers::normalizers::NormalizerWrapper;
use tokenizers::{
    PostProcessor, Tokenizer, TruncationDirection, TruncationParams, TruncationStrategy,
};

use super::error::{EncoderError, Result};
use super::model::{self, Model};
use super::prefix;
use super::{EncoderOptions, ModelConfig, ModelFiles, WeightsFormat};

/// A loaded checkpoint with its tokenizer, ready to run token sequences.
pub struct Backbone {
    pub files: ModelFiles,
    pub config: ModelConfig,
    pub model: Model,
    /// Truncates on the right at `options.max_length`.
    pub tokenizer: Tokenizer,
    /// The same tokenizer without truncation (to count a long text's tokens).
    pub untruncated: Tokenizer,
    pub pad_id: u32,
    pub options: EncoderOptions,
    pub pool: rayon::ThreadPool,
    /// Where long texts may be cut before tokenising ([`prefix`]).
    cuts: prefix::Cuts,
}

impl Backbone {
    /// Loads a checkpoint; with `mlm_head` its MLM head too (refusing a checkpoint that
    /// declares none).
    pub fn load(files: ModelFiles, mut options: EncoderOptions, mlm_head: bool) -> Result<Self> {
        let config = ModelConfig::from_file(&files.config)?;
        if mlm_head && !config.mlm_head {
            return Err(EncoderError::NoMlmHead {
                path: files.config.clone(),
                class: config.class.clone(),
            });
        }
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
        let model = Model::load(&vb, &config, mlm_head).map_err(weights_err)?;
        let pad_id = tokenizer
            .get_padding()
            .map(|p| p.pad_id)
            .or_else(|| tokenizer.token_to_id("[PAD]"))
            .unwrap_or(0);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(options.threads)
            .thread_name(|i| format!("spladescope-encode-{i}"))
            .build()
            .map_err(|e| EncoderError::ThreadPool(e.to_string()))?;
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
            pad_id,
            options: EncoderOptions {
                batch_size: options.batch_size.max(1),
                ..options
            },
            pool,
        })
    }

    /// Token ids of a text cut to `max_length` tokens (keeping the final special token).
    pub fn token_ids(&self, text: &str, max_length: usize) -> Result<Vec<u32>> {
        Ok(self
            .input_pieces(text, max_length)?
            .into_iter()
            .map(|p| p.id)
            .collect())
    }

    /// The pieces of a text cut to `max_length` tokens (keeping the final special token),
    /// position by position as the model sees them: id, byte range and word.
    pub fn input_pieces(&self, text: &str, max_length: usize) -> Result<Vec<InputPiece>> {
        let mut words = max_length;
        let mut pieces = loop {
            let head = self.cuts.word_prefix(text, words);
            let enc = self
                .untruncated
                .encode(head, true)
                .map_err(|e| EncoderError::Tokenize(e.to_string()))?;
            // A prefix with `max_length` tokens cuts to what the whole text cuts to.
            if enc.len() >= max_length || head.len() == text.len() {
                break enc
                    .get_ids()
                    .iter()
                    .zip(enc.get_offsets())
                    .zip(enc.get_word_ids())
                    .zip(enc.get_special_tokens_mask())
                    .map(|(((&id, &(start, end)), &word), &special)| InputPiece {
                        id,
                        span: (special == 0 && start < end && end <= head.len())
                            .then_some(start..end),
                        word: if special == 0 { word } else { None },
                    })
                    .collect::<Vec<_>>();
            }
            words = words.saturating_mul(2);
        };
        if pieces.len() > max_length && max_length >= 2 {
            let last = pieces.pop().expect("longer than max_length");
            pieces.truncate(max_length - 1);
            pieces.push(last);
        }
        Ok(pieces)
    }

    /// The word-piece tokens of a text with their byte ranges, special tokens left out,
    /// untruncated.
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

    /// The token ids the model sees for each text (never empty) and each text's token
    /// count before truncation.
    pub fn tokenize<S: AsRef<str> + Sync>(
        &self,
        texts: &[S],
    ) -> Result<(Vec<Vec<u32>>, Vec<usize>)> {
        use rayon::prelude::*;
        let heads: Vec<(Vec<u32>, usize)> = self.pool.install(|| {
            texts
                .par_iter()
                .map(|t| self.tokenize_head(t.as_ref()))
                .collect::<Result<_>>()
        })?;
        let (mut token_ids, untruncated): (Vec<Vec<u32>>, Vec<usize>) = heads.into_iter().unzip();
        for ids in &mut token_ids {
            if ids.is_empty() {
                // A tokenizer without a post-processor gives nothing for an empty text; the
                // model still needs one position.
                ids.push(self.pad_id);
            }
        }
        Ok((token_ids, untruncated))
    }

    /// Runs the sequences through the transformer, longest first in batches of
    /// `batch_size` (similar work, bounded memory); `each(indices, sequences, hidden)` gets
    /// every batch's input indices, sequences and last hidden states `[Σ len, hidden]`.
    /// Stops with [`EncoderError::Interrupted`] once `cancel` is set (checked per batch).
    pub fn run_batches(
        &self,
        token_ids: &[Vec<u32>],
        cancel: &AtomicBool,
        mut each: impl FnMut(&[usize], &[&[u32]], &mut [f32]) + Send,
    ) -> Result<()> {
        let mut order: Vec<usize> = (0..token_ids.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(token_ids[i].len()));
        self.pool.install(|| {
            for batch in order.chunks(self.options.batch_size) {
                if cancel.load(Ordering::Relaxed) {
                    return Err(EncoderError::Interrupted);
                }
                let seqs: Vec<&[u32]> = batch.iter().map(|&i| token_ids[i].as_slice()).collect();
                let mut hidden = self.model.forward(&seqs);
                each(batch, &seqs, &mut hidden);
            }
            Ok(())
        })
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
            return Ok((ids, self.count_tokens(text)?));
        }
    }

    /// The tokens of the whole text, special tokens included, counted piece by piece so
    /// that memory stays in proportion to a piece ([`prefix`]).
    pub fn count_tokens(&self, text: &str) -> Result<usize> {
        let specials = self
            .untruncated
            .get_post_processor()
            .map_or(0, |p| p.added_tokens(false));
        let mut count = specials;
        for piece in self.cuts.pieces(text, 1 << 16) {
            count += self
                .untruncated
                .encode(piece, false)
                .map_err(|e| EncoderError::Tokenize(e.to_string()))?
                .len();
        }
        Ok(count)
    }
}

/// One position of a model input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputPiece {
    /// Vocabulary id.
    pub id: u32,
    /// Byte range in the text (`None` for special tokens).
    pub span: Option<std::ops::Range<usize>>,
    /// Index of the word (as the pre-tokenizer split the text) the piece belongs to (`None`
    /// for special tokens).
    pub word: Option<u32>,
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
