//! Regressions of data loss, terminal injection, mixed index files and unsafe builds,
//! through the real binary on a tiny generated model (issue 9, items 1–3 and 6–8, 12, 17).

#[path = "common/cli.rs"]
mod cli;
mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cli::{spladescope, text, Setup};

const CORPUS: &str = r#"{"_id": "a1", "title": "Reset your password", "text": "reset my login and the account password"}
{"_id": "a2", "title": "Search engine", "text": "a fast sparse search engine for the query"}
{"_id": "a4", "title": "Pets", "text": "the red cat and the blue dog are running"}
"#;

#[test]
fn force_replaces_only_an_index_or_an_empty_directory() {
    let s = Setup::new();
    let corpus = s.write("corpus.jsonl", CORPUS.as_bytes());

    // A directory of the user's files survives --force, whole.
    std::fs::create_dir_all(s.path("mydocs/sub")).unwrap();
    s.write("mydocs/notes.txt", b"x");
    let out = s.index(&corpus, "mydocs", &["--force"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("not a spladescope index"), "{err}");
    assert!(s.path("mydocs/notes.txt").exists() && s.path("mydocs/sub").is_dir());

    // The corpus being read is never the output.
    std::fs::create_dir(s.path("corpusdir")).unwrap();
    s.write("corpusdir/a.txt", b"reset my login");
    let dir = s.path("corpusdir");
    let out = s.index(&dir, "corpusdir", &["--force"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("corpus being indexed"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        std::fs::read(s.path("corpusdir/a.txt")).unwrap(),
        b"reset my login"
    );

    // A regular file is never replaced.
    s.write("file.idx", b"precious");
    let out = s.index(&corpus, "file.idx", &["--force"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("is a file"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read(s.path("file.idx")).unwrap(), b"precious");

    // An empty directory and an existing index are replaced.
    std::fs::create_dir(s.path("empty")).unwrap();
    assert!(s.index(&corpus, "empty", &["--force"]).status.success());
    let out = s.index(&corpus, "empty", &["--force"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn files_of_another_build_are_refused_by_name() {
    let s = Setup::new();
    let corpus = s.write("corpus.jsonl", CORPUS.as_bytes());
    let other = s.write(
        "other.jsonl",
        CORPUS
            .replace("a1", "b1")
            .replace("Pets", "Cats")
            .as_bytes(),
    );
    assert!(s.index(&corpus, "one", &[]).status.success());
    assert!(s
        .index(&corpus, "two", &["--max-length", "8"])
        .status
        .success());
    assert!(s.index(&other, "three", &[]).status.success());
    let search = |idx: &str| {
        spladescope()
            .arg("search")
            .arg(s.path(idx))
            .arg("reset password")
            .output()
            .unwrap()
    };
    let swap = |file: &str, from: &str, to: &str| {
        std::fs::copy(
            s.path(&format!("{from}/{file}")),
            s.path(&format!("{to}/{file}")),
        )
        .unwrap();
    };
    let assert_refused = |idx: &str, file: &str| {
        let out = search(idx);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
        let err = text(&out.stderr);
        assert!(
            err.contains(file) && err.contains("different builds"),
            "{file}: {err}"
        );
    };
    assert!(search("one").status.success());
    // The same corpus at another max length: same documents, other vectors.
    swap("splade.fwd", "two", "one");
    assert_refused("one", "splade.fwd");
    assert!(s.index(&corpus, "one", &["--force"]).status.success());
    // A document store of the same size from another corpus.
    swap("docs.bin", "three", "one");
    assert_refused("one", "docs.bin");
    assert!(s.index(&corpus, "one", &["--force"]).status.success());
    // An edited CRC in the manifest.
    let manifest = s.path("one/manifest.json");
    let mut m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    m["files"]["splade.inv"]["crc32"] = "00000000".into();
    std::fs::write(&manifest, m.to_string()).unwrap();
    assert_refused("one", "splade.inv");
}

#[test]
fn control_characters_are_shown_not_sent_and_bad_ids_are_refused() {
    let s = Setup::new();
    let corpus = s.write(
        "evil.jsonl",
        concat!(
            r#"{"_id": "e1", "title": "\u001b[2J\u001b[HCLEARED\u0007", "text": "reset my login \u001b]0;pwned\u0007 now"}"#,
            "\n",
            r#"{"_id": "e\nvil", "text": "reset"}"#,
            "\n",
            r#"{"_id": "e 2", "text": "reset"}"#,
            "\n"
        )
        .as_bytes(),
    );
    let out = s.index(&corpus, "idx", &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("evil.jsonl:2") && err.contains("U+000A"),
        "{err}"
    );
    let out = s.index(&corpus, "idx", &["--skip-bad"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("2 bad records skipped") && stdout.contains("evil.jsonl:3"),
        "{stdout}"
    );
    for args in [
        vec!["search", "reset login", "--both", "--explain"],
        vec!["explain", "reset login", "e1"],
    ] {
        let out = spladescope()
            .arg(args[0])
            .arg(s.path("idx"))
            .args(&args[1..])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        let stdout = text(&out.stdout);
        assert!(
            !stdout.contains('\u{1b}') && !stdout.contains('\u{7}'),
            "{stdout:?}"
        );
        assert!(stdout.contains("␛[2J␛[HCLEARED␇"), "{stdout}");
    }
}

#[test]
fn an_endless_line_fails_at_once() {
    let s = Setup::new();
    let start = Instant::now();
    let out = s.index("/dev/zero".as_ref(), "zero.idx", &["--format", "jsonl"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("/dev/zero:1: line longer than"), "{err}");
    assert!(start.elapsed() < Duration::from_secs(60));
    s.assert_nothing_left("zero.idx");
}

/// A corpus that takes the tiny model many seconds to encode.
fn big_corpus(s: &Setup) -> std::path::PathBuf {
    let line = r#"{"_id": "ID", "title": "reset my login", "text": "the fast search engine is not slow and the query is a sparse vector of terms"}"#;
    let corpus: String = (0..60_000)
        .map(|i| line.replace("ID", &format!("d{i}")) + "\n")
        .collect();
    s.write("big.jsonl", corpus.as_bytes())
}

fn start_index(s: &Setup, corpus: &std::path::Path, out: &str) -> std::process::Child {
    s.index_command(corpus, out, &[])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn sigterm_and_sighup_stop_a_build_within_a_second_and_leave_nothing() {
    let s = Setup::new();
    let corpus = big_corpus(&s);
    for signal in ["TERM", "HUP", "INT"] {
        let child = start_index(&s, &corpus, "big.idx");
        // Let it load the model and start encoding.
        std::thread::sleep(Duration::from_millis(1500));
        let sent = Instant::now();
        let ok = Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok);
        let out = child.wait_with_output().unwrap();
        let took = sent.elapsed();
        assert_eq!(out.status.code(), Some(130), "{}", text(&out.stderr));
        // Was 20–27 s (a check per 512 documents); a model batch takes far less than 1 s.
        assert!(took < Duration::from_secs(3), "SIG{signal}: {took:?}");
        s.assert_nothing_left("big.idx");
    }
}

#[test]
fn leftovers_of_killed_builds_are_removed_and_reported() {
    let s = Setup::new();
    let corpus = s.write("corpus.jsonl", CORPUS.as_bytes());
    assert!(s.index(&corpus, "idx", &[]).status.success());
    std::fs::create_dir(s.path(".idx.building-999999")).unwrap();
    s.write(".idx.building-999999/docs.bin", b"half");
    std::fs::create_dir(s.path(".idx.old-999998")).unwrap();
    let out = s.index(&corpus, "idx", &["--force"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains(".idx.building-999999") && err.contains(".idx.old-999998"),
        "{err}"
    );
    s.assert_nothing_left("nothing");

    // Killed between the two renames of a swap: the output is missing and the previous
    // index waits in `.idx.old-PID`. It is put back, not deleted.
    std::fs::rename(s.path("idx"), s.path(".idx.old-999997")).unwrap();
    let out = s.index(&corpus, "idx", &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("put the index") && err.contains("--force"),
        "{err}"
    );
    assert!(s.path("idx/manifest.json").exists());
    s.assert_nothing_left("nothing");
}

#[test]
fn a_second_build_of_the_same_output_is_refused_while_one_runs() {
    let s = Setup::new();
    let big = big_corpus(&s);
    let small = s.write("corpus.jsonl", CORPUS.as_bytes());
    let mut first = start_index(&s, &big, "idx");
    // Wait until the first build holds the lock.
    let lock = s.path(".idx.lock");
    let start = Instant::now();
    while !lock.exists() && start.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = s.index(&small, "idx", &["--force"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("another spladescope build is writing"),
        "{err}"
    );
    let _ = first.kill();
    let _ = first.wait();
    // The lock dies with its holder: the next build goes ahead (and cleans up).
    let out = s.index(&small, "idx", &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn bad_numbers_and_useless_edits_are_reported() {
    let s = Setup::new();
    let corpus = s.write("corpus.jsonl", CORPUS.as_bytes());
    let out = s.index(&corpus, "idx", &["--threads", "10000"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("--threads 10000 is more than"));
    let idx = s.path("idx");
    let run = |args: &[&str]| {
        spladescope()
            .arg(args[0])
            .arg(&idx)
            .args(&args[1..])
            .output()
            .unwrap()
    };
    let out = run(&["search", "reset", "-k", "0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("1 or more"),
        "{}",
        text(&out.stderr)
    );
    let out = run(&["search", "reset", "--prune-min", "NaN"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("0 or more"),
        "{}",
        text(&out.stderr)
    );
    // A dropped term the query does not hold (the random tiny model gives every term a
    // weight, so this needs the real model).
    if let Some(model) = common::splade_tiny() {
        let out = spladescope()
            .arg("index")
            .arg(&corpus)
            .arg("--out")
            .arg(s.path("real"))
            .arg("--model")
            .arg(&model)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        let out = spladescope()
            .arg("search")
            .arg(s.path("real"))
            .args(["reset password", "--drop", "zebra", "--drop", "reset"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        let err = text(&out.stderr);
        assert!(
            err.contains("\"zebra\" is not a term of this query"),
            "{err}"
        );
        assert!(!err.contains("\"reset\" is not"), "{err}");
    }
    // An OS error is said once.
    let out = s.index(&s.path("missing.jsonl"), "m", &[]);
    let err = text(&out.stderr);
    assert_eq!(err.matches("(os error 2)").count(), 1, "{err}");
}

#[test]
fn compare_refuses_an_index_of_another_corpus() {
    let s = Setup::new();
    let corpus = s.write("corpus.jsonl", CORPUS.as_bytes());
    let other = s.write("other.jsonl", b"{\"_id\": \"z\", \"text\": \"reset\"}\n");
    assert!(s.index(&corpus, "a", &[]).status.success());
    assert!(s.index(&other, "b", &[]).status.success());
    let qrels = s.write("qrels.tsv", b"query-id\tcorpus-id\tscore\nq1\ta1\t1\n");
    let queries = s.write(
        "queries.jsonl",
        b"{\"_id\": \"q1\", \"text\": \"reset password\"}\n",
    );
    let eval = |extra: &[&str]| {
        spladescope()
            .arg("eval")
            .arg(s.path("a"))
            .arg("--queries")
            .arg(&queries)
            .arg("--qrels")
            .arg(&qrels)
            .arg("--compare")
            .arg(s.path("b"))
            .args(extra)
            .output()
            .unwrap()
    };
    let out = eval(&[]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("another corpus") && err.contains("--allow-corpus-mismatch"),
        "{err}"
    );
    let out = eval(&["--allow-corpus-mismatch"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("another corpus"));
}
