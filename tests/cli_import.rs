//! `spladescope index --vectors` and `export-vectors` end to end on a tiny generated model:
//! the round trip keeps vectors bit for bit, texts come from the file or a corpus, integer
//! impacts and term-id keys, gzip, and every kind of bad vector line.

#[path = "common/cli.rs"]
mod cli;
mod common;

use std::io::Write;

use cli::{json_of, spladescope, text, Setup};
use spladescope::index::Index;

const VECTORS: &str = r###"{"id": "a1", "contents": "reset my login password", "vector": {"reset": 1.5, "password": 0.33333334, "##in": 0.1}}
{"id": "a2", "title": "Search", "text": "a fast sparse search engine", "vector": {"search": 2.25, "engine": 1e-7, "fast": 0}}
{"id": "a3", "vector": {"cat": 0.75}}
"###;

fn import(s: &Setup, vectors: &std::path::Path, out: &str, extra: &[&str]) -> std::process::Output {
    spladescope()
        .arg("index")
        .arg("--vectors")
        .arg(vectors)
        .arg("--out")
        .arg(s.path(out))
        .arg("--model")
        .arg(s.path("model"))
        .args(extra)
        .output()
        .unwrap()
}

fn export(s: &Setup, index: &str, extra: &[&str]) -> String {
    let out = spladescope()
        .arg("export-vectors")
        .arg(s.path(index))
        .args(extra)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

#[test]
fn vectors_round_trip_bit_for_bit_and_texts_feed_bm25() {
    let s = Setup::new();
    let file = s.write("v.jsonl", VECTORS.as_bytes());
    let out = import(&s, &file, "idx", &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("indexed 3 documents"),
        "{}",
        text(&out.stdout)
    );

    let index = Index::open(&s.path("idx")).unwrap();
    let m = index.manifest();
    let imported = m.imported.as_ref().unwrap();
    assert_eq!(imported.texts, "the vector file");
    assert_eq!(imported.sha256.len(), 64);
    assert_eq!(m.empty_documents, 1);
    let v = index.vector(0).unwrap();
    assert_eq!(v.weights, vec![1.5, 0.1, 0.33333334]);
    assert_eq!(index.doc(1).unwrap().title, "Search");
    // Zero weights are not stored.
    assert_eq!(index.vector(1).unwrap().nnz(), 2);

    // Export, import the export, export again: the same bytes.
    let first = export(&s, "idx", &[]);
    let again = s.write("again.jsonl", first.as_bytes());
    assert!(import(&s, &again, "idx2", &[]).status.success());
    assert_eq!(export(&s, "idx2", &[]), first);
    assert!(first.starts_with(r###"{"id":"a1","contents":"reset my login password","vector":{"reset":1.5,"##in":0.1,"password":0.33333334}}"###), "{first}");

    // BM25 works on the imported texts.
    let hits = json_of(
        spladescope()
            .arg("search")
            .arg(s.path("idx"))
            .args(["search engine", "--bm25", "--json", "--model"])
            .arg(s.path("model")),
    );
    assert_eq!(hits["results"][0]["hits"][0]["id"], "a2", "{hits}");

    // Where imported weights came from is unknown: `doc` and `explain` say so.
    let doc = json_of(
        spladescope()
            .arg("doc")
            .arg(s.path("idx"))
            .args(["a1", "--json", "--model"])
            .arg(s.path("model")),
    );
    assert_eq!(doc["nnz"], 3, "{doc}");
    assert!(doc["terms"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["source"].is_null()));
    assert!(
        doc["sources_unavailable"]
            .as_str()
            .unwrap()
            .contains("imported"),
        "{doc}"
    );
    let why = json_of(
        spladescope()
            .arg("explain")
            .arg(s.path("idx"))
            .args(["reset", "a1", "--json", "--model"])
            .arg(s.path("model")),
    );
    assert!(
        why["doc_sources_unavailable"]
            .as_str()
            .unwrap()
            .contains("imported"),
        "{why}"
    );
}

#[test]
fn ids_keys_integer_impacts_gzip_and_a_separate_corpus() {
    let s = Setup::new();
    let corpus = s.write(
        "corpus.jsonl",
        br#"{"_id": "d2", "title": "Pets", "text": "the red cat"}
{"_id": "d1", "title": "", "text": "reset my password"}
"#,
    );
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(b"{\"id\": \"d1\", \"vector\": {\"5\": 150, \"9\": 3}}\n{\"id\": \"d2\", \"vector\": {\"29\": 250}}\n{\"id\": \"d3\", \"vector\": {\"30\": 1}}\n")
        .unwrap();
    let file = s.write("v.jsonl.gz", &gz.finish().unwrap());
    let out = import(
        &s,
        &file,
        "idx",
        &["--vector-keys", "ids", "--impact-scale", "100", "--corpus"],
    );
    assert!(!out.status.success(), "--corpus needs its path");
    let mut args = vec!["--vector-keys", "ids", "--impact-scale", "100", "--corpus"];
    args.push(corpus.to_str().unwrap());
    let out = import(&s, &file, "idx", &args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("1 documents are not in"),
        "{}",
        text(&out.stdout)
    );
    let index = Index::open(&s.path("idx")).unwrap();
    let imported = index.manifest().imported.clone().unwrap();
    assert_eq!(
        (imported.impact_scale, imported.without_text),
        (Some(100.0), 1)
    );
    assert_eq!(index.vector(0).unwrap().weights, vec![1.5, 0.03]);
    assert_eq!(index.vector(1).unwrap().weights, vec![2.5]);
    assert_eq!(index.doc(1).unwrap().title, "Pets");
    assert_eq!(index.doc(0).unwrap().text, "reset my password");
    let ids = export(&s, "idx", &["--vector-keys", "ids", "--no-text"]);
    assert_eq!(
        ids.lines().next().unwrap(),
        r#"{"id":"d1","vector":{"5":1.5,"9":0.03}}"#
    );
}

#[test]
fn bad_vector_lines_name_file_line_and_problem_and_build_nothing() {
    let s = Setup::new();
    let cases = [
        (
            r#"{"id": "x", "vector": {"cat": -1}}"#,
            "weight of term \"cat\" is negative (-1)",
        ),
        (
            r#"{"id": "x", "vector": {"cat": "NaN"}}"#,
            "is a string, not a number",
        ),
        (r#"{"id": "x", "vector": {"cat": 1e999}}"#, "is too large"),
        (
            r#"{"id": "x", "vector": {"zebra": 1}}"#,
            "unknown token \"zebra\"",
        ),
        (
            r#"{"id": "x", "vector": {"cat": 1, "cat": 2}}"#,
            "term \"cat\" appears twice",
        ),
        (
            r#"{"id": "a1", "vector": {}}"#,
            ":2: duplicate document id \"a1\" (first seen on line 1)",
        ),
        (r#"{"id": "x", "vector": {"cat": 1}"#, "invalid JSON"),
        (r#"{"id": "x"}"#, "missing \"vector\" field"),
    ];
    for (i, (line, want)) in cases.iter().enumerate() {
        let file = s.write(
            &format!("bad{i}.jsonl"),
            format!("{{\"id\": \"a1\", \"vector\": {{\"cat\": 1}}}}\n{line}\n").as_bytes(),
        );
        let out = import(&s, &file, "idx", &[]);
        let stderr = text(&out.stderr);
        assert!(!out.status.success(), "{line}");
        assert!(
            stderr.contains(&format!("bad{i}.jsonl:2: ")),
            "{line}: {stderr}"
        );
        assert!(stderr.contains(want), "{line}: {stderr}");
        s.assert_nothing_left("idx");
    }
    let file = s.write("ids.jsonl", br#"{"id": "x", "vector": {"40": 1}}"#);
    let out = import(&s, &file, "idx", &["--vector-keys", "ids"]);
    assert!(
        text(&out.stderr)
            .contains("ids.jsonl:1: term key \"40\" is not a term id below the vocabulary size 40"),
        "{}",
        text(&out.stderr)
    );
    // --skip-bad counts them and keeps the good ones.
    let file = s.write(
        "mixed.jsonl",
        b"{\"id\": \"a\", \"vector\": {\"cat\": 1}}\n{\"id\": \"b\", \"vector\": {\"cat\": -1}}\n{\"id\": \"c\", \"vector\": {\"dog\": 2}}\n",
    );
    let out = import(&s, &file, "idx", &["--skip-bad"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("indexed 2 documents") && stdout.contains("1 bad records skipped"),
        "{stdout}"
    );
    assert!(
        stdout.contains("mixed.jsonl:2: weight of term \"cat\" is negative"),
        "{stdout}"
    );
    // Options that need --vectors, and a corpus with --vectors, are refused.
    let out = spladescope()
        .args(["index", "c.jsonl", "--out", "o", "--vector-keys", "ids"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let out = spladescope()
        .args(["index", "c.jsonl", "--vectors", "v.jsonl", "--out", "o"])
        .output()
        .unwrap();
    assert!(
        text(&out.stderr).contains("cannot be used with"),
        "{}",
        text(&out.stderr)
    );
    let out = import(&s, &s.path("missing.jsonl"), "none", &[]);
    assert!(
        text(&out.stderr).contains("missing.jsonl"),
        "{}",
        text(&out.stderr)
    );
    s.assert_nothing_left("none");
}
