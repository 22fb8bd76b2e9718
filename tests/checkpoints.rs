//! The encoder on small checkpoints the tests create, checked against an independent
//! implementation: candle-transformers' BERT / DistilBERT plus the SPLADE recipe written
//! with plain candle tensor ops (full logits, log1p(relu), max over positions).
//!
//! candle-transformers' DistilBERT computes "gelu" with the tanh approximation (Hugging
//! Face uses the exact erf form, as spladescope does), so the DistilBERT checkpoints here
//! declare "gelu_new", which both sides compute with tanh. The exact form is checked on
//! the BERT checkpoints and against the PyTorch golden vectors.

mod common;

use candle_core::{DType, Device, Module, Tensor, D};
use candle_nn::VarBuilder;
use candle_transformers::models::{bert, distilbert};
use common::checkpoint::{self, Layout, BERT_TIED, HIDDEN, VOCAB};
use spladescope::encoder::{EncoderError, EncoderOptions, ModelFiles, SparseEncoder};

const TEXTS: &[&str] = &[
    "reset my login",
    "the fast search engine is not slow",
    "",
    "Running dogs and cats, a sparse vector of terms!",
    "query query query document model weight weight",
    "unknownword zzz",
];

fn load(dir: &std::path::Path, max_length: usize) -> Result<SparseEncoder, EncoderError> {
    let options = EncoderOptions {
        max_length,
        batch_size: 4,
        threads: 2,

        ..Default::default()
    };
    SparseEncoder::load(ModelFiles::from_dir(dir)?, options)
}

/// The reference SPLADE vector (dense `[vocab]`) of one token sequence.
fn reference(dir: &std::path::Path, layout: Layout, ids: &[u32]) -> Vec<f32> {
    let dev = Device::Cpu;
    let vb = unsafe {
        VarBuilder::from_mmaped_safetensors(&[dir.join("model.safetensors")], DType::F32, &dev)
            .unwrap()
    };
    let cfg_text = std::fs::read_to_string(dir.join("config.json")).unwrap();
    let input = Tensor::new(ids, &dev).unwrap().unsqueeze(0).unwrap();
    let v = VOCAB.len();
    let logits = if layout.distilbert {
        assert!(
            layout.tied,
            "candle's DistilBertForMaskedLM ties the projector"
        );
        // candle names its tanh-approximated GELU "gelu".
        let cfg_text = cfg_text.replace("\"gelu_new\"", "\"gelu\"");
        let cfg: distilbert::Config = serde_json::from_str(&cfg_text).unwrap();
        let model = distilbert::DistilBertForMaskedLM::load(vb, &cfg).unwrap();
        let no_mask = Tensor::zeros((1, 1, 1, ids.len()), DType::U8, &dev).unwrap();
        model.forward(&input, &no_mask).unwrap()
    } else {
        let cfg: bert::Config = serde_json::from_str(&cfg_text).unwrap();
        let model = bert::BertModel::load(vb.pp("bert"), &cfg).unwrap();
        let hidden = model
            .forward(&input, &input.zeros_like().unwrap(), None)
            .unwrap();
        let head = vb.pp("cls.predictions");
        let dense = candle_nn::linear(HIDDEN, HIDDEN, head.pp("transform.dense")).unwrap();
        let norm = candle_nn::layer_norm(HIDDEN, 1e-12, head.pp("transform.LayerNorm")).unwrap();
        let h = norm
            .forward(&dense.forward(&hidden).unwrap().gelu_erf().unwrap())
            .unwrap();
        let decoder = if layout.tied {
            vb.get((v, HIDDEN), "bert.embeddings.word_embeddings.weight")
                .unwrap()
        } else {
            head.get((v, HIDDEN), "decoder.weight").unwrap()
        };
        let bias = head.get(v, "bias").unwrap();
        h.broadcast_matmul(&decoder.t().unwrap())
            .unwrap()
            .broadcast_add(&bias)
            .unwrap()
    };
    // [1, T, V] -> log1p(relu) -> max over T.
    let act = (logits.relu().unwrap() + 1.0).unwrap().log().unwrap();
    act.max(D::Minus2)
        .unwrap()
        .squeeze(0)
        .unwrap()
        .to_vec1()
        .unwrap()
}

fn check_layout(layout: Layout) {
    let dir = tempfile::tempdir().unwrap();
    checkpoint::write(dir.path(), layout, 7);
    let enc = load(dir.path(), 32).unwrap();
    assert_eq!(enc.tied_decoder(), layout.tied, "{layout:?}");
    let batched = enc.encode_batch(TEXTS).unwrap();
    let mut non_zero = 0;
    for (text, got) in TEXTS.iter().zip(&batched) {
        let expected = reference(dir.path(), layout, &got.token_ids);
        let single = enc.encode(text).unwrap();
        for (id, &want) in expected.iter().enumerate() {
            let have = got.vector.get(id as u32);
            assert!(
                (have - want).abs() < 1e-4,
                "{layout:?} {text:?} term {id}: {have} vs {want}"
            );
            assert!(
                (single.vector.get(id as u32) - have).abs() < 1e-5,
                "{layout:?} batch vs single"
            );
            non_zero += usize::from(want > 1e-4);
        }
    }
    assert!(
        non_zero > 20,
        "{layout:?}: the comparison should cover many non-zero weights"
    );
}

#[test]
fn bert_tied_decoder_matches_reference() {
    check_layout(BERT_TIED);
}

#[test]
fn bert_untied_decoder_matches_reference() {
    check_layout(Layout {
        distilbert: false,
        tied: false,
        gamma_beta: false,
    });
}

#[test]
fn bert_gamma_beta_names_match_reference() {
    check_layout(Layout {
        distilbert: false,
        tied: true,
        gamma_beta: true,
    });
}

#[test]
fn distilbert_matches_reference() {
    check_layout(Layout {
        distilbert: true,
        tied: true,
        gamma_beta: false,
    });
    check_layout(Layout {
        distilbert: true,
        tied: true,
        gamma_beta: true,
    });
}

#[test]
fn distilbert_untied_projector_is_used() {
    let layout = Layout {
        distilbert: true,
        tied: false,
        gamma_beta: false,
    };
    let dir = tempfile::tempdir().unwrap();
    checkpoint::write(dir.path(), layout, 7);
    let untied = load(dir.path(), 32).unwrap();
    assert!(!untied.tied_decoder());
    let tied_dir = tempfile::tempdir().unwrap();
    checkpoint::write(
        tied_dir.path(),
        Layout {
            tied: true,
            ..layout
        },
        7,
    );
    let tied = load(tied_dir.path(), 32).unwrap();
    let (a, b) = (
        untied.encode("reset my login").unwrap(),
        tied.encode("reset my login").unwrap(),
    );
    assert_ne!(
        a.vector, b.vector,
        "the separate projector weights must change the vector"
    );
}

#[test]
fn truncation_is_reported_and_applied_on_the_right() {
    let dir = tempfile::tempdir().unwrap();
    checkpoint::write(dir.path(), BERT_TIED, 3);
    let enc = load(dir.path(), 5).unwrap();
    let e = enc.encode("reset my login password account").unwrap();
    assert_eq!(e.token_ids.len(), 5);
    assert_eq!(
        enc.tokens(&e.token_ids),
        ["[CLS]", "reset", "my", "log", "[SEP]"]
    );
    assert!(e.truncated());
    assert_eq!(e.untruncated_tokens, 8);
    let short = enc.encode("reset").unwrap();
    assert!(!short.truncated());
}

#[test]
fn input_and_expansion_terms_are_marked() {
    let dir = tempfile::tempdir().unwrap();
    checkpoint::write(dir.path(), BERT_TIED, 5);
    let enc = load(dir.path(), 32).unwrap();
    let e = enc.encode("reset my login").unwrap();
    let input = enc.input_text("reset my login", &e).unwrap();
    let terms = enc.terms(&e, &input);
    assert_eq!(terms.len(), e.vector.nnz());
    for t in &terms {
        let s = t.source.as_ref().expect("every term has a source");
        assert_eq!(s.token, input.tokens()[s.position], "{}", t.token);
    }
    for pair in terms.windows(2) {
        assert!(pair[0].weight >= pair[1].weight, "heaviest first");
    }
    for t in &terms {
        let input = e.token_ids.contains(&t.id);
        assert_eq!(
            t.kind == spladescope::encoder::TermKind::Input,
            input,
            "{}",
            t.token
        );
        assert_eq!(t.token, VOCAB[t.id as usize]);
    }
}

type Mutation = fn(&std::path::Path);

fn weights(dir: &std::path::Path) -> std::path::PathBuf {
    dir.join("model.safetensors")
}

#[test]
fn bad_checkpoints_give_clear_errors() {
    let cases: [(&str, Mutation, usize, &str); 7] = [
        (
            "corrupt safetensors",
            |d| std::fs::write(weights(d), b"\x08\x00\x00\x00\x00\x00\x00\x00garbage").unwrap(),
            16,
            "model.safetensors",
        ),
        (
            "truncated safetensors",
            |d| {
                let bytes = std::fs::read(weights(d)).unwrap();
                std::fs::write(weights(d), &bytes[..bytes.len() / 2]).unwrap()
            },
            16,
            "model.safetensors",
        ),
        (
            "missing tensor",
            |d| {
                let mut tensors = candle_core::safetensors::load(weights(d), &Device::Cpu).unwrap();
                tensors.remove("cls.predictions.bias");
                candle_core::safetensors::save(&tensors, weights(d)).unwrap()
            },
            16,
            "cls.predictions.bias",
        ),
        (
            "tokenizer larger than the model vocabulary",
            |d| {
                let cfg = checkpoint::config(BERT_TIED).replace(
                    &format!("\"vocab_size\":{}", VOCAB.len()),
                    "\"vocab_size\":20",
                );
                std::fs::write(d.join("config.json"), cfg).unwrap()
            },
            16,
            "tokenizer has 40 tokens but the model's vocabulary has 20",
        ),
        (
            "unsupported architecture",
            |d| {
                std::fs::write(
                    d.join("config.json"),
                    r#"{"architectures":["GPT2LMHeadModel"]}"#,
                )
                .unwrap()
            },
            16,
            "GPT2LMHeadModel",
        ),
        (
            "bad tokenizer",
            |d| std::fs::write(d.join("tokenizer.json"), "{").unwrap(),
            16,
            "tokenizer.json",
        ),
        (
            "max length beyond the position embeddings",
            |_| {},
            1000,
            "max length 1000",
        ),
    ];
    for (what, mutate, max_length, expected) in cases {
        let dir = tempfile::tempdir().unwrap();
        checkpoint::write(dir.path(), BERT_TIED, 1);
        mutate(dir.path());
        let err = load(dir.path(), max_length)
            .err()
            .unwrap_or_else(|| panic!("{what} must fail"));
        assert!(err.to_string().contains(expected), "{what}: {err}");
    }
}
