//! `spladescope encode` end to end: the real binary, its table and JSON output, model
//! resolution through the Hugging Face cache, and its errors.

#[path = "common/cli.rs"]
mod cli;
mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use cli::{spladescope, text};

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("spladescope runs")
}

#[test]
fn table_shows_input_and_expansion_terms_with_bars() {
    let Some(model) = common::splade_tiny() else {
        return;
    };
    let out = run(spladescope()
        .args(["encode", "--model"])
        .arg(&model)
        .arg("reset my login"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let reset = stdout
        .lines()
        .find(|l| l.contains(" reset "))
        .expect("a row for reset");
    assert!(
        reset.contains("2.406") && reset.contains('█') && reset.ends_with("input"),
        "{reset}"
    );
    let expansion = stdout
        .lines()
        .find(|l| l.contains(" settlement "))
        .expect("an expansion row");
    // The word that produced it, and the token of that word.
    assert!(
        expansion.ends_with("expansion  ← login (log)"),
        "{expansion}"
    );
    assert!(
        stdout.contains("6 tokens, not truncated; 16 non-zeros (4 input, 12 expansion)"),
        "{stdout}"
    );
}

#[test]
fn json_matches_the_golden_vector() {
    let Some(model) = common::splade_tiny() else {
        return;
    };
    let out = run(spladescope()
        .args(["encode", "--json", "--model"])
        .arg(&model)
        .arg("reset my login"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let golden: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(common::fixture("golden/splade-tiny/00_q_reset_login.json"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(got["token_ids"], golden["token_ids"]);
    assert_eq!(got["tokens"], golden["tokens"]);
    assert_eq!(got["nnz"], golden["nnz"]);
    assert_eq!(got["truncated"], false);
    let terms = got["terms"].as_array().unwrap();
    let want = golden["terms"].as_array().unwrap();
    assert_eq!(terms.len(), want.len());
    for (g, w) in terms.iter().zip(want) {
        assert_eq!(g["id"], w["id"]);
        assert_eq!(g["token"], w["token"]);
        let diff = (g["weight"].as_f64().unwrap() - w["weight"].as_f64().unwrap()).abs();
        assert!(diff < 1e-4, "{g} vs {w}");
    }
    assert_eq!(terms[0]["kind"], "input");
    assert_eq!(terms[3]["kind"], "expansion");
    // `settlement` comes from position 3, `log`, of the word `login`.
    assert_eq!(terms[3]["token"], "settlement");
    assert_eq!(
        terms[3]["source"],
        serde_json::json!({"position": 3, "token": "log", "word": "login"})
    );
    assert_eq!(terms[0]["source"]["word"], "reset");
}

#[test]
fn stdin_lines_are_encoded_in_order_with_top_k() {
    let Some(model) = common::splade_tiny() else {
        return;
    };
    let mut child = spladescope()
        .args(["encode", "--json", "--top", "2", "--batch", "2", "--model"])
        .arg(&model)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"reset my login\n\nwhat is diabetes\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let records: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let texts: Vec<&str> = records
        .iter()
        .map(|r| r["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["reset my login", "", "what is diabetes"]);
    assert!(records
        .iter()
        .all(|r| r["terms"].as_array().unwrap().len() <= 2));
    assert_eq!(records[1]["token_ids"], serde_json::json!([101, 102]));
}

/// Lays out a Hub cache (`models--owner--name/{refs/main, snapshots/<rev>/…}`) that links to
/// the shared splade-tiny files.
fn fake_hub_cache(cache: &Path, model: &Path) {
    let repo = cache.join("models--rasyosef--splade-tiny");
    let rev = "0123456789abcdef0123456789abcdef01234567";
    let snap = repo.join("snapshots").join(rev);
    std::fs::create_dir_all(&snap).unwrap();
    std::fs::create_dir_all(repo.join("refs")).unwrap();
    std::fs::write(repo.join("refs/main"), rev).unwrap();
    for f in ["config.json", "tokenizer.json", "model.safetensors"] {
        std::os::unix::fs::symlink(model.join(f).canonicalize().unwrap(), snap.join(f)).unwrap();
    }
}

#[test]
fn hub_ids_resolve_through_the_cache_offline() {
    let Some(model) = common::splade_tiny() else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    fake_hub_cache(&home.path().join("hub"), &model);
    // HF_HOME/hub, the default repo id, offline.
    let out = run(spladescope()
        .args(["encode", "--json", "--top", "1", "reset my login"])
        .env("HF_HOME", home.path())
        .env_remove("HF_HUB_CACHE")
        .env("HF_HUB_OFFLINE", "1"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(got["model"], "rasyosef/splade-tiny");
    assert_eq!(got["terms"][0]["token"], "reset");
    // HF_HUB_CACHE wins over HF_HOME.
    let out = run(spladescope()
        .args(["encode", "--model", "rasyosef/splade-tiny", "x"])
        .env("HF_HOME", "/nonexistent")
        .env("HF_HUB_CACHE", home.path().join("hub"))
        .env("HF_HUB_OFFLINE", "1"));
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn a_model_missing_offline_says_how_to_get_it() {
    let empty = tempfile::tempdir().unwrap();
    let out = run(spladescope()
        .args(["encode", "reset my login"])
        .env("HF_HUB_CACHE", empty.path())
        .env("HF_HUB_OFFLINE", "1"));
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("rasyosef/splade-tiny") && err.contains("HF_HUB_OFFLINE"),
        "{err}"
    );
    assert!(
        err.contains("scripts/fetch-splade-tiny.sh") && err.contains("--model"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn bad_model_arguments_fail_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["--model".into(), "/no/such/model/dir".into()],
            "does not exist",
        ),
        (
            vec!["--model".into(), dir.path().display().to_string()],
            "has no config.json",
        ),
        (
            vec!["--model".into(), "not-a-repo-id".into()],
            "neither a local directory",
        ),
    ];
    for (args, expected) in cases {
        let out = run(spladescope().arg("encode").args(&args).arg("hello"));
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = text(&out.stderr);
        assert!(err.contains(expected), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let Some(model) = common::splade_tiny() else {
        return;
    };
    let out = run(spladescope()
        .args(["encode", "--max-length", "9999", "--model"])
        .arg(&model)
        .arg("x"));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("max length 9999"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn unusual_texts_encode_without_error() {
    let Some(model) = common::splade_tiny() else {
        return;
    };
    let long = "word ".repeat(2000);
    let out = run(spladescope()
        .args(["encode", "--json", "--top", "3", "--model"])
        .arg(&model)
        .args(["", "   ", "🙂🚀", "日本語のテキスト", "Ünïcödé", &long]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let records: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 6);
    assert_eq!(records[5]["truncated"], true);
    assert_eq!(records[5]["token_ids"].as_array().unwrap().len(), 512);
    assert_eq!(records[5]["untruncated_tokens"], 2002);
}
