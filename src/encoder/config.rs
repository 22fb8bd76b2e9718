//! Reading `config.json`: which architecture to build and with which sizes.

use std::path::Path;

use candle_transformers::models::{bert, distilbert};
use serde::Deserialize;

use super::error::{EncoderError, Result};

/// The masked-language-model architectures spladescope runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Architecture {
    /// `BertForMaskedLM` (splade-tiny, naver/splade-cocondenser-*, splade-v3).
    Bert,
    /// `DistilBertForMaskedLM` (splade-v3-distilbert, opensearch sparse models).
    DistilBert,
}

impl Architecture {
    /// The Hugging Face class name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Bert => "BertForMaskedLM",
            Self::DistilBert => "DistilBertForMaskedLM",
        }
    }
}

/// The parsed model configuration.
#[derive(Debug, Clone)]
pub enum ModelConfig {
    Bert(bert::Config),
    DistilBert {
        config: distilbert::Config,
        /// `dim` is private in candle's config; kept here for the head.
        dim: usize,
        /// The head's activation (`activation` in the config).
        activation: bert::HiddenAct,
        max_position_embeddings: usize,
    },
}

/// The few fields read before choosing a config type.
#[derive(Deserialize)]
struct Probe {
    #[serde(default)]
    architectures: Vec<String>,
    model_type: Option<String>,
}

/// DistilBERT fields candle's config keeps private.
#[derive(Deserialize)]
struct DistilProbe {
    dim: usize,
    activation: bert::HiddenAct,
    max_position_embeddings: usize,
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
        let bad = |e: serde_json::Error| EncoderError::Config {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        let probe: Probe = serde_json::from_str(text).map_err(bad)?;
        let arch = match (probe.architectures.first().map(String::as_str), probe.model_type.as_deref()) {
            (Some("BertForMaskedLM"), _) | (None, Some("bert")) => Architecture::Bert,
            (Some("DistilBertForMaskedLM"), _) | (None, Some("distilbert")) => Architecture::DistilBert,
            (found, model_type) => {
                return Err(EncoderError::UnsupportedArchitecture {
                    path: path.to_path_buf(),
                    found: found.or(model_type).unwrap_or("(none given)").to_string(),
                })
            }
        };
        Ok(match arch {
            Architecture::Bert => Self::Bert(serde_json::from_str(text).map_err(bad)?),
            Architecture::DistilBert => {
                let extra: DistilProbe = serde_json::from_str(text).map_err(bad)?;
                Self::DistilBert {
                    config: serde_json::from_str(text).map_err(bad)?,
                    dim: extra.dim,
                    activation: extra.activation,
                    max_position_embeddings: extra.max_position_embeddings,
                }
            }
        })
    }

    /// Which architecture this config describes.
    pub fn architecture(&self) -> Architecture {
        match self {
            Self::Bert(_) => Architecture::Bert,
            Self::DistilBert { .. } => Architecture::DistilBert,
        }
    }

    /// Vocabulary size.
    pub fn vocab_size(&self) -> usize {
        match self {
            Self::Bert(c) => c.vocab_size,
            Self::DistilBert { config, .. } => config.vocab_size,
        }
    }

    /// Hidden size.
    pub fn hidden_size(&self) -> usize {
        match self {
            Self::Bert(c) => c.hidden_size,
            Self::DistilBert { dim, .. } => *dim,
        }
    }

    /// The longest sequence the position embeddings allow.
    pub fn max_positions(&self) -> usize {
        match self {
            Self::Bert(c) => c.max_position_embeddings,
            Self::DistilBert {
                max_position_embeddings,
                ..
            } => *max_position_embeddings,
        }
    }

    /// LayerNorm epsilon of the MLM head.
    pub fn head_layer_norm_eps(&self) -> f64 {
        match self {
            Self::Bert(c) => c.layer_norm_eps,
            Self::DistilBert { .. } => 1e-12,
        }
    }

    /// The MLM head's activation.
    pub fn head_activation(&self) -> bert::HiddenAct {
        match self {
            Self::Bert(c) => c.hidden_act,
            Self::DistilBert { activation, .. } => *activation,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_other_architectures_by_name() {
        let err = ModelConfig::from_json(
            r#"{"architectures":["RobertaForMaskedLM"],"model_type":"roberta"}"#,
            Path::new("x/config.json"),
        )
        .unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("RobertaForMaskedLM") && msg.contains("x/config.json"), "{msg}");
    }

    #[test]
    fn reports_missing_fields_with_the_path() {
        let err = ModelConfig::from_json(r#"{"architectures":["BertForMaskedLM"]}"#, Path::new("c.json"))
            .unwrap_err();
        assert!(err.to_string().contains("c.json"), "{err}");
        let err = ModelConfig::from_json("not json", Path::new("c.json")).unwrap_err();
        assert!(matches!(err, EncoderError::Config { .. }), "{err}");
    }
}
