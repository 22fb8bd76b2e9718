//! Engine profiles against the real engines. `scripts/reference/engines_reference.sh`
//! exported SciFact's vectors and test queries with `spladescope export`, loaded them into
//! Lucene (FeatureField, as Elasticsearch and OpenSearch index `sparse_vector` and
//! `rank_features`), Anserini, PISA, BMP, Qdrant (local mode) and Seismic, and kept each
//! one's top 10 per query in `tests/fixtures/engines/`. Here the same exports are written
//! again (they must be byte-identical to what the engines read) and every profile's top 10
//! is compared with its engine's.

#[path = "common/cli.rs"]
mod cli;
mod common;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

const K: usize = 10;

/// The SciFact index and a directory holding every profile's run and every export.
struct Setup {
    index: PathBuf,
    work: tempfile::TempDir,
}

fn setup() -> Option<&'static Setup> {
    static SETUP: OnceLock<Option<Setup>> = OnceLock::new();
    SETUP
        .get_or_init(|| {
            let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
            let index = common::cached::beir_index(&tmp, "scifact")?;
            let beir = common::shared("data/scifact")?;
            let work = tempfile::tempdir().unwrap();
            let systems = [
                "splade",
                "splade@elasticsearch",
                "splade@elasticsearch:prune",
                "splade@opensearch:two-phase",
                "splade@anserini",
                "splade@pisa",
                "splade@bmp",
                "splade@qdrant",
            ];
            let mut retrieve = cli::spladescope();
            retrieve
                .arg("retrieve")
                .arg(&index)
                .arg("--beir")
                .arg(&beir);
            for s in systems {
                retrieve.args(["--system", s]);
            }
            let out = retrieve
                .args(["-k", &K.to_string(), "--run-out"])
                .arg(work.path().join("runs"))
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", cli::text(&out.stderr));
            // PISA's and BMP's rankings deeper down.
            let out = cli::spladescope()
                .arg("retrieve")
                .arg(&index)
                .arg("--beir")
                .arg(&beir)
                .args([
                    "--system",
                    "splade@pisa",
                    "--system",
                    "splade@bmp",
                    "-k",
                    "1000",
                ])
                .arg("--run-out")
                .arg(work.path().join("deep"))
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", cli::text(&out.stderr));
            for target in [
                "elasticsearch",
                "opensearch",
                "anserini",
                "ciff",
                "qdrant",
                "seismic",
            ] {
                let out = cli::spladescope()
                    .arg("export")
                    .arg(&index)
                    .args(["--to", target, "-k", &K.to_string(), "--beir"])
                    .arg(&beir)
                    .arg("--out")
                    .arg(work.path().join("exports").join(target))
                    .output()
                    .unwrap();
                assert!(out.status.success(), "{}", cli::text(&out.stderr));
            }
            Some(Setup { index, work })
        })
        .as_ref()
}

/// A run: per query, its hits `(doc id, score as written)` in rank order.
type Hits = BTreeMap<String, Vec<(String, String)>>;

fn read_run(path: &Path) -> Hits {
    let mut run = Hits::new();
    for line in std::fs::read_to_string(path).unwrap().lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(f.len(), 6, "{}: {line}", path.display());
        run.entry(f[0].to_string())
            .or_default()
            .push((f[2].to_string(), f[4].to_string()));
    }
    run
}

/// An engine's run: every one of SciFact's 300 test queries has hits.
fn fixture_run(name: &str) -> Hits {
    let run = read_run(&common::fixture(&format!("engines/{name}")));
    assert_eq!(run.len(), 300, "{name}: queries");
    run
}

fn profile_run(s: &Setup, system: &str) -> Hits {
    let name = spladescope::system::run_file_name(system);
    read_run(&s.work.path().join("runs").join(name))
}

fn f32_of(s: &str) -> f32 {
    s.parse().unwrap()
}

/// Queries whose top k lists other documents, or the same in another order.
fn reordered(a: &Hits, b: &Hits) -> usize {
    let ids = |h: &[(String, String)]| h.iter().map(|(d, _)| d.clone()).collect::<Vec<_>>();
    a.iter().filter(|(q, h)| ids(h) != ids(&b[*q])).count()
}

/// Every query the same documents in the same order with the same `f32` scores.
fn assert_identical(engine: &Hits, ours: &Hits, what: &str) {
    for (qid, hits) in engine {
        let mine = &ours[qid];
        let a: Vec<(&str, u32)> = hits
            .iter()
            .map(|(d, s)| (d.as_str(), f32_of(s).to_bits()))
            .collect();
        let b: Vec<(&str, u32)> = mine
            .iter()
            .map(|(d, s)| (d.as_str(), f32_of(s).to_bits()))
            .collect();
        assert_eq!(a, b, "{what}: query {qid}");
    }
}

/// Where two top-k lists differ other than by the order of tied documents: the scores
/// rank by rank, then the documents of each group of tied scores (the last group, cut at k,
/// may hold different members of a larger tie). `None` when they agree; with the number of
/// tied groups.
fn tie_difference(
    a: &[(String, String)],
    b: &[(String, String)],
    score: &impl Fn(&str) -> i64,
) -> Result<usize, String> {
    let sa: Vec<i64> = a.iter().map(|(_, s)| score(s)).collect();
    let sb: Vec<i64> = b.iter().map(|(_, s)| score(s)).collect();
    if sa != sb {
        return Err(format!("scores {sa:?} against {sb:?}"));
    }
    let group = |h: &[(String, String)], v: i64| {
        let mut ids: Vec<String> = h
            .iter()
            .filter(|(_, s)| score(s) == v)
            .map(|(d, _)| d.clone())
            .collect();
        ids.sort();
        ids
    };
    let mut tied = 0;
    let last = sa.last().copied();
    let mut values = sa.clone();
    values.dedup();
    for v in values.into_iter().filter(|&v| Some(v) != last) {
        let (ga, gb) = (group(a, v), group(b, v));
        tied += usize::from(ga.len() > 1);
        if ga != gb {
            return Err(format!("documents scoring {v}: {ga:?} against {gb:?}"));
        }
    }
    Ok(tied)
}

/// Every query: the same top k up to the order of tied documents ([`tie_difference`]).
fn assert_same_up_to_ties(engine: &Hits, ours: &Hits, score: impl Fn(&str) -> i64, what: &str) {
    let mut tied_groups = 0;
    for (qid, hits) in engine {
        match tie_difference(hits, &ours[qid], &score) {
            Ok(n) => tied_groups += n,
            Err(e) => panic!("{what}: query {qid}: {e}"),
        }
    }
    eprintln!("{what}: {tied_groups} groups of tied scores inside the top {K}");
}

#[test]
fn exports_are_the_files_the_engines_read() {
    let Some(s) = setup() else { return };
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(common::fixture("engines/manifest.json")).unwrap(),
    )
    .unwrap();
    let files = manifest["exports"].as_object().unwrap();
    assert!(files.len() >= 20, "{} files", files.len());
    for (rel, sha) in files {
        let bytes = std::fs::read(s.work.path().join("exports").join(rel)).unwrap();
        let hex: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            &hex,
            sha.as_str().unwrap(),
            "{rel} differs from the file the engines read: rerun \
             scripts/reference/engines_reference.sh (index {})",
            s.index.display()
        );
    }
}

#[test]
fn elasticsearch_profile_equals_lucene_feature_field() {
    let Some(s) = setup() else { return };
    assert_identical(
        &fixture_run("es.trec"),
        &profile_run(s, "splade@elasticsearch"),
        "Elasticsearch",
    );
}

#[test]
fn elasticsearch_pruning_equals_lucene_with_the_pruning_rule() {
    let Some(s) = setup() else { return };
    let engine = fixture_run("es-prune.trec");
    assert_identical(
        &engine,
        &profile_run(s, "splade@elasticsearch:prune"),
        "pruned",
    );
    // Pruning changes rankings: it is not the unpruned run.
    let plain = fixture_run("es.trec");
    let moved = reordered(&engine, &plain);
    assert!(moved > 50, "pruning changed only {moved} queries");
    eprintln!("Elasticsearch pruning reorders or changes the top {K} of {moved} of 300 queries");
}

#[test]
fn opensearch_two_phase_equals_lucene_rescoring() {
    let Some(s) = setup() else { return };
    let engine = fixture_run("os-two-phase.trec");
    assert_identical(
        &engine,
        &profile_run(s, "splade@opensearch:two-phase"),
        "OpenSearch two-phase",
    );
    let plain = fixture_run("es.trec");
    eprintln!(
        "OpenSearch two-phase reorders or changes the top {K} of {} of 300 queries",
        reordered(&engine, &plain)
    );
}

/// Anserini prints integer scores rounded to 4 decimals, a tied document 1e-6 below the one
/// before it.
fn integer(s: &str) -> i64 {
    let v: f64 = s.parse().unwrap();
    let r = v.round();
    assert!((v - r).abs() < 1e-3, "{s} is not an integer score");
    r as i64
}

#[test]
fn anserini_profile_equals_anserini_up_to_ties() {
    let Some(s) = setup() else { return };
    assert_same_up_to_ties(
        &fixture_run("anserini.trec"),
        &profile_run(s, "splade@anserini"),
        integer,
        "Anserini",
    );
}

#[test]
fn pisa_profile_equals_pisa_up_to_ties() {
    let Some(s) = setup() else { return };
    let ours = profile_run(s, "splade@pisa");
    assert_same_up_to_ties(&fixture_run("pisa.trec"), &ours, integer, "PISA");
}

#[test]
fn bmp_profile_equals_bmp_up_to_ties_and_wraps_where_bmp_does() {
    let Some(s) = setup() else { return };
    let bmp = fixture_run("bmp.trec");
    let ours = profile_run(s, "splade@bmp");
    // BMP adds in 16 bits: where PISA's best score passes 65,535, BMP's ranking differs
    // from PISA's, and the profile's wraps as BMP's does.
    let pisa = fixture_run("pisa.trec");
    let wrapped: Vec<&String> = pisa
        .iter()
        .filter(|(_, h)| h.iter().any(|(_, s)| integer(s) > 65_535))
        .map(|(q, _)| q)
        .collect();
    assert!(wrapped.len() > 10, "{} queries wrap", wrapped.len());
    for q in &wrapped {
        assert_ne!(pisa[*q], bmp[*q], "query {q}");
    }
    // BMP's block bounds are 16-bit sums too: a block whose bound wraps below the k-th
    // score is skipped, so where scores wrap BMP can skip documents. Every query is equal
    // up to ties, except where BMP skipped: there its hits are the profile's ranking with
    // documents left out, scores unchanged, and PISA's scores wrap.
    let deep = read_run(&s.work.path().join("deep").join("splade_bmp.trec"));
    let (mut same_bmp, mut same_ours) = (Hits::new(), Hits::new());
    let mut skipping = Vec::new();
    for (q, hits) in &bmp {
        if tie_difference(hits, &ours[q], &integer).is_ok() {
            same_bmp.insert(q.clone(), hits.clone());
            same_ours.insert(q.clone(), ours[q].clone());
            continue;
        }
        skipping.push(q);
        let full = &deep[q];
        let mut at = 0;
        for h in hits {
            let found = full[at..].iter().position(|x| x == h);
            let Some(i) = found else {
                panic!("query {q}: BMP's {h:?} is not in the profile's ranking after rank {at}")
            };
            at += i + 1;
        }
        assert!(
            wrapped.contains(&q),
            "query {q}: BMP skips without a wrapped score"
        );
    }
    assert_same_up_to_ties(&same_bmp, &same_ours, integer, "BMP");
    assert!(skipping.len() <= 3, "BMP skips documents in {skipping:?}");
    eprintln!(
        "BMP: {} queries wrap past 65,535; BMP skips documents of a wrapped block in {:?}",
        wrapped.len(),
        skipping
    );
}

#[test]
fn qdrant_profile_equals_qdrant_local_mode() {
    let Some(s) = setup() else { return };
    let engine = fixture_run("qdrant.trec");
    let ours = profile_run(s, "splade@qdrant");
    // Qdrant's local mode adds exact products in f64 and rounds once; the server (and the
    // profile) add f32 products in f32, so scores agree to rounding (relative 4e-6, about
    // 30 f32 additions' worth) and only documents that close may swap.
    const REL: f32 = 4e-6;
    let close = |a: f32, b: f32| (a - b).abs() <= REL * a.abs().max(b.abs());
    let (mut exact, mut worst) = (0, 0.0f32);
    for (qid, hits) in &engine {
        let mine = &ours[qid];
        assert_eq!(hits.len(), mine.len(), "query {qid}");
        let scores: HashMap<&str, f32> =
            mine.iter().map(|(d, s)| (d.as_str(), f32_of(s))).collect();
        for ((da, sa), (_, sb)) in hits.iter().zip(mine) {
            let (a, b) = (f32_of(sa), f32_of(sb));
            assert!(close(a, b), "query {qid}: rank scores {a} against {b}");
            exact += usize::from(a == b);
            worst = worst.max((a - b).abs() / a.abs());
            if let Some(&mine_d) = scores.get(da.as_str()) {
                assert!(close(a, mine_d), "query {qid}: {da} {a} against {mine_d}");
            } else {
                // Only a document tied (to rounding) with the last hit may be missing.
                let last = f32_of(&mine.last().unwrap().1);
                assert!(close(a, last), "query {qid}: {da} {a} is missing");
            }
        }
    }
    eprintln!(
        "Qdrant: {exact} of {} scores bit for bit, the largest relative difference {worst:e}",
        300 * K
    );
}

#[test]
fn seismic_recall_against_exact_splade() {
    let Some(s) = setup() else { return };
    let engine = fixture_run("seismic.trec");
    let exact = profile_run(s, "splade");
    let mut found = 0usize;
    let mut total = 0usize;
    for (qid, hits) in &exact {
        let theirs: std::collections::HashSet<&str> = engine
            .get(qid)
            .map(|h| h.iter().map(|(d, _)| d.as_str()).collect())
            .unwrap_or_default();
        total += hits.len();
        found += hits
            .iter()
            .filter(|(d, _)| theirs.contains(d.as_str()))
            .count();
    }
    let recall = found as f64 / total as f64;
    eprintln!("Seismic recall@{K} against exact SPLADE: {recall:.4} ({found} of {total})");
    assert!(recall > 0.9, "Seismic recall@{K} {recall}");
}
