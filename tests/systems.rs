//! Retrieval systems on real data: dense retrieval against brute force and against the
//! PyTorch/sentence-transformers reference (`scripts/reference/dense_reference.py`), fusions
//! against an independent computation from the component run files, and a run system
//! against `compare`.

#[path = "common/cli.rs"]
mod cli;
mod common;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use spladescope::eval::{evaluate, load_beir, EvalOptions, Metric};
use spladescope::index::Index;
use spladescope::system::{Explanation, Leaf, Pipeline, SystemSpec};

use cli::{spladescope, text};

/// The SciFact or NFCorpus index with its dense part, built on first use.
fn index_dir(dataset: &str) -> Option<PathBuf> {
    static DIRS: OnceLock<std::sync::Mutex<HashMap<String, Option<PathBuf>>>> = OnceLock::new();
    let mut dirs = DIRS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    dirs.entry(dataset.to_string())
        .or_insert_with(|| {
            common::cached::beir_index(Path::new(env!("CARGO_TARGET_TMPDIR")), dataset)
        })
        .clone()
}

fn pipeline(dataset: &str, systems: &[&str]) -> Option<Pipeline> {
    pipeline_at(&index_dir(dataset)?, systems)
}

fn pipeline_at(dir: &Path, systems: &[&str]) -> Option<Pipeline> {
    let index = Index::open(dir).unwrap();
    let encoder = common::cached::encoder("splade-tiny", 64)?;
    let mut p = Pipeline::new(index, encoder);
    p.load_dense(0, false).unwrap();
    p.set_systems(
        systems
            .iter()
            .map(|s| SystemSpec::parse(s).unwrap())
            .collect(),
    )
    .unwrap();
    Some(p)
}

fn fixture(dataset: &str) -> serde_json::Value {
    let path = common::fixture(&format!("dense/{dataset}.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn max_diff(a: &[f32], b: &[serde_json::Value]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (f64::from(*x) - y.as_f64().unwrap()).abs())
        .fold(0.0, f64::max)
}

#[test]
fn dense_embeddings_equal_sentence_transformers() {
    let Some(p) = pipeline("scifact", &["dense"]) else {
        return;
    };
    let encoder = p.dense.as_ref().unwrap();
    for dataset in ["scifact", "nfcorpus"] {
        let Some(dir) = index_dir(dataset) else {
            return;
        };
        let index = Index::open(&dir).unwrap();
        let reference = fixture(dataset);
        let split = load_beir(common::shared(&format!("data/{dataset}")).unwrap(), "test").unwrap();
        for (key, expected) in reference["embeddings"].as_object().unwrap() {
            let expected = expected.as_array().unwrap();
            let (kind, id) = key.split_once(':').unwrap();
            // Only SciFact's test index carries a dense part (see `cached::beir_index`).
            let (stored, fresh) = if kind == "doc" {
                let n = index.find(id).unwrap();
                let doc = index.doc(n).unwrap();
                let text = spladescope::corpus::Document {
                    id: String::new(),
                    title: doc.title.to_string(),
                    text: doc.text.to_string(),
                }
                .indexed_text();
                (
                    index.dense().map(|v| v.row(n).unwrap().to_vec()),
                    encoder.encode(&text).unwrap(),
                )
            } else {
                let q = split.queries.get(id).unwrap();
                (None, encoder.encode(&q.text).unwrap())
            };
            let d = max_diff(&fresh, expected);
            assert!(d < 2e-6, "{dataset} {key}: max difference {d}");
            if let Some(stored) = stored {
                assert_eq!(
                    stored, fresh,
                    "{dataset} {key}: batched and single encodings"
                );
            }
        }
    }
}

#[test]
fn dense_search_equals_brute_force() {
    let Some(p) = pipeline("scifact", &["dense"]) else {
        return;
    };
    let vectors = p.index.dense().unwrap();
    for text in [
        "vitamin D deficiency and bone density",
        "0-dimensional biomaterials",
    ] {
        let q = p.prepare(text, None, &Default::default()).unwrap();
        let ranking = p.rank(&q, 20).unwrap();
        let ranking = ranking.get(&p, 0);
        // Brute force: every document's inner product in f64, best first, ties by number.
        let e = q.dense.as_ref().unwrap();
        let mut all: Vec<(f64, u32)> = (0..p.index.len() as u32)
            .map(|d| {
                let row = vectors.row(d).unwrap();
                (
                    row.iter()
                        .zip(e)
                        .map(|(a, b)| f64::from(*a) * f64::from(*b))
                        .sum(),
                    d,
                )
            })
            .collect();
        all.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let got: Vec<u32> = ranking.hits.iter().map(|h| h.doc.unwrap()).collect();
        let want: Vec<u32> = all.iter().take(20).map(|x| x.1).collect();
        assert_eq!(got, want, "{text}");
        for (h, (s, _)) in ranking.hits.iter().zip(&all) {
            assert!((h.score - s).abs() < 1e-6, "{} vs {s}", h.score);
        }
        assert_eq!(ranking.matching, all.iter().filter(|x| x.0 > 0.0).count());
    }
}

#[test]
fn dense_quality_equals_the_pytorch_reference_on_scifact() {
    if let Some(p) = pipeline("scifact", &["dense"]) {
        dense_quality_equals_the_pytorch_reference(&p, "scifact");
    }
}

/// Embeds all of NFCorpus (about 8 minutes on two cores), so it is left out of the default
/// run: `cargo test --release --test systems -- --ignored`.
#[test]
#[ignore = "embeds all of NFCorpus with the dense model"]
fn dense_quality_equals_the_pytorch_reference_on_nfcorpus() {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let dir = common::cached::index(tmp, "nfcorpus", "splade-tiny", 256, 3633, true);
    if let Some(p) = dir.and_then(|dir| pipeline_at(&dir, &["dense"])) {
        dense_quality_equals_the_pytorch_reference(&p, "nfcorpus");
    }
}

/// Dense nDCG@10 on `dataset`'s test queries equals sentence-transformers' (fixture), and
/// nearly every query has the reference's exact top 10.
fn dense_quality_equals_the_pytorch_reference(p: &Pipeline, dataset: &str) {
    let reference = fixture(dataset);
    let split = load_beir(common::shared(&format!("data/{dataset}")).unwrap(), "test").unwrap();
    let list = split.queries.judged(&split.qrels);
    let runs = p.run_queries(&list, 1000, &mut |_| {}).unwrap().runs;
    let eval = evaluate(&runs[0], &split.qrels, &EvalOptions::default()).unwrap();
    let mean = eval.mean(Metric::Ndcg10);
    let expected = reference["ndcg_cut_10"].as_f64().unwrap();
    eprintln!("{dataset}: dense nDCG@10 {mean:.4}, sentence-transformers {expected:.4}");
    assert!(
        (mean - expected).abs() < 5e-4,
        "{dataset}: {mean} vs {expected}"
    );
    // Per query: the same top 10, up to near-ties of reference rounding.
    let mut same_top = 0;
    for (qid, q) in reference["per_query"].as_object().unwrap() {
        let want: Vec<&str> = q["top10"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x[0].as_str().unwrap())
            .collect();
        let got: Vec<&str> = runs[0]
            .get(qid)
            .unwrap()
            .iter()
            .take(10)
            .map(|d| d.docid.as_str())
            .collect();
        same_top += usize::from(got == want);
        let ndcg = eval.per_query[qid].values.get(Metric::Ndcg10);
        assert!(
            (ndcg - q["ndcg_cut_10"].as_f64().unwrap()).abs() < 1e-3 || got != want,
            "{dataset} {qid}: nDCG@10 {ndcg} with the reference's top 10"
        );
    }
    let n = reference["per_query"].as_object().unwrap().len();
    eprintln!("{dataset}: {same_top} of {n} queries with the reference's exact top 10");
    assert!(same_top * 100 >= n * 97, "{same_top} of {n}");
}

/// A TREC run file as `qid → [(docid, rank, score)]`, in file order.
fn read_run(path: &Path) -> BTreeMap<String, Vec<(String, usize, f64)>> {
    let mut out: BTreeMap<String, Vec<(String, usize, f64)>> = BTreeMap::new();
    for line in std::fs::read_to_string(path).unwrap().lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        out.entry(f[0].to_string()).or_default().push((
            f[2].to_string(),
            f[3].parse().unwrap(),
            f[4].parse().unwrap(),
        ));
    }
    out
}

#[test]
fn fusions_equal_an_independent_fusion_of_the_component_runs() {
    let Some(dir) = index_dir("scifact") else {
        return;
    };
    let model = common::shared("models/splade-tiny").unwrap();
    let runs = tempfile::tempdir().unwrap();
    let out = spladescope()
        .arg("eval")
        .arg(&dir)
        .arg("--beir")
        .arg(common::shared("data/scifact").unwrap())
        .args([
            "--model",
            model.to_str().unwrap(),
            "-k",
            "100",
            "--trials",
            "100",
        ])
        .args([
            "--system", "splade", "--system", "bm25", "--system", "dense",
        ])
        .args([
            "--system",
            "rrf:splade+bm25",
            "--system",
            "rrf:bm25+dense:10",
        ])
        .args(["--system", "linear:splade+dense:0.3"])
        .args([
            "--system",
            "linear:splade+dense:0.3:zscore",
            "--json",
            "--run-out",
        ])
        .arg(runs.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let file = |name: &str| read_run(&runs.path().join(name));
    let (splade, bm25, dense) = (file("splade.trec"), file("bm25.trec"), file("dense.trec"));
    // Plain fusion code, from the run files alone. A component's rank of a document tied
    // with others may be any rank of its tie block (the file orders ties by id, the
    // system by document number): RRF gives a range, exact when there is no tie.
    type Fused = BTreeMap<String, (f64, f64)>;
    let rrf = |a: &[(String, usize, f64)], b: &[(String, usize, f64)], k: f64| -> Fused {
        let mut f = Fused::new();
        for list in [a, b] {
            for (doc, _, score) in list {
                let above = list.iter().filter(|x| x.2 > *score).count();
                let level = list.iter().filter(|x| x.2 == *score).count();
                let e = f.entry(doc.clone()).or_default();
                e.0 += 1.0 / (k + (above + level) as f64);
                e.1 += 1.0 / (k + (above + 1) as f64);
            }
        }
        f
    };
    let linear = |a: &[(String, usize, f64)], b: &[(String, usize, f64)], alpha: f64, z: bool| {
        let norm = |list: &[(String, usize, f64)]| -> (BTreeMap<String, f64>, f64) {
            let s: Vec<f64> = list.iter().map(|x| x.2).collect();
            let n: Vec<f64> = if z {
                let mean = s.iter().sum::<f64>() / s.len() as f64;
                let sd =
                    (s.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / s.len() as f64).sqrt();
                s.iter().map(|x| (x - mean) / sd).collect()
            } else {
                let (min, max) = (
                    s.iter().cloned().fold(f64::MAX, f64::min),
                    s.iter().cloned().fold(f64::MIN, f64::max),
                );
                s.iter().map(|x| (x - min) / (max - min)).collect()
            };
            let lowest = n.iter().cloned().fold(f64::MAX, f64::min);
            (list.iter().map(|x| x.0.clone()).zip(n).collect(), lowest)
        };
        let ((na, la), (nb, lb)) = (norm(a), norm(b));
        let mut f = Fused::new();
        for doc in na.keys().chain(nb.keys()) {
            let va = na.get(doc).copied().unwrap_or(la);
            let vb = nb.get(doc).copied().unwrap_or(lb);
            let v = alpha * va + (1.0 - alpha) * vb;
            f.insert(doc.clone(), (v, v));
        }
        f
    };
    let check = |name: &str, expect: &dyn Fn(&str) -> Fused| {
        let got = file(name);
        assert_eq!(got.len(), 300, "{name}");
        let mut exact = 0;
        for (qid, list) in &got {
            let want = expect(qid);
            assert_eq!(list.len(), want.len().min(100), "{name} {qid}");
            let eps = 1e-12;
            for (doc, rank, score) in list {
                let (lo, hi) = want[doc];
                assert!(
                    *score >= lo - eps && *score <= hi + eps,
                    "{name} {qid} {doc}: {score} not in [{lo}, {hi}]"
                );
                if lo == hi {
                    exact += 1;
                    // Its rank: after every document surely fused higher.
                    let above = want.values().filter(|v| v.0 > score + eps).count();
                    assert!(*rank > above, "{name} {qid} {doc} rank {rank}");
                }
            }
        }
        assert!(exact > 25_000, "{name}: {exact} exact");
    };
    check("rrf_splade+bm25.trec", &|q| rrf(&splade[q], &bm25[q], 60.0));
    check("rrf_bm25+dense_10.trec", &|q| {
        rrf(&bm25[q], &dense[q], 10.0)
    });
    check("linear_splade+dense_0.3.trec", &|q| {
        linear(&splade[q], &dense[q], 0.3, false)
    });
    check("linear_splade+dense_0.3_zscore.trec", &|q| {
        linear(&splade[q], &dense[q], 0.3, true)
    });
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = report["systems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 7);
    assert_eq!(report["pairs"].as_array().unwrap().len(), 6);
    assert!(report["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["a"] == "splade"));
}

#[test]
fn a_run_system_scores_as_compare_scores_its_file() {
    let Some(dir) = index_dir("nfcorpus") else {
        return;
    };
    let model = common::shared("models/splade-tiny").unwrap();
    let data = common::shared("data/nfcorpus").unwrap();
    let runs = tempfile::tempdir().unwrap();
    let eval = |extra: &[&str]| {
        let out = spladescope()
            .arg("eval")
            .arg(&dir)
            .arg("--beir")
            .arg(&data)
            .args([
                "--model",
                model.to_str().unwrap(),
                "--trials",
                "100",
                "--json",
            ])
            .args(extra)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    // The run file comes from SPLADE (NFCorpus's test index has no dense part).
    eval(&[
        "--system",
        "splade",
        "--run-out",
        runs.path().to_str().unwrap(),
    ]);
    let file = runs.path().join("splade.trec");
    let spec = format!("run:prod={}", file.display());
    let report = eval(&["--system", "bm25", "--system", &spec, "--baseline", "prod"]);
    assert_eq!(report["systems"][0]["name"], "prod");
    let out = spladescope()
        .arg("compare")
        .arg(&file)
        .arg(&file)
        .arg("--qrels")
        .arg(data.join("qrels/test.tsv"))
        .args(["--json", "--trials", "100"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let compared: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["systems"][0]["metrics"],
        compared["systems"][0]["metrics"]
    );
    assert_eq!(
        report["systems"][0]["queries"],
        compared["systems"][0]["queries"]
    );
}

#[test]
fn a_hybrid_hit_is_explained_by_its_components() {
    let Some(p) = pipeline(
        "scifact",
        &[
            "splade",
            "bm25",
            "rrf:splade+bm25",
            "linear:splade+dense:0.5",
        ],
    ) else {
        return;
    };
    let q = p
        .prepare("vitamin D and bone density", None, &Default::default())
        .unwrap();
    let rankings = p.rank(&q, 100).unwrap();
    for system in [2, 3] {
        let fused = rankings.get(&p, system);
        for hit in fused.hits.iter().take(20) {
            let Explanation::Fusion(e) = p
                .explain(system, &q, &rankings, hit.doc, &hit.id, 10)
                .unwrap()
            else {
                panic!("a fusion explains by components")
            };
            assert_eq!(e.parts[0].contribution + e.parts[1].contribution, hit.score);
            assert_eq!(e.position.score, Some(hit.score));
            let shares: f64 = e.parts.iter().map(|x| x.share).sum();
            assert!((shares - 1.0).abs() < 1e-12);
            for part in &e.parts {
                let leaf = if part.system == "splade" {
                    Leaf::Splade
                } else if part.system == "bm25" {
                    Leaf::Bm25
                } else {
                    Leaf::Dense
                };
                let r = rankings.leaf(&leaf).unwrap();
                assert_eq!(part.rank, r.rank_of(hit.doc.unwrap()).filter(|&x| x <= 100));
            }
        }
    }
    // A dense explanation is the score alone, and says so.
    let p = pipeline("scifact", &["dense"]).unwrap();
    let q = p
        .prepare("vitamin D and bone density", None, &Default::default())
        .unwrap();
    let rankings = p.rank(&q, 10).unwrap();
    let hit = &rankings.get(&p, 0).hits[0];
    let Explanation::Dense(e) = p.explain(0, &q, &rankings, hit.doc, &hit.id, 10).unwrap() else {
        panic!()
    };
    assert_eq!(
        (e.position.rank, e.position.score),
        (Some(1), Some(hit.score))
    );
    assert!(e.note.contains("no per-term parts"));
}
