//! Tiny random checkpoints written by the tests: BERT (tied or untied decoder, LayerNorm
//! named `weight`/`bias` or `gamma`/`beta`) and DistilBERT, with a small WordPiece tokenizer.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::Path;

use candle_core::{Device, Tensor};

/// The tiny vocabulary: special tokens, then words and a few continuation pieces.
pub const VOCAB: &[&str] = &[
    "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "reset", "my", "log", "##in", "password",
    "account", "the", "a", "of", "search", "engine", "sparse", "vector", "term", "##s", "weight",
    "query", "document", "model", "fast", "slow", "red", "blue", "green", "cat", "dog", "run",
    "##ning", "is", "not", "and", "to", "in", "on", "for",
];

pub const HIDDEN: usize = 8;
pub const HEADS: usize = 2;
pub const INTERMEDIATE: usize = 16;
pub const LAYERS: usize = 2;
pub const MAX_POS: usize = 32;

/// How a checkpoint names and ties its tensors.
#[derive(Clone, Copy, Debug)]
pub struct Layout {
    pub distilbert: bool,
    pub tied: bool,
    pub gamma_beta: bool,
}

/// The most common layout: BERT, tied decoder, `weight`/`bias` LayerNorm names.
pub const BERT_TIED: Layout = Layout {
    distilbert: false,
    tied: true,
    gamma_beta: false,
};

/// Deterministic pseudo-random values with standard deviation about `scale`.
pub fn values(n: usize, seed: u64, scale: f32) -> Vec<f32> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (((s >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0) * scale * 1.7
        })
        .collect()
}

struct Builder {
    tensors: HashMap<String, Tensor>,
    seed: u64,
}

impl Builder {
    fn add(&mut self, name: &str, shape: &[usize], scale: f32) {
        self.seed += 1;
        let n = shape.iter().product();
        let t = Tensor::from_vec(values(n, self.seed, scale), shape, &Device::Cpu).unwrap();
        self.tensors.insert(name.to_string(), t);
    }

    fn linear(&mut self, name: &str, inputs: usize, outputs: usize) {
        self.add(&format!("{name}.weight"), &[outputs, inputs], 0.5);
        self.add(&format!("{name}.bias"), &[outputs], 0.1);
    }

    fn norm(&mut self, name: &str, layout: Layout) {
        let (w, b) = if layout.gamma_beta {
            ("gamma", "beta")
        } else {
            ("weight", "bias")
        };
        self.seed += 1;
        let gamma: Vec<f32> = values(HIDDEN, self.seed, 0.1)
            .iter()
            .map(|v| 1.0 + v)
            .collect();
        let t = Tensor::from_vec(gamma, HIDDEN, &Device::Cpu).unwrap();
        self.tensors.insert(format!("{name}.{w}"), t);
        self.add(&format!("{name}.{b}"), &[HIDDEN], 0.1);
    }
}

/// Writes `config.json`, `tokenizer.json` and `model.safetensors` for `layout` into `dir`.
pub fn write(dir: &Path, layout: Layout, seed: u64) {
    let v = VOCAB.len();
    let mut b = Builder {
        tensors: HashMap::new(),
        seed,
    };
    if layout.distilbert {
        let e = "distilbert.embeddings";
        b.add(&format!("{e}.word_embeddings.weight"), &[v, HIDDEN], 1.0);
        b.add(
            &format!("{e}.position_embeddings.weight"),
            &[MAX_POS, HIDDEN],
            0.5,
        );
        b.norm(&format!("{e}.LayerNorm"), layout);
        for i in 0..LAYERS {
            let l = format!("distilbert.transformer.layer.{i}");
            for part in ["q_lin", "k_lin", "v_lin", "out_lin"] {
                b.linear(&format!("{l}.attention.{part}"), HIDDEN, HIDDEN);
            }
            b.norm(&format!("{l}.sa_layer_norm"), layout);
            b.linear(&format!("{l}.ffn.lin1"), HIDDEN, INTERMEDIATE);
            b.linear(&format!("{l}.ffn.lin2"), INTERMEDIATE, HIDDEN);
            b.norm(&format!("{l}.output_layer_norm"), layout);
        }
        b.linear("vocab_transform", HIDDEN, HIDDEN);
        b.norm("vocab_layer_norm", layout);
        if !layout.tied {
            b.add("vocab_projector.weight", &[v, HIDDEN], 1.0);
        }
        b.add("vocab_projector.bias", &[v], 0.5);
    } else {
        let e = "bert.embeddings";
        b.add(&format!("{e}.word_embeddings.weight"), &[v, HIDDEN], 1.0);
        b.add(
            &format!("{e}.position_embeddings.weight"),
            &[MAX_POS, HIDDEN],
            0.5,
        );
        b.add(
            &format!("{e}.token_type_embeddings.weight"),
            &[2, HIDDEN],
            0.5,
        );
        b.norm(&format!("{e}.LayerNorm"), layout);
        for i in 0..LAYERS {
            let l = format!("bert.encoder.layer.{i}");
            for part in ["query", "key", "value"] {
                b.linear(&format!("{l}.attention.self.{part}"), HIDDEN, HIDDEN);
            }
            b.linear(&format!("{l}.attention.output.dense"), HIDDEN, HIDDEN);
            b.norm(&format!("{l}.attention.output.LayerNorm"), layout);
            b.linear(&format!("{l}.intermediate.dense"), HIDDEN, INTERMEDIATE);
            b.linear(&format!("{l}.output.dense"), INTERMEDIATE, HIDDEN);
            b.norm(&format!("{l}.output.LayerNorm"), layout);
        }
        b.linear("cls.predictions.transform.dense", HIDDEN, HIDDEN);
        b.norm("cls.predictions.transform.LayerNorm", layout);
        if !layout.tied {
            b.add("cls.predictions.decoder.weight", &[v, HIDDEN], 1.0);
        }
        b.add("cls.predictions.bias", &[v], 0.5);
    }
    candle_core::safetensors::save(&b.tensors, dir.join("model.safetensors")).unwrap();
    std::fs::write(dir.join("config.json"), config(layout)).unwrap();
    std::fs::write(dir.join("tokenizer.json"), tokenizer_json()).unwrap();
}

/// `config.json` for the layout, complete enough for candle-transformers too.
pub fn config(layout: Layout) -> String {
    let v = VOCAB.len();
    if layout.distilbert {
        serde_json::json!({
            "architectures": ["DistilBertForMaskedLM"], "model_type": "distilbert",
            "vocab_size": v, "dim": HIDDEN, "n_layers": LAYERS, "n_heads": HEADS,
            "hidden_dim": INTERMEDIATE, "activation": "gelu_new", "max_position_embeddings": MAX_POS,
            "initializer_range": 0.02, "pad_token_id": 0, "dropout": 0.1,
            "sinusoidal_pos_embds": false, "tie_weights_": layout.tied
        })
        .to_string()
    } else {
        serde_json::json!({
            "architectures": ["BertForMaskedLM"], "model_type": "bert", "vocab_size": v,
            "hidden_size": HIDDEN, "num_hidden_layers": LAYERS, "num_attention_heads": HEADS,
            "intermediate_size": INTERMEDIATE, "hidden_act": "gelu", "hidden_dropout_prob": 0.1,
            "max_position_embeddings": MAX_POS, "type_vocab_size": 2, "initializer_range": 0.02,
            "layer_norm_eps": 1e-12, "pad_token_id": 0, "tie_word_embeddings": layout.tied
        })
        .to_string()
    }
}

/// A BERT-style WordPiece `tokenizer.json` over [`VOCAB`].
pub fn tokenizer_json() -> String {
    let vocab: serde_json::Map<String, serde_json::Value> = VOCAB
        .iter()
        .enumerate()
        .map(|(i, t)| (t.to_string(), serde_json::json!(i)))
        .collect();
    let added: Vec<serde_json::Value> = VOCAB[..5]
        .iter()
        .enumerate()
        .map(|(i, t)| {
            serde_json::json!({"id": i, "content": t, "single_word": false, "lstrip": false,
                "rstrip": false, "normalized": false, "special": true})
        })
        .collect();
    serde_json::json!({
        "version": "1.0", "truncation": null, "padding": null, "added_tokens": added,
        "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true,
            "strip_accents": null, "lowercase": true},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {"type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                       {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                     {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 0}},
                     {"Sequence": {"id": "B", "type_id": 1}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {
                "[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]},
                "[SEP]": {"id": "[SEP]", "ids": [3], "tokens": ["[SEP]"]}}},
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
            "max_input_chars_per_word": 100, "vocab": vocab}
    })
    .to_string()
}
