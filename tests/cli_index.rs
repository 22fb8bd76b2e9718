//! `spladescope index / search / explain / stats` end to end on a tiny generated model:
//! output, and every kind of bad input (clear error, non-zero exit, nothing half-built).

#[path = "common/cli.rs"]
mod cli;
mod common;

use cli::{spladescope, text, Setup};
use common::checkpoint::{self, BERT_TIED};
use spladescope::index::format::FORMAT_VERSION;

const GOOD: &str = r#"{"_id": "a1", "title": "Reset your password", "text": "reset my login and the account password"}
{"_id": "a2", "title": "Search engine", "text": "a fast sparse search engine for the query"}
{"_id": "a3", "title": "", "text": ""}
{"_id": "a4", "title": "Pets", "text": "the red cat and the blue dog are running"}
"#;

#[test]
fn index_search_explain_stats_work_end_to_end() {
    let s = Setup::new();
    let corpus = s.write("corpus.jsonl", GOOD.as_bytes());
    let out = s.index(&corpus, "idx", &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("indexed 4 documents"), "{stdout}");
    assert!(stdout.contains("1 empty documents"), "{stdout}");

    let idx = s.path("idx");
    let out = spladescope()
        .arg("search")
        .arg(&idx)
        .args(["reset password", "--both", "--explain", "-k", "2"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("splade ·") && stdout.contains("bm25 ·"),
        "{stdout}"
    );
    // The random tiny model ranks arbitrarily; BM25 must put a1 first and cross-reference it.
    let bm25 = stdout.split("bm25 ·").nth(1).unwrap();
    let first = bm25
        .lines()
        .find(|l| l.trim_start().starts_with("1 "))
        .unwrap();
    assert!(
        first.contains("a1") && first.contains("[splade #"),
        "{stdout}"
    );
    assert!(
        stdout.contains("reset tf 2 idf"),
        "BM25 explanations: {stdout}"
    );

    let out = spladescope()
        .arg("search")
        .arg(&idx)
        .args(["reset password", "--json", "--bm25"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["results"][0]["system"], "bm25");
    assert_eq!(json["results"][0]["hits"][0]["id"], "a1");

    let out = spladescope()
        .arg("explain")
        .arg(&idx)
        .args(["reset password", "a4", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let contributions: f64 = json["splade"]["terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["contribution"].as_f64().unwrap())
        .sum();
    assert!((contributions - json["splade"]["score"].as_f64().unwrap()).abs() < 1e-4);
    assert_eq!(
        json["bm25"]["rank"]["rank"],
        serde_json::Value::Null,
        "a4 has no BM25 term of the query"
    );

    let out = spladescope()
        .arg("explain")
        .arg(&idx)
        .args(["reset password", "a1"])
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("splade  ·")
            && stdout.contains("rank 1 of")
            && stdout.contains("input/input"),
        "{stdout}"
    );

    let out = spladescope().arg("stats").arg(&idx).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("documents   4") && stdout.contains("bytes on disk"),
        "{stdout}"
    );
    let out = spladescope()
        .arg("stats")
        .arg(&idx)
        .arg("--json")
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["documents"], 4);
}

#[test]
fn malformed_corpora_name_file_and_line() {
    let s = Setup::new();
    let bad = s.write("bad.jsonl", b"{\"_id\": \"a\", \"text\": \"ok\"}\n{\"_id\": \"b\", \"text\": oops}\n{\"_id\": \"c\", \"text\": \"fine\"}\n");
    let out = s.index(&bad, "idx", &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("bad.jsonl:2"), "{err}");
    s.assert_nothing_left("idx");

    let out = s.index(&bad, "idx", &["--skip-bad"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("1 bad records skipped"),
        "{}",
        text(&out.stdout)
    );

    let dup = s.write(
        "dup.jsonl",
        b"{\"_id\": \"a\", \"text\": \"x\"}\n{\"_id\": \"a\", \"text\": \"y\"}\n",
    );
    let out = s.index(&dup, "dupidx", &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("dup.jsonl:2") && err.contains("\"a\""),
        "{err}"
    );
    s.assert_nothing_left("dupidx");

    let empty = s.write("empty.jsonl", b"\n\n");
    let out = s.index(&empty, "emptyidx", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("no documents"),
        "{}",
        text(&out.stderr)
    );
    s.assert_nothing_left("emptyidx");

    let latin1 = s.write("latin1.tsv", b"d1\tcaf\xe9 au lait\n");
    let out = s.index(&latin1, "l1idx", &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("latin1.tsv:1") && err.to_lowercase().contains("utf-8"),
        "{err}"
    );
    s.assert_nothing_left("l1idx");
}

#[test]
fn existing_indexes_are_kept_unless_forced() {
    let s = Setup::new();
    let corpus = s.write("corpus.jsonl", GOOD.as_bytes());
    assert!(s.index(&corpus, "idx", &[]).status.success());
    let out = s.index(&corpus, "idx", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("--force"),
        "{}",
        text(&out.stderr)
    );
    let small = s.write("small.jsonl", b"{\"_id\": \"z\", \"text\": \"only one\"}\n");
    let out = s.index(&small, "idx", &["--force"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("indexed 1 documents"));
    s.assert_nothing_left("nonexistent");
}

#[test]
fn damaged_indexes_and_bad_requests_fail_cleanly() {
    let s = Setup::new();
    let corpus = s.write("corpus.jsonl", GOOD.as_bytes());
    assert!(s.index(&corpus, "idx", &[]).status.success());
    let idx = s.path("idx");
    let run = |args: &[&str]| -> (Option<i32>, String) {
        let out = spladescope().args(args).output().unwrap();
        (out.status.code(), text(&out.stderr))
    };
    let idx_s = idx.to_str().unwrap();

    let (code, err) = run(&["explain", idx_s, "reset", "no-such-doc"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("no-such-doc"), "{err}");

    let (code, err) = run(&["search", s.dir.path().to_str().unwrap(), "x"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("not a spladescope index"), "{err}");

    // Another model: refused unless asked for.
    let other = s.path("other-model");
    std::fs::create_dir(&other).unwrap();
    checkpoint::write(&other, BERT_TIED, 99);
    let (code, err) = run(&["search", idx_s, "reset", "--model", other.to_str().unwrap()]);
    assert_eq!(code, Some(1));
    assert!(err.contains("--allow-model-mismatch"), "{err}");
    let (code, _) = run(&[
        "search",
        idx_s,
        "reset",
        "--model",
        other.to_str().unwrap(),
        "--allow-model-mismatch",
    ]);
    assert_eq!(code, Some(0));

    // A flipped byte in a part: checksum error naming the file.
    let inv = idx.join("splade.inv");
    let mut bytes = std::fs::read(&inv).unwrap();
    bytes[20] ^= 0x40;
    std::fs::write(&inv, &bytes).unwrap();
    let (code, err) = run(&["search", idx_s, "reset"]);
    assert_eq!(code, Some(1));
    assert!(
        err.contains("splade.inv") && err.contains("checksum"),
        "{err}"
    );

    // A truncated part.
    assert!(s.index(&corpus, "idx", &["--force"]).status.success());
    let docs = idx.join("docs.bin");
    let bytes = std::fs::read(&docs).unwrap();
    std::fs::write(&docs, &bytes[..bytes.len() - 7]).unwrap();
    let (code, err) = run(&["stats", idx_s]);
    assert_eq!(code, Some(1));
    assert!(err.contains("docs.bin"), "{err}");

    // Another format version.
    assert!(s.index(&corpus, "idx", &["--force"]).status.success());
    let manifest = idx.join("manifest.json");
    let m = std::fs::read_to_string(&manifest).unwrap().replace(
        &format!("\"format_version\": {FORMAT_VERSION}"),
        "\"format_version\": 7",
    );
    std::fs::write(&manifest, m).unwrap();
    let (code, err) = run(&["search", idx_s, "reset"]);
    assert_eq!(code, Some(1));
    assert!(
        err.contains("format version 7") && err.contains("rebuild"),
        "{err}"
    );
    assert!(!err.contains("panicked"));
}
