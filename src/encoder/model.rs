//! The network, loaded from a checkpoint into plain `f32` buffers: a BERT or DistilBERT
//! encoder, and for SPLADE the MLM head, whose vocabulary projection runs in the fused
//! SPLADE kernel ([`PackedDecoder`]). Dense (sentence-embedding) models use the encoder
//! alone.
//!
//! The forward pass works on the concatenated rows of all sequences of a batch, with no
//! padding: linear layers run on row blocks, attention runs per sequence and head over that
//! sequence's own tokens. This equals the padded, masked computation of the reference
//! (masked keys get weight exactly 0 there) without spending work on padding.
//!
//! Tensor names follow the checkpoints; LayerNorm parameters may be `weight`/`bias` or the
//! older `gamma`/`beta`:
//!
//! | part | BertForMaskedLM | DistilBertForMaskedLM |
//! |---|---|---|
//! | embeddings | `bert.embeddings.{word,position,token_type}_embeddings`, `LayerNorm` | `distilbert.embeddings.{word,position}_embeddings`, `LayerNorm` |
//! | layer `i` | `bert.encoder.layer.i.attention.self.{query,key,value}`, `attention.output.{dense,LayerNorm}`, `intermediate.dense`, `output.{dense,LayerNorm}` | `distilbert.transformer.layer.i.attention.{q,k,v,out}_lin`, `sa_layer_norm`, `ffn.lin{1,2}`, `output_layer_norm` |
//! | head | `cls.predictions.transform.{dense,LayerNorm}` | `vocab_transform`, `vocab_layer_norm` |
//! | decoder | `cls.predictions.decoder.weight`, else tied to the word embeddings | `vocab_projector.weight`, else tied |
//! | decoder bias | `cls.predictions.bias` or `cls.predictions.decoder.bias` | `vocab_projector.bias` |

use candle_core::{DType, Device};
use candle_nn::VarBuilder;
use rayon::prelude::*;

use super::config::{Architecture, ModelConfig};
use super::kernel::PackedWeights;
use super::linalg::{Activation, LayerNorm, Linear};
use super::vmath::softmax_rows;
use super::vocab_max::PackedDecoder;

/// Rows per parallel task in the dense layers.
const ROW_BLOCK: usize = 32;

type LoadResult<T> = candle_core::Result<T>;

/// A BERT-family encoder, with its MLM head when loaded for SPLADE.
pub struct Model {
    hidden: usize,
    heads: usize,
    activation: Activation,
    word: Vec<f32>,
    position: Vec<f32>,
    token_type: Option<Vec<f32>>,
    embed_norm: LayerNorm,
    layers: Vec<Layer>,
    /// The MLM head (SPLADE models only).
    pub head: Option<MlmHead>,
}

/// The masked-language-model head: `dense → activation → LayerNorm`, then the vocabulary
/// projection.
pub struct MlmHead {
    dense: Linear,
    norm: LayerNorm,
    activation: Activation,
    /// The decoder, repacked for the fused max-pooling kernel.
    pub decoder: PackedDecoder,
    /// Whether the decoder reuses the word embeddings.
    pub tied: bool,
}

impl MlmHead {
    /// The head transform (`dense → activation → LayerNorm`) of `[rows, hidden]` in place,
    /// before the vocabulary projection. Must run inside the encoder's rayon pool.
    pub fn transform(&self, x: &mut [f32]) {
        let d = self.norm.gamma.len();
        x.par_chunks_mut(ROW_BLOCK * d).for_each(|x| {
            let mut h = vec![0.0; x.len()];
            self.dense.forward(x, &mut h);
            self.activation.apply(&mut h);
            self.norm.forward(&mut h);
            x.copy_from_slice(&h);
        });
    }
}

struct Layer {
    /// Query, key and value projections stacked: `[3·hidden, hidden]`.
    qkv: Linear,
    attn_out: Linear,
    attn_norm: LayerNorm,
    ffn_up: Linear,
    ffn_down: Linear,
    ffn_norm: LayerNorm,
}

/// Tensor names of one architecture.
struct Names {
    root: &'static str,
    word: &'static str,
    position: &'static str,
    token_type: Option<&'static str>,
    embed_norm: &'static str,
    layer: &'static str,
    q: &'static str,
    k: &'static str,
    v: &'static str,
    attn_out: &'static str,
    attn_norm: &'static str,
    ffn_up: &'static str,
    ffn_down: &'static str,
    ffn_norm: &'static str,
    head_dense: &'static str,
    head_norm: &'static str,
    decoder: &'static str,
    decoder_bias: &'static [&'static str],
}

const BERT: Names = Names {
    root: "bert.",
    word: "embeddings.word_embeddings.weight",
    position: "embeddings.position_embeddings.weight",
    token_type: Some("embeddings.token_type_embeddings.weight"),
    embed_norm: "embeddings.LayerNorm",
    layer: "encoder.layer",
    q: "attention.self.query",
    k: "attention.self.key",
    v: "attention.self.value",
    attn_out: "attention.output.dense",
    attn_norm: "attention.output.LayerNorm",
    ffn_up: "intermediate.dense",
    ffn_down: "output.dense",
    ffn_norm: "output.LayerNorm",
    head_dense: "cls.predictions.transform.dense",
    head_norm: "cls.predictions.transform.LayerNorm",
    decoder: "cls.predictions.decoder.weight",
    decoder_bias: &["cls.predictions.bias", "cls.predictions.decoder.bias"],
};

const DISTILBERT: Names = Names {
    root: "distilbert.",
    word: "embeddings.word_embeddings.weight",
    position: "embeddings.position_embeddings.weight",
    token_type: None,
    embed_norm: "embeddings.LayerNorm",
    layer: "transformer.layer",
    q: "attention.q_lin",
    k: "attention.k_lin",
    v: "attention.v_lin",
    attn_out: "attention.out_lin",
    attn_norm: "sa_layer_norm",
    ffn_up: "ffn.lin1",
    ffn_down: "ffn.lin2",
    ffn_norm: "output_layer_norm",
    head_dense: "vocab_transform",
    head_norm: "vocab_layer_norm",
    decoder: "vocab_projector.weight",
    decoder_bias: &["vocab_projector.bias"],
};

/// Reads tensors by name as `f32` vectors, checking shapes.
struct Reader<'a> {
    vb: &'a VarBuilder<'a>,
}

impl Reader<'_> {
    fn has(&self, name: &str) -> bool {
        self.vb.contains_tensor(name)
    }

    fn get(&self, shape: &[usize], name: &str) -> LoadResult<Vec<f32>> {
        self.vb
            .get(shape, name)?
            .to_dtype(DType::F32)?
            .flatten_all()?
            .to_vec1()
    }

    fn linear(&self, name: &str, inputs: usize, outputs: usize) -> LoadResult<Linear> {
        let (w, b) = self.linear_parts(name, inputs, outputs)?;
        Ok(Linear::new(&w, b, inputs, outputs))
    }

    fn linear_parts(
        &self,
        name: &str,
        inputs: usize,
        outputs: usize,
    ) -> LoadResult<(Vec<f32>, Vec<f32>)> {
        Ok((
            self.get(&[outputs, inputs], &format!("{name}.weight"))?,
            self.get(&[outputs], &format!("{name}.bias"))?,
        ))
    }

    fn layer_norm(&self, name: &str, size: usize, eps: f32) -> LoadResult<LayerNorm> {
        let pick = |a: &str, b: &str| {
            if self.has(&format!("{name}.{a}")) {
                format!("{name}.{a}")
            } else if self.has(&format!("{name}.{b}")) {
                format!("{name}.{b}")
            } else {
                format!("{name}.{a}")
            }
        };
        Ok(LayerNorm {
            gamma: self.get(&[size], &pick("weight", "gamma"))?,
            beta: self.get(&[size], &pick("bias", "beta"))?,
            eps,
        })
    }
}

impl Model {
    /// Loads every tensor the forward pass needs, the MLM head too when `with_head`; shapes
    /// are checked against the config.
    pub fn load(vb: &VarBuilder, config: &ModelConfig, with_head: bool) -> LoadResult<Self> {
        let names = match config.architecture {
            Architecture::Bert => BERT,
            Architecture::DistilBert => DISTILBERT,
        };
        let r = Reader { vb };
        // Some BERT checkpoints are saved without the `bert.` prefix.
        let root = if r.has(&format!("{}{}", names.root, names.word)) {
            names.root
        } else {
            ""
        };
        let (d, v, ff, eps) = (
            config.hidden_size,
            config.vocab_size,
            config.intermediate_size,
            config.layer_norm_eps,
        );
        let at = |name: &str| format!("{root}{name}");
        let word = r.get(&[v, d], &at(names.word))?;
        let position = r.get(&[config.max_positions, d], &at(names.position))?;
        let token_type = match names.token_type {
            Some(name) if r.has(&at(name)) => {
                let table = r.vb.get_unchecked_dtype(&at(name), DType::F32)?;
                Some(table.get(0)?.to_vec1::<f32>()?)
            }
            _ => None,
        };
        let embed_norm = r.layer_norm(&at(names.embed_norm), d, eps)?;
        let layers = (0..config.layers)
            .map(|i| {
                let p = |part: &str| format!("{root}{}.{i}.{part}", names.layer);
                let (q, k, vv) = (
                    r.linear_parts(&p(names.q), d, d)?,
                    r.linear_parts(&p(names.k), d, d)?,
                    r.linear_parts(&p(names.v), d, d)?,
                );
                Ok(Layer {
                    qkv: Linear::new(
                        &[q.0, k.0, vv.0].concat(),
                        [q.1, k.1, vv.1].concat(),
                        d,
                        3 * d,
                    ),
                    attn_out: r.linear(&p(names.attn_out), d, d)?,
                    attn_norm: r.layer_norm(&p(names.attn_norm), d, eps)?,
                    ffn_up: r.linear(&p(names.ffn_up), d, ff)?,
                    ffn_down: r.linear(&p(names.ffn_down), ff, d)?,
                    ffn_norm: r.layer_norm(&p(names.ffn_norm), d, eps)?,
                })
            })
            .collect::<LoadResult<Vec<_>>>()?;
        let head = if with_head {
            Some(load_head(&r, &names, config, &word)?)
        } else {
            None
        };
        Ok(Self {
            hidden: d,
            heads: config.heads,
            activation: config.activation,
            word,
            position,
            token_type,
            embed_norm,
            layers,
            head,
        })
    }

    /// Hidden size.
    pub fn hidden(&self) -> usize {
        self.hidden
    }

    /// Runs the encoder on each sequence; returns the last layer's rows concatenated,
    /// `[Σ len, hidden]`. Must run inside the encoder's rayon pool. Token ids must be below
    /// the vocabulary size.
    pub fn forward(&self, seqs: &[&[u32]]) -> Vec<f32> {
        let d = self.hidden;
        let mut x = self.embed(seqs);
        for layer in &self.layers {
            let ctx = self.attention(layer, &x, seqs);
            x.par_chunks_mut(ROW_BLOCK * d)
                .zip(ctx.par_chunks(ROW_BLOCK * d))
                .for_each(|(x, ctx)| self.feed_forward(layer, x, ctx));
        }
        x
    }

    /// Word + position (+ token type 0) embeddings, normalised.
    fn embed(&self, seqs: &[&[u32]]) -> Vec<f32> {
        let d = self.hidden;
        let vocab = self.word.len() / d;
        let mut x = Vec::with_capacity(seqs.iter().map(|s| s.len()).sum::<usize>() * d);
        for seq in seqs {
            for (pos, &id) in seq.iter().enumerate() {
                let id = (id as usize).min(vocab - 1);
                let word = &self.word[id * d..(id + 1) * d];
                let position = &self.position[pos * d..(pos + 1) * d];
                let start = x.len();
                x.extend(word.iter().zip(position).map(|(w, p)| w + p));
                if let Some(tt) = &self.token_type {
                    x[start..].iter_mut().zip(tt).for_each(|(v, t)| *v += t);
                }
            }
        }
        x.par_chunks_mut(ROW_BLOCK * d)
            .for_each(|rows| self.embed_norm.forward(rows));
        x
    }

    /// Multi-head self-attention of every sequence over its own tokens; returns the
    /// per-position context vectors `[Σ len, hidden]` (before the output projection).
    fn attention(&self, layer: &Layer, x: &[f32], seqs: &[&[u32]]) -> Vec<f32> {
        let d = self.hidden;
        let mut qkv = vec![0.0; x.len() * 3];
        qkv.par_chunks_mut(ROW_BLOCK * 3 * d)
            .zip(x.par_chunks(ROW_BLOCK * d))
            .for_each(|(out, x)| layer.qkv.forward(x, out));

        let dh = d / self.heads;
        let scale = 1.0 / (dh as f32).sqrt();
        let mut starts = Vec::with_capacity(seqs.len());
        let mut row = 0;
        for seq in seqs {
            starts.push(row);
            row += seq.len();
        }
        let tasks: Vec<(usize, usize, usize)> = seqs
            .iter()
            .zip(&starts)
            .flat_map(|(seq, &start)| (0..self.heads).map(move |h| (start, seq.len(), h)))
            .collect();
        let heads: Vec<Vec<f32>> = tasks
            .par_iter()
            .map(|&(start, len, h)| {
                let rows = &qkv[start * 3 * d..(start + len) * 3 * d];
                let at = |t: usize, col: usize| rows[t * 3 * d + col];
                // scores = Q·Kᵀ / sqrt(dh): the keys are the "weights" [len, dh].
                let keys = PackedWeights::from_fn(len, dh, |t, i| at(t, d + h * dh + i));
                let queries: Vec<f32> = (0..len)
                    .flat_map(|t| (0..dh).map(move |i| at(t, h * dh + i)))
                    .collect();
                let mut scores = vec![0.0f32; len * len];
                keys.matmul(&queries, &mut scores);
                scores.iter_mut().for_each(|s| *s *= scale);
                softmax_rows(&mut scores, len);
                // context = P·V: Vᵀ is the "weights" [dh, len].
                let values_t = PackedWeights::from_fn(dh, len, |i, t| at(t, 2 * d + h * dh + i));
                let mut out = vec![0.0f32; len * dh];
                values_t.matmul(&scores, &mut out);
                out
            })
            .collect();
        let mut ctx = vec![0.0; x.len()];
        for (&(start, len, h), out) in tasks.iter().zip(&heads) {
            for t in 0..len {
                ctx[(start + t) * d + h * dh..][..dh].copy_from_slice(&out[t * dh..(t + 1) * dh]);
            }
        }
        ctx
    }

    /// Attention output + residual + norm, then the feed-forward block + residual + norm,
    /// on one block of rows in place.
    fn feed_forward(&self, layer: &Layer, x: &mut [f32], ctx: &[f32]) {
        let rows = x.len() / self.hidden;
        let mut h = vec![0.0; x.len()];
        layer.attn_out.forward(ctx, &mut h);
        h.iter_mut().zip(x.iter()).for_each(|(h, x)| *h += x);
        layer.attn_norm.forward(&mut h);
        let mut up = vec![0.0; rows * layer.ffn_up.outputs()];
        layer.ffn_up.forward(&h, &mut up);
        self.activation.apply(&mut up);
        layer.ffn_down.forward(&up, x);
        x.iter_mut().zip(&h).for_each(|(x, h)| *x += h);
        layer.ffn_norm.forward(x);
    }
}

/// Loads the MLM head; the decoder is tied to `word` when the checkpoint has none.
fn load_head(r: &Reader, names: &Names, config: &ModelConfig, word: &[f32]) -> LoadResult<MlmHead> {
    let (d, v) = (config.hidden_size, config.vocab_size);
    let dense = r.linear(names.head_dense, d, d)?;
    let norm = r.layer_norm(names.head_norm, d, config.layer_norm_eps)?;
    let tied = !r.has(names.decoder);
    let decoder_weight = if tied {
        None
    } else {
        Some(r.get(&[v, d], names.decoder)?)
    };
    let bias = match names.decoder_bias.iter().find(|n| r.has(n)) {
        Some(name) => r.get(&[v], name)?,
        None => candle_core::bail!(
            "cannot find tensor {} (the decoder bias)",
            names.decoder_bias[0]
        ),
    };
    let decoder = PackedDecoder::new(decoder_weight.as_deref().unwrap_or(word), &bias, v, d);
    Ok(MlmHead {
        dense,
        norm,
        activation: config.activation,
        decoder,
        tied,
    })
}

/// The CPU device tensors are read on.
pub fn device() -> Device {
    Device::Cpu
}
