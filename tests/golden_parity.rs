//! Parity with the PyTorch/transformers reference: the 25 golden splade-tiny vectors in
//! `tests/fixtures/golden/splade-tiny` (copied from `../shared/golden`), and each term's
//! source position (`tests/fixtures/attribution/splade-tiny.json`, made by
//! `scripts/reference/attribution_reference.py`).

mod common;

use serde::Deserialize;
use spladescope::encoder::{EncoderOptions, ModelFiles, SparseEncoder};

#[derive(Deserialize)]
struct Golden {
    text: String,
    max_length: usize,
    untruncated_token_count: usize,
    truncated: bool,
    token_ids: Vec<u32>,
    tokens: Vec<String>,
    nnz: usize,
    l1: f64,
    terms: Vec<GoldenTerm>,
}

#[derive(Deserialize)]
struct GoldenTerm {
    id: u32,
    token: String,
    weight: f32,
}

const TOLERANCE: f32 = 1e-4;

fn cases() -> Vec<(String, Golden)> {
    let dir = common::fixture("golden/splade-tiny");
    let mut cases: Vec<(String, Golden)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.ends_with(".json") && name.as_bytes()[0].is_ascii_digit()
        })
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            let golden = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
            (name, golden)
        })
        .collect();
    cases.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(cases.len(), 25, "expected the 25 golden cases");
    cases
}

fn encoder(max_length: usize) -> Option<SparseEncoder> {
    let dir = common::splade_tiny()?;
    let options = EncoderOptions {
        max_length,
        ..EncoderOptions::default()
    };
    Some(SparseEncoder::load(ModelFiles::from_dir(&dir).unwrap(), options).unwrap())
}

fn compare(
    name: &str,
    golden: &Golden,
    enc: &SparseEncoder,
    got: &spladescope::encoder::Encoded,
) -> f32 {
    assert_eq!(got.token_ids, golden.token_ids, "{name}: token ids");
    assert_eq!(enc.tokens(&got.token_ids), golden.tokens, "{name}: tokens");
    assert_eq!(
        got.untruncated_tokens, golden.untruncated_token_count,
        "{name}: untruncated count"
    );
    assert_eq!(got.truncated(), golden.truncated, "{name}: truncated flag");
    assert_eq!(got.vector.nnz(), golden.nnz, "{name}: non-zero count");
    let mut worst = 0.0f32;
    for term in &golden.terms {
        let w = got.vector.get(term.id);
        let diff = (w - term.weight).abs();
        worst = worst.max(diff);
        assert!(
            diff <= TOLERANCE,
            "{name}: term {} ({}) {w} vs {}",
            term.id,
            term.token,
            term.weight
        );
        assert_eq!(
            enc.token(term.id),
            term.token,
            "{name}: token string of {}",
            term.id
        );
    }
    assert!(
        ((got.vector.l1() as f64) - golden.l1).abs() < 1e-3,
        "{name}: l1"
    );
    worst
}

#[test]
fn all_golden_cases_match_the_reference_one_by_one() {
    let Some(enc512) = encoder(512) else { return };
    let Some(enc256) = encoder(256) else { return };
    let mut worst = 0.0f32;
    for (name, golden) in cases() {
        let enc = if golden.max_length == 256 {
            &enc256
        } else {
            &enc512
        };
        assert_eq!(enc.options().max_length, golden.max_length);
        let got = enc.encode(&golden.text).unwrap();
        worst = worst.max(compare(&name, &golden, enc, &got));
    }
    eprintln!("largest weight difference against the reference: {worst:e}");
}

#[test]
fn batched_encoding_equals_one_by_one() {
    let Some(enc) = encoder(512) else { return };
    let cases: Vec<(String, Golden)> = cases()
        .into_iter()
        .filter(|(_, g)| g.max_length == 512)
        .collect();
    let texts: Vec<&str> = cases.iter().map(|(_, g)| g.text.as_str()).collect();
    let batched = enc.encode_batch(&texts).unwrap();
    for ((name, golden), got) in cases.iter().zip(&batched) {
        compare(name, golden, &enc, got);
        let single = enc.encode(&golden.text).unwrap();
        assert_eq!(
            single.vector.ids, got.vector.ids,
            "{name}: same non-zero pattern"
        );
        assert_eq!(single.sources, got.sources, "{name}: same sources");
        for (a, b) in single.vector.weights.iter().zip(&got.vector.weights) {
            assert!((a - b).abs() <= 1e-5, "{name}: batched {b} vs single {a}");
        }
    }
}

/// The reference's argmax positions: `cases[name].terms` = `[id, position, ties, margin]`.
#[derive(Deserialize)]
struct AttributionFixture {
    terms: usize,
    tied_terms: usize,
    cases: std::collections::BTreeMap<String, AttributionCase>,
}

#[derive(Deserialize)]
struct AttributionCase {
    token_ids: Vec<u32>,
    terms: Vec<(u32, usize, usize, f64)>,
}

#[test]
fn every_term_comes_from_the_position_pytorch_takes_the_max_at() {
    let Some(enc512) = encoder(512) else { return };
    let Some(enc256) = encoder(256) else { return };
    let fixture: AttributionFixture = serde_json::from_str(
        &std::fs::read_to_string(common::fixture("attribution/splade-tiny.json")).unwrap(),
    )
    .unwrap();
    let golden = cases();
    assert_eq!(
        fixture.cases.len(),
        golden.len(),
        "one reference per golden case"
    );
    let (mut checked, mut tied) = (0, 0);
    for (name, g) in &golden {
        let reference = &fixture.cases[name];
        let enc = if g.max_length == 256 {
            &enc256
        } else {
            &enc512
        };
        let got = enc.encode(&g.text).unwrap();
        assert_eq!(got.token_ids, reference.token_ids, "{name}: token ids");
        let ids: Vec<u32> = reference.terms.iter().map(|t| t.0).collect();
        assert_eq!(got.vector.ids, ids, "{name}: the same non-zero terms");
        for &(id, position, ties, _margin) in &reference.terms {
            if ties > 1 {
                // An exact tie in PyTorch's activations: either position is right.
                tied += 1;
                continue;
            }
            assert_eq!(
                got.source(id),
                Some(position),
                "{name}: term {id} ({})",
                enc.token(id)
            );
            checked += 1;
        }
    }
    assert_eq!(checked + tied, fixture.terms);
    assert_eq!(tied, fixture.tied_terms);
    eprintln!("{checked} sources equal the reference's; {tied} terms tied in the reference");
}
