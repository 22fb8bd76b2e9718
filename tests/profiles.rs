//! Every engine profile against a brute force written from the engines' rules alone: each
//! document's score computed from its whole vector (document at a time, statistics counted
//! over every document), against the profile's ranking (term at a time over the postings)
//! and its explanation, on every demo query.

mod common;

use std::collections::HashMap;
use std::path::Path;

use spladescope::index::Index;
use spladescope::search::QueryEdits;
use spladescope::sparse::SparseVector;
use spladescope::system::{Explanation, Leaf, Pipeline, SystemSpec};

/// What the brute force needs of the index: every vector, and per term its document
/// frequency and extreme weights.
struct Corpus {
    vectors: Vec<SparseVector>,
    df: HashMap<u32, usize>,
    range: HashMap<u32, (f32, f32)>,
    max: f32,
}

impl Corpus {
    fn of(index: &Index) -> Self {
        let vectors: Vec<SparseVector> = (0..index.len() as u32)
            .map(|d| index.vector(d).unwrap())
            .collect();
        let (mut df, mut range) = (HashMap::new(), HashMap::<u32, (f32, f32)>::new());
        let mut max = 0.0f32;
        for v in &vectors {
            for (t, w) in v.iter() {
                *df.entry(t).or_insert(0) += 1;
                let r = range.entry(t).or_insert((w, w));
                *r = (r.0.min(w), r.1.max(w));
                max = max.max(w);
            }
        }
        Self {
            vectors,
            df,
            range,
            max,
        }
    }
}

/// The weight an engine scores with, from the rule as the engine's source states it.
fn stored(profile: &str, c: &Corpus, t: u32, w: f32) -> f32 {
    match profile {
        "elasticsearch" | "elasticsearch:prune" | "opensearch:two-phase" => {
            // Lucene FeatureField: tf = floatToIntBits(w) >>> 15, read back as tf << 15.
            f32::from_bits((w.to_bits() >> 15) << 15)
        }
        "qdrant" => w,
        "qdrant-float16" => half::f16::from_f32(w).to_f32(),
        "qdrant-uint8" => {
            let (min, max) = c.range[&t];
            let diff256 = (max - min) / 255.0;
            let code = ((w - min) / diff256).round().clamp(0.0, 255.0) as u8;
            min + f32::from(code) * diff256
        }
        "anserini" => (w * 100.0).round(),
        "pisa" | "bmp" => {
            // PISA's LinearQuantizer, 8 bits: floor((double)(w / max) * 254) + 1.
            (f64::from(w / c.max) * 254.0) as u32 as f32 + 1.0
        }
        other => panic!("{other}"),
    }
}

/// The engine's query: (term, weight, phase two?) for each kept token.
fn engine_query(profile: &str, c: &Corpus, q: &SparseVector) -> Vec<(u32, f32, bool)> {
    let max = q.weights.iter().copied().fold(0.0f32, f32::max);
    let docs_with_terms = c.vectors.iter().filter(|v| !v.is_empty()).count() as f32;
    let postings: usize = c.df.values().sum();
    q.iter()
        .filter_map(|(t, w)| match profile {
            "elasticsearch:prune" => {
                let df = c.df.get(&t).copied().unwrap_or(0);
                let avg = postings as f32 / docs_with_terms / c.df.len() as f32;
                let keep = df > 0 && (df as f32 / docs_with_terms < 5.0 * avg || w > 0.4 * max);
                keep.then_some((t, w, false))
            }
            "opensearch:two-phase" => Some((t, w, w < 0.4 * max)),
            "anserini" => Some((t, (w * 100.0).round(), false)).filter(|x| x.1 > 0.0),
            "pisa" | "bmp" => Some((t, (w * (32.0 / max)).ceil().min(32.0), false)),
            _ => Some((t, w, false)),
        })
        .collect()
}

/// A document's engine score for one phase (`two`: the light tokens), document at a time.
fn phase_score(profile: &str, c: &Corpus, d: usize, query: &[(u32, f32, bool)], two: bool) -> f32 {
    let v = &c.vectors[d];
    let parts = query
        .iter()
        .filter(|x| x.2 == two)
        .filter(|x| v.get(x.0) > 0.0)
        .map(|&(t, q, _)| q * stored(profile, c, t, v.get(t)));
    match profile {
        "qdrant" | "qdrant-float16" | "qdrant-uint8" | "pisa" => parts.fold(0.0f32, |a, p| a + p),
        "bmp" => f32::from(parts.fold(0u16, |a, p| a.wrapping_add(p as u16))),
        _ => parts.map(f64::from).sum::<f64>() as f32,
    }
}

/// Every document's engine score; `k` the hits asked for (two-phase's window is 5k).
fn brute_force(profile: &str, c: &Corpus, q: &SparseVector, k: usize) -> Vec<f32> {
    let query = engine_query(profile, c, q);
    let mut scores: Vec<f32> = (0..c.vectors.len())
        .map(|d| phase_score(profile, c, d, &query, false))
        .collect();
    if profile == "opensearch:two-phase" {
        let mut order: Vec<usize> = (0..scores.len()).filter(|&d| scores[d] > 0.0).collect();
        order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
        for &d in order.iter().take(5 * k) {
            scores[d] += phase_score(profile, c, d, &query, true);
        }
    }
    scores
}

#[test]
fn every_profile_scores_every_document_as_the_brute_force() {
    let tmp = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/tmp");
    let Some(dir) = common::cached::demo_index(&tmp, "splade-tiny") else {
        return;
    };
    let Some(encoder) = common::cached::encoder("splade-tiny", 512) else {
        return;
    };
    let index = Index::open(&dir).unwrap();
    let corpus = Corpus::of(&index);
    let profiles = [
        "elasticsearch",
        "elasticsearch:prune",
        "opensearch:two-phase",
        "qdrant",
        "qdrant-float16",
        "qdrant-uint8",
        "anserini",
        "pisa",
        "bmp",
    ];
    let mut pipeline = Pipeline::new(index, encoder);
    let specs: Vec<SystemSpec> = profiles
        .iter()
        .map(|p| SystemSpec::parse(&format!("splade@{p}")).unwrap())
        .collect();
    pipeline.set_systems(specs).unwrap();
    let queries = spladescope::eval::read_queries(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo/queries.jsonl"),
    )
    .unwrap()
    .queries;
    let k = 10;
    let mut checked = 0;
    for q in &queries {
        let prepared = pipeline
            .prepare(&q.text, Some(&q.id), &QueryEdits::default())
            .unwrap();
        let vector = prepared.edited.clone().unwrap();
        let rankings = pipeline.rank(&prepared, k).unwrap();
        for (i, profile) in profiles.iter().enumerate() {
            let expected = brute_force(profile, &corpus, &vector, k);
            let ranking = rankings.get(&pipeline, i);
            assert_eq!(
                ranking.own_scores().unwrap(),
                expected.as_slice(),
                "{profile}: query {}",
                q.id
            );
            // The explanation of each hit adds up to the same score, and its exact parts to
            // the exact SPLADE score.
            for h in ranking.hits.iter().take(3) {
                let doc = h.doc.unwrap();
                let x = pipeline
                    .explain(i, &prepared, &rankings, Some(doc), &h.id, k)
                    .unwrap();
                let Explanation::Profile(x) = x else {
                    panic!("{x:?}")
                };
                assert_eq!(x.score, expected[doc as usize], "{profile} {}", h.id);
                assert_eq!(x.exact_score, vector.dot(&corpus.vectors[doc as usize]));
                checked += 1;
            }
        }
        let leaf = Leaf::Profile("splade@elasticsearch:prune".into());
        let (_, engine) = pipeline.engine_query(&leaf, &prepared).unwrap();
        let kept: Vec<u32> = engine_query("elasticsearch:prune", &corpus, &vector)
            .iter()
            .map(|x| x.0)
            .collect();
        assert_eq!(engine.kept().ids, kept, "query {}", q.id);
    }
    assert!(checked > 1000, "{checked} explanations");
}
