//! Reading `config.json`: which architecture to build and with which sizes.

use std::path::Path;

use serde::Deserialize;

use super::error::{EncoderError, Result};
use super::linalg::Activation;

/// The transformer families spladescope runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Architecture {
    /// BERT: `BertForMaskedLM` (splade-tiny, naver/splade-cocondenser-*, splade-v3) or a
    /// bare `BertModel` (sentence-transformers bi-encoders such as all-MiniLM-L6-v2).
    Bert,
    /// DistilBERT: `DistilBertForMaskedLM` (splade-v3-distilbert, opensearch sparse models)
    /// or a bare `DistilBertModel`.
    DistilBert,
}

impl Architecture {
    /// The Hugging Face class name of the masked-language model.
    pub fn name(self) -> &'static str {
        match self {
            Self::Bert => "BertForMaskedLM",
            Self::DistilBert => "DistilBertForMaskedLM",
        }
    }
}

/// The sizes and choices the forward pass needs, from either architecture's config.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelConfig {
    pub architecture: Architecture,
    /// The class `config.json` names (`BertForMaskedLM`, `BertModel`, …; the family's MLM
    /// class when only `model_type` is given).
    pub class: String,
    /// Whether the checkpoint declares a masked-language-model head (SPLADE needs one; a
    /// bare `BertModel` is a sentence encoder).
    pub mlm_head: bool,
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub layers: usize,
    pub heads: usize,
    pub intermediate_size: usize,
    /// Activation of the feed-forward blocks and of the MLM head.
    pub activation: Activation,
    /// Longest sequence the position embeddings allow.
    pub max_positions: usize,
    pub layer_norm_eps: f32,
}

#[derive(Deserialize)]
struct Probe {
    #[serde(default)]
    architectures: Vec<String>,
    model_type: Option<String>,
}

#[derive(Deserialize)]
struct BertJson {
    vocab_size: usize,
    hidden_size: usize,
    num_hidden_layers: usize,
    num_attention_heads: usize,
    intermediate_size: usize,
    hidden_act: String,
    max_position_embeddings: usize,
    #[serde(default = "default_eps")]
    layer_norm_eps: f64,
    position_embedding_type: Option<String>,
}

#[derive(Deserialize)]
struct DistilBertJson {
    vocab_size: usize,
    dim: usize,
    n_layers: usize,
    n_heads: usize,
    hidden_dim: usize,
    activation: String,
    max_position_embeddings: usize,
}

fn default_eps() -> f64 {
    1e-12
}

impl ModelConfig {
    /// Reads and validates `config.json`.
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| EncoderError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_json(&text, path)
    }

    /// Parses a config held in memory (`path` is only used in messages).
    pub fn from_json(text: &str, path: &Path) -> Result<Self> {
        let fail = |message: String| EncoderError::Config {
            path: path.to_path_buf(),
            message,
        };
        let json = |e: serde_json::Error| fail(e.to_string());
        let probe: Probe = serde_json::from_str(text).map_err(json)?;
        let class = probe.architectures.first().map(String::as_str);
        let (architecture, mlm_head) = match (class, probe.model_type.as_deref()) {
            (Some("BertForMaskedLM"), _) | (None, Some("bert")) => (Architecture::Bert, true),
            (Some("BertModel"), _) => (Architecture::Bert, false),
            (Some("DistilBertForMaskedLM"), _) | (None, Some("distilbert")) => {
                (Architecture::DistilBert, true)
            }
            (Some("DistilBertModel"), _) => (Architecture::DistilBert, false),
            (found, model_type) => {
                return Err(EncoderError::UnsupportedArchitecture {
                    path: path.to_path_buf(),
                    found: found.or(model_type).unwrap_or("(none given)").to_string(),
                })
            }
        };
        let activation = |name: &str| {
            Activation::from_name(name).ok_or_else(|| {
                fail(format!(
                    "unsupported activation \"{name}\" (gelu, gelu_new, relu)"
                ))
            })
        };
        let config = match architecture {
            Architecture::Bert => {
                let c: BertJson = serde_json::from_str(text).map_err(json)?;
                if let Some(kind) = c.position_embedding_type.as_deref() {
                    if kind != "absolute" {
                        return Err(fail(format!(
                            "position_embedding_type \"{kind}\" is not supported (absolute)"
                        )));
                    }
                }
                Self {
                    architecture,
                    class: class.unwrap_or(architecture.name()).to_string(),
                    mlm_head,
                    vocab_size: c.vocab_size,
                    hidden_size: c.hidden_size,
                    layers: c.num_hidden_layers,
                    heads: c.num_attention_heads,
                    intermediate_size: c.intermediate_size,
                    activation: activation(&c.hidden_act)?,
                    max_positions: c.max_position_embeddings,
                    layer_norm_eps: c.layer_norm_eps as f32,
                }
            }
            Architecture::DistilBert => {
                let c: DistilBertJson = serde_json::from_str(text).map_err(json)?;
                Self {
                    architecture,
                    class: class.unwrap_or(architecture.name()).to_string(),
                    mlm_head,
                    vocab_size: c.vocab_size,
                    hidden_size: c.dim,
                    layers: c.n_layers,
                    heads: c.n_heads,
                    intermediate_size: c.hidden_dim,
                    activation: activation(&c.activation)?,
                    max_positions: c.max_position_embeddings,
                    layer_norm_eps: 1e-12,
                }
            }
        };
        if config.heads == 0 || config.hidden_size == 0 || config.hidden_size % config.heads != 0 {
            return Err(fail(format!(
                "hidden size {} is not a multiple of the {} attention heads",
                config.hidden_size, config.heads
            )));
        }
        if config.vocab_size == 0 || config.max_positions < 2 {
            return Err(fail(
                "vocab_size and max_position_embeddings must be positive".into(),
            ));
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TINY: &str = r#"{"architectures":["BertForMaskedLM"],"vocab_size":30522,
        "hidden_size":128,"num_hidden_layers":2,"num_attention_heads":2,"intermediate_size":512,
        "hidden_act":"gelu","max_position_embeddings":512,"layer_norm_eps":1e-12}"#;

    #[test]
    fn reads_bert_and_distilbert_configs() {
        let c = ModelConfig::from_json(TINY, Path::new("config.json")).unwrap();
        assert_eq!(
            (c.architecture, c.hidden_size, c.heads),
            (Architecture::Bert, 128, 2)
        );
        let d = ModelConfig::from_json(
            r#"{"architectures":["DistilBertForMaskedLM"],"vocab_size":10,"dim":8,"n_layers":1,
                "n_heads":2,"hidden_dim":16,"activation":"gelu","max_position_embeddings":32}"#,
            Path::new("config.json"),
        )
        .unwrap();
        assert_eq!(
            (d.architecture, d.intermediate_size),
            (Architecture::DistilBert, 16)
        );
    }

    #[test]
    fn rejects_other_architectures_by_name() {
        let err = ModelConfig::from_json(
            r#"{"architectures":["RobertaForMaskedLM"],"model_type":"roberta"}"#,
            Path::new("x/config.json"),
        )
        .unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("RobertaForMaskedLM") && msg.contains("x/config.json"),
            "{msg}"
        );
    }

    #[test]
    fn reports_bad_configs_with_the_path() {
        for bad in [
            r#"{"architectures":["BertForMaskedLM"]}"#.to_string(),
            "not json".to_string(),
            TINY.replace("\"gelu\"", "\"swish\""),
            TINY.replace("\"num_attention_heads\":2", "\"num_attention_heads\":3"),
        ] {
            let err = ModelConfig::from_json(&bad, Path::new("c.json")).unwrap_err();
            assert!(matches!(err, EncoderError::Config { .. }), "{err}");
            assert!(err.to_string().contains("c.json"), "{err}");
        }
    }
}
