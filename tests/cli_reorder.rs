//! `spladescope index --reorder`: documents are written in graph-bisection order, every
//! document keeps its id, text and vector, scores are unchanged, and documents that share
//! terms end up in the same ranges of 16.

#[path = "common/cli.rs"]
mod cli;
mod common;

use std::collections::HashMap;
use std::fmt::Write;

use cli::{spladescope, text, Setup};
use spladescope::index::ranges::RANGE;
use spladescope::index::Index;
use spladescope::search::pruned::splade_top_k_with_stats;
use spladescope::search::{splade_scores, top_k};
use spladescope::sparse::SparseVector;

/// 320 documents on 4 topics, in scattered order: document `t{topic}-{i}` holds five of
/// its topic's eight terms (ids 5..37 of the tiny vocabulary).
fn corpus() -> String {
    let mut out = String::new();
    for i in 0..320u32 {
        let topic = (i.wrapping_mul(2_654_435_761) >> 7) % 4;
        let terms: Vec<String> = (0..5)
            .map(|j| {
                let t = 5 + topic * 8 + (i / 4 + j * 3) % 8;
                format!("\"{t}\": {}", 0.25 + ((i * 7 + j) % 13) as f32 / 8.0)
            })
            .collect();
        writeln!(
            out,
            "{{\"id\": \"t{topic}-{i}\", \"contents\": \"document {i} on topic {topic}\", \"vector\": {{{}}}}}",
            terms.join(", ")
        )
        .unwrap();
    }
    out
}

fn import(s: &Setup, out: &str, extra: &[&str]) -> std::process::Output {
    spladescope()
        .arg("index")
        .arg("--vectors")
        .arg(s.path("v.jsonl"))
        .args(["--vector-keys", "ids", "--out"])
        .arg(s.path(out))
        .arg("--model")
        .arg(s.path("model"))
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn reordering_keeps_every_document_and_score_and_groups_shared_terms() {
    let s = Setup::new();
    s.write("v.jsonl", corpus().as_bytes());
    let plain = import(&s, "plain", &[]);
    assert!(plain.status.success(), "{}", text(&plain.stderr));
    let out = import(&s, "bp", &["--reorder"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout)
            .contains("documents reordered by graph bisection (128 terms per document, 10 rounds)"),
        "{}",
        text(&out.stdout)
    );
    // Nothing of the first build is left inside the index.
    let names: Vec<String> = std::fs::read_dir(s.path("bp"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names
            .iter()
            .all(|n| !n.contains("order") && !n.contains("spill")),
        "{names:?}"
    );

    let (plain, bp) = (
        Index::open(&s.path("plain")).unwrap(),
        Index::open(&s.path("bp")).unwrap(),
    );
    let reordered = bp.manifest().reordered.clone().expect("recorded");
    assert_eq!(reordered.method, "graph bisection");
    assert!(plain.manifest().reordered.is_none());
    assert_eq!(bp.len(), 320);
    let ids = |index: &Index| -> Vec<String> {
        (0..index.len() as u32)
            .map(|d| index.doc(d).unwrap().id.to_string())
            .collect()
    };
    assert_ne!(ids(&plain), ids(&bp), "the order changed");
    // Every document keeps its text and vector, bit for bit.
    for d in 0..bp.len() as u32 {
        let doc = bp.doc(d).unwrap();
        let p = plain.find(doc.id).unwrap();
        assert_eq!(plain.doc(p).unwrap().text, doc.text);
        let (a, b) = (plain.vector(p).unwrap(), bp.vector(d).unwrap());
        assert_eq!(a.ids, b.ids);
        let bits = |v: &SparseVector| v.weights.iter().map(|w| w.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&a), bits(&b));
    }
    // Most ranges of 16 hold documents of one topic; in input order, few do.
    let pure = |ids: Vec<String>| {
        ids.chunks(RANGE)
            .filter(|range| range.iter().all(|id| id[..2] == range[0][..2]))
            .count()
    };
    let (before, after) = (pure(ids(&plain)), pure(ids(&bp)));
    assert!(
        before <= 1 && after >= 14,
        "{before} → {after} of 20 ranges"
    );
    // Scores by document id are unchanged, and the pruned search finds the exhaustive top k.
    for query in [
        vec![(5, 1.0), (14, 0.5)],
        vec![(13, 2.0), (21, 1.0), (29, 0.25), (36, 1.5)],
    ] {
        let q = SparseVector::from_pairs(query);
        let by_id = |index: &Index| -> HashMap<String, u32> {
            splade_scores(index, &q)
                .unwrap()
                .iter()
                .enumerate()
                .map(|(d, s)| (index.doc(d as u32).unwrap().id.to_string(), s.to_bits()))
                .collect()
        };
        assert_eq!(by_id(&plain), by_id(&bp));
        for k in [1, 10, 100] {
            let want = top_k(&splade_scores(&bp, &q).unwrap(), k);
            let (got, stats) = splade_top_k_with_stats(&bp, &q, k).unwrap();
            assert_eq!(got, want, "k {k}");
            assert!(stats.scored <= stats.ranges);
        }
    }
}

#[test]
fn reorder_settings_need_reorder() {
    let s = Setup::new();
    s.write("v.jsonl", corpus().as_bytes());
    let out = import(&s, "bp", &["--reorder-terms", "8"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("--reorder"),
        "{}",
        text(&out.stderr)
    );
    let out = import(&s, "bp", &["--reorder", "--reorder-iterations", "0"]);
    assert!(!out.status.success(), "0 rounds is refused");
}
