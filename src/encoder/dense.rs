//! Dense (sentence-embedding) encoders: a BERT-family bi-encoder run as sentence-transformers
//! runs it, for the `dense` retrieval system.
//!
//! The pipeline comes from the model's sentence-transformers files:
//! - `modules.json`: `Transformer → Pooling [→ Normalize]` (other modules, such as a `Dense`
//!   projection, are refused by name);
//! - the Pooling module's `config.json`: **mean** over the text's tokens (`[CLS]` and
//!   `[SEP]` included, padding excluded) or the **CLS** token's hidden state;
//! - `sentence_bert_config.json`: `max_seq_length`, the default truncation (special tokens
//!   counted), as sentence-transformers applies it.
//!
//! ```text
//! mean:  e = (1/T) Σ_t h[t]      cls: e = h[0]      Normalize: e ← e / max(‖e‖₂, 1e-12)
//! ```
//!
//! in `f32`, summed in position order. The transformer is the one SPLADE runs
//! ([`super::model`]), without the MLM head.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};

use super::backbone::Backbone;
use super::error::{EncoderError, Result};
use super::source::{model_file, ModelFiles, ModelSpec};
use super::EncoderOptions;

/// How token states become one vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Pooling {
    /// Mean over the text's tokens.
    Mean,
    /// The first (`[CLS]`) token.
    Cls,
}

impl Pooling {
    /// Its name in manifests and messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::Mean => "mean",
            Self::Cls => "cls",
        }
    }
}

/// The sentence-transformers configuration of a dense model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DenseSpec {
    pub pooling: Pooling,
    /// Whether embeddings are L2-normalised (a `Normalize` module).
    pub normalize: bool,
    /// `max_seq_length` of `sentence_bert_config.json`, if given.
    pub max_seq_length: Option<usize>,
}

#[derive(Deserialize)]
struct Module {
    #[serde(default)]
    path: String,
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Deserialize)]
struct PoolingJson {
    #[serde(default)]
    pooling_mode_cls_token: bool,
    #[serde(default)]
    pooling_mode_mean_tokens: bool,
    #[serde(default)]
    pooling_mode_max_tokens: bool,
    #[serde(default)]
    pooling_mode_mean_sqrt_len_tokens: bool,
    #[serde(default)]
    pooling_mode_weightedmean_tokens: bool,
    #[serde(default)]
    pooling_mode_lasttoken: bool,
}

#[derive(Deserialize)]
struct SentenceBertJson {
    max_seq_length: Option<usize>,
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T> {
    let text = std::fs::read_to_string(path).map_err(|source| EncoderError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|e| EncoderError::Pooling {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

impl DenseSpec {
    /// Reads the sentence-transformers files of a model (`modules.json`, the pooling
    /// config, `sentence_bert_config.json`), fetching them like the weights; returns the
    /// settings and where `modules.json` is.
    pub fn resolve(spec: &ModelSpec) -> Result<(Self, PathBuf)> {
        let modules_path = model_file(spec, "modules.json")?;
        let modules: Vec<Module> = read_json(&modules_path)?;
        let fail = |message: String| EncoderError::Pooling {
            path: modules_path.clone(),
            message,
        };
        let short = |kind: &str| kind.rsplit('.').next().unwrap_or(kind).to_string();
        let mut pooling_file = None;
        let mut normalize = false;
        for (i, m) in modules.iter().enumerate() {
            match short(&m.kind).as_str() {
                "Transformer" if i == 0 => {}
                "Pooling" if i == 1 => {
                    pooling_file = Some(if m.path.is_empty() {
                        "config.json".to_string()
                    } else {
                        format!("{}/config.json", m.path.trim_end_matches('/'))
                    });
                }
                "Normalize" if i == 2 => normalize = true,
                other => {
                    return Err(fail(format!(
                        "module {i} is {other}; spladescope runs Transformer → Pooling \
                         [→ Normalize]"
                    )))
                }
            }
        }
        let pooling = match pooling_file {
            Some(file) => Some(Self::pooling(&model_file(spec, &file)?)?),
            None => None,
        };
        let pooling = pooling.ok_or_else(|| fail("no Pooling module".into()))?;
        let max_seq_length = match model_file(spec, "sentence_bert_config.json") {
            Ok(path) => read_json::<SentenceBertJson>(&path)?.max_seq_length,
            Err(EncoderError::MissingFile { .. }) => None,
            Err(e) => return Err(e),
        };
        let settings = Self {
            pooling,
            normalize,
            max_seq_length,
        };
        Ok((settings, modules_path))
    }

    fn pooling(path: &Path) -> Result<Pooling> {
        let p: PoolingJson = read_json(path)?;
        let modes = [
            ("cls_token", p.pooling_mode_cls_token),
            ("mean_tokens", p.pooling_mode_mean_tokens),
            ("max_tokens", p.pooling_mode_max_tokens),
            ("mean_sqrt_len_tokens", p.pooling_mode_mean_sqrt_len_tokens),
            ("weightedmean_tokens", p.pooling_mode_weightedmean_tokens),
            ("lasttoken", p.pooling_mode_lasttoken),
        ];
        let on: Vec<&str> = modes.iter().filter(|m| m.1).map(|m| m.0).collect();
        match on.as_slice() {
            ["cls_token"] => Ok(Pooling::Cls),
            ["mean_tokens"] => Ok(Pooling::Mean),
            _ => Err(EncoderError::Pooling {
                path: path.to_path_buf(),
                message: format!(
                    "pooling modes {on:?}: spladescope supports exactly one of cls_token, \
                     mean_tokens"
                ),
            }),
        }
    }
}

/// A loaded dense bi-encoder.
pub struct DenseEncoder {
    backbone: Backbone,
    spec: DenseSpec,
    /// Directory holding the sentence-transformers files (for fingerprints).
    modules: PathBuf,
}

impl DenseEncoder {
    /// Resolves a model (directory or Hub repo id) and loads it; `max_length` overrides the
    /// model's `max_seq_length`.
    pub fn from_spec(spec: &str, max_length: Option<usize>, threads: usize) -> Result<Self> {
        let parsed = ModelSpec::parse(spec)?;
        let files = ModelFiles::resolve(&parsed)?;
        let (dense, modules) = DenseSpec::resolve(&parsed)?;
        let options = EncoderOptions {
            max_length: max_length.or(dense.max_seq_length).unwrap_or(512),
            batch_size: 32,
            threads,
            clamp_max_length: max_length.is_none(),
        };
        Ok(Self {
            backbone: Backbone::load(files, options, false)?,
            spec: dense,
            modules,
        })
    }

    /// The model's files and display id.
    pub fn files(&self) -> &ModelFiles {
        &self.backbone.files
    }

    /// `modules.json` of the model.
    pub fn modules_file(&self) -> &Path {
        &self.modules
    }

    /// Pooling, normalisation and default length.
    pub fn spec(&self) -> DenseSpec {
        self.spec
    }

    /// Longest input in tokens, special tokens included.
    pub fn max_length(&self) -> usize {
        self.backbone.options.max_length
    }

    /// Embedding dimension.
    pub fn dim(&self) -> usize {
        self.backbone.model.hidden()
    }

    /// Vocabulary size of the tokenizer's model.
    pub fn vocab_size(&self) -> usize {
        self.backbone.config.vocab_size
    }

    /// The class `config.json` names.
    pub fn class(&self) -> &str {
        &self.backbone.config.class
    }

    /// Embeds one text.
    pub fn encode(&self, text: &str) -> Result<Vec<f32>> {
        let mut out = self.encode_batch(&[text])?;
        Ok(out.pop().expect("one text in, one vector out"))
    }

    /// Embeds many texts, in input order.
    pub fn encode_batch<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Result<Vec<Vec<f32>>> {
        self.encode_batch_until(texts, &AtomicBool::new(false))
    }

    /// [`encode_batch`](Self::encode_batch) that stops with [`EncoderError::Interrupted`]
    /// once `cancel` is set.
    pub fn encode_batch_until<S: AsRef<str> + Sync>(
        &self,
        texts: &[S],
        cancel: &AtomicBool,
    ) -> Result<Vec<Vec<f32>>> {
        let (token_ids, _) = self.backbone.tokenize(texts)?;
        let d = self.dim();
        let mut out = vec![Vec::new(); texts.len()];
        self.backbone
            .run_batches(&token_ids, cancel, |batch, seqs, hidden| {
                let mut start = 0;
                for (&i, seq) in batch.iter().zip(seqs) {
                    let rows = &hidden[start * d..(start + seq.len()) * d];
                    out[i] = self.pool(rows, d);
                    start += seq.len();
                }
            })?;
        Ok(out)
    }

    /// One text's embedding from its token states `[len, d]`.
    fn pool(&self, rows: &[f32], d: usize) -> Vec<f32> {
        let mut e = match self.spec.pooling {
            Pooling::Cls => rows[..d].to_vec(),
            Pooling::Mean => {
                let mut sum = vec![0.0f32; d];
                for row in rows.chunks_exact(d) {
                    sum.iter_mut().zip(row).for_each(|(s, x)| *s += x);
                }
                let n = (rows.len() / d) as f32;
                sum.iter_mut().for_each(|s| *s /= n);
                sum
            }
        };
        if self.spec.normalize {
            let norm = e.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
            e.iter_mut().for_each(|x| *x /= norm);
        }
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    const MODULES: &str = r#"[{"idx":0,"name":"0","path":"","type":"sentence_transformers.models.Transformer"},
        {"idx":1,"name":"1","path":"1_Pooling","type":"sentence_transformers.models.Pooling"},
        {"idx":2,"name":"2","path":"2_Normalize","type":"sentence_transformers.models.Normalize"}]"#;

    #[test]
    fn reads_sentence_transformers_files() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "modules.json", MODULES);
        write(
            dir.path(),
            "1_Pooling/config.json",
            r#"{"word_embedding_dimension":384,"pooling_mode_cls_token":false,"pooling_mode_mean_tokens":true}"#,
        );
        write(
            dir.path(),
            "sentence_bert_config.json",
            r#"{"max_seq_length":256}"#,
        );
        let (spec, _) = DenseSpec::resolve(&ModelSpec::Local(dir.path().into())).unwrap();
        assert_eq!(
            spec,
            DenseSpec {
                pooling: Pooling::Mean,
                normalize: true,
                max_seq_length: Some(256)
            }
        );
    }

    #[test]
    fn refuses_unsupported_pipelines_by_name() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "modules.json", MODULES);
        write(
            dir.path(),
            "1_Pooling/config.json",
            r#"{"pooling_mode_max_tokens":true}"#,
        );
        let err = DenseSpec::resolve(&ModelSpec::Local(dir.path().into()))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("max_tokens") && err.contains("1_Pooling"),
            "{err}"
        );
        write(
            dir.path(),
            "modules.json",
            r#"[{"path":"","type":"sentence_transformers.models.Transformer"},
               {"path":"1_Pooling","type":"sentence_transformers.models.Pooling"},
               {"path":"2_Dense","type":"sentence_transformers.models.Dense"}]"#,
        );
        let err = DenseSpec::resolve(&ModelSpec::Local(dir.path().into()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("module 2 is Dense"), "{err}");
        std::fs::remove_file(dir.path().join("modules.json")).unwrap();
        let err = DenseSpec::resolve(&ModelSpec::Local(dir.path().into()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("modules.json"), "{err}");
    }
}
