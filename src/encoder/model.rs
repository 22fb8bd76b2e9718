//! The network: a BERT or DistilBERT backbone from candle-transformers, and the MLM head
//! whose vocabulary projection runs in the fused SPLADE kernel ([`PackedDecoder`]).
//!
//! Tensor names follow the checkpoints (`VarBuilder` prefixes mirror them):
//!
//! | part | BertForMaskedLM | DistilBertForMaskedLM |
//! |---|---|---|
//! | backbone | `bert.*` | `distilbert.*` |
//! | head dense | `cls.predictions.transform.dense` | `vocab_transform` |
//! | head norm | `cls.predictions.transform.LayerNorm` | `vocab_layer_norm` |
//! | decoder | `cls.predictions.decoder.weight`, else tied to `bert.embeddings.word_embeddings.weight` | `vocab_projector.weight`, else tied to `distilbert.embeddings.word_embeddings.weight` |
//! | decoder bias | `cls.predictions.bias` or `cls.predictions.decoder.bias` | `vocab_projector.bias` |
//!
//! LayerNorm parameters may be named `weight`/`bias` or the older `gamma`/`beta`.

use candle_core::{DType, Device, Module, Tensor};
use candle_nn::{LayerNorm, Linear, VarBuilder};
use candle_transformers::models::{bert, distilbert};

use super::config::ModelConfig;
use super::vocab_max::PackedDecoder;

/// The transformer body: token ids in, contextual hidden states out.
pub enum Backbone {
    Bert(bert::BertModel),
    DistilBert(distilbert::DistilBertModel),
}

impl Backbone {
    /// Loads the backbone's tensors.
    pub fn load(vb: &VarBuilder, config: &ModelConfig) -> candle_core::Result<Self> {
        Ok(match config {
            ModelConfig::Bert(c) => Self::Bert(bert::BertModel::load(bert_root(vb), c)?),
            ModelConfig::DistilBert { config, .. } => {
                Self::DistilBert(distilbert::DistilBertModel::load(vb.pp("distilbert"), config)?)
            }
        })
    }

    /// `ids` and `mask` are `[batch, tokens]` (`u32`, mask 1 for real tokens); returns
    /// `[batch, tokens, hidden]`. Token type ids are all 0, as in the SPLADE reference.
    pub fn forward(&self, ids: &Tensor, mask: &Tensor) -> candle_core::Result<Tensor> {
        match self {
            Self::Bert(m) => m.forward(ids, &ids.zeros_like()?, Some(mask)),
            Self::DistilBert(m) => {
                let (b, t) = mask.dims2()?;
                // candle's DistilBERT masks the positions where this is 1.
                let padding = mask.eq(0u32)?.reshape((b, 1, 1, t))?;
                m.forward(ids, &padding)
            }
        }
    }
}

/// BERT tensors live under `bert.` in BertForMaskedLM checkpoints.
fn bert_root<'a>(vb: &VarBuilder<'a>) -> VarBuilder<'a> {
    if vb.contains_tensor("bert.embeddings.word_embeddings.weight") {
        vb.pp("bert")
    } else {
        vb.clone()
    }
}

/// The MLM head: `dense → activation → LayerNorm`, then the (fused) vocabulary projection.
pub struct MlmHead {
    dense: Linear,
    activation: bert::HiddenAct,
    norm: LayerNorm,
    /// The decoder, repacked for the fused max-pooling kernel.
    pub decoder: PackedDecoder,
    /// Whether the decoder reuses the word embeddings.
    pub tied: bool,
}

impl MlmHead {
    /// Loads the head, tied or untied.
    pub fn load(vb: &VarBuilder, config: &ModelConfig) -> candle_core::Result<Self> {
        let hidden = config.hidden_size();
        let vocab = config.vocab_size();
        let (transform, norm_name, decoder_name, embeddings_name, bias_names) = match config {
            ModelConfig::Bert(_) => (
                "cls.predictions.transform.dense",
                "cls.predictions.transform.LayerNorm",
                "cls.predictions.decoder.weight",
                if vb.contains_tensor("bert.embeddings.word_embeddings.weight") {
                    "bert.embeddings.word_embeddings.weight"
                } else {
                    "embeddings.word_embeddings.weight"
                },
                &["cls.predictions.bias", "cls.predictions.decoder.bias"][..],
            ),
            ModelConfig::DistilBert { .. } => (
                "vocab_transform",
                "vocab_layer_norm",
                "vocab_projector.weight",
                "distilbert.embeddings.word_embeddings.weight",
                &["vocab_projector.bias"][..],
            ),
        };
        let dense = candle_nn::linear(hidden, hidden, vb.pp(transform))?;
        let norm = candle_nn::layer_norm(hidden, config.head_layer_norm_eps(), vb.pp(norm_name))?;
        let tied = !vb.contains_tensor(decoder_name);
        let weight_name = if tied { embeddings_name } else { decoder_name };
        let weight = vb.get((vocab, hidden), weight_name)?;
        let bias = match bias_names.iter().find(|name| vb.contains_tensor(name)) {
            Some(name) => vb.get(vocab, name)?,
            None => candle_core::bail!("cannot find tensor {} (the decoder bias)", bias_names[0]),
        };
        let weight: Vec<f32> = weight.to_dtype(DType::F32)?.flatten_all()?.to_vec1()?;
        let bias: Vec<f32> = bias.to_dtype(DType::F32)?.to_vec1()?;
        Ok(Self {
            dense,
            activation: config.head_activation(),
            norm,
            decoder: PackedDecoder::new(&weight, &bias, vocab, hidden),
            tied,
        })
    }

    /// `dense → activation → LayerNorm` on `[batch, tokens, hidden]`.
    pub fn transform(&self, hidden: &Tensor) -> candle_core::Result<Tensor> {
        let x = self.dense.forward(hidden)?;
        let x = match self.activation {
            bert::HiddenAct::Gelu => x.gelu_erf()?,
            bert::HiddenAct::GeluApproximate => x.gelu()?,
            bert::HiddenAct::Relu => x.relu()?,
        };
        self.norm.forward(&x)
    }
}

/// The CPU device all tensors live on.
pub fn device() -> Device {
    Device::Cpu
}
