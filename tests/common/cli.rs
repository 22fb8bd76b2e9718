//! Running the real binary on a tiny generated model, for CLI end-to-end tests. Included
//! by the test files that use it (`#[path = "common/cli.rs"] mod cli;`), not by `common`,
//! which examples and benches share and which cannot name the binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::common::checkpoint::{self, BERT_TIED};

pub fn spladescope() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_spladescope"));
    cmd.env("NO_COLOR", "1")
        .env_remove("SPLADESCOPE_MODEL")
        .stdin(Stdio::null());
    cmd
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Runs a command that must succeed and prints JSON; its output, parsed.
pub fn json_of(cmd: &mut Command) -> serde_json::Value {
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

pub struct Setup {
    pub dir: tempfile::TempDir,
}

impl Setup {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("model")).unwrap();
        checkpoint::write(&dir.path().join("model"), BERT_TIED, 5);
        Self { dir }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, content: &[u8]) -> PathBuf {
        let p = self.path(rel);
        std::fs::write(&p, content).unwrap();
        p
    }

    /// `spladescope index CORPUS --out OUT --model <the tiny model> EXTRA`.
    pub fn index_command(&self, corpus: &Path, out: &str, extra: &[&str]) -> Command {
        let mut cmd = spladescope();
        cmd.arg("index")
            .arg(corpus)
            .arg("--out")
            .arg(self.path(out))
            .arg("--model")
            .arg(self.path("model"))
            .args(extra);
        cmd
    }

    /// Runs [`Setup::index_command`] to the end.
    pub fn index(&self, corpus: &Path, out: &str, extra: &[&str]) -> Output {
        self.index_command(corpus, out, extra).output().unwrap()
    }

    /// No index and no leftover temporary directory at `out`.
    pub fn assert_nothing_left(&self, out: &str) {
        assert!(!self.path(out).exists(), "{out} must not exist");
        let leftovers: Vec<String> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".building-") || n.contains(".old-"))
            .collect();
        assert!(leftovers.is_empty(), "leftovers: {leftovers:?}");
    }
}

/// A stored document's terms as `spladescope doc INDEX ID --json` lists them.
pub fn doc_terms(index: &Path, id: &str) -> Vec<serde_json::Value> {
    let d = json_of(spladescope().arg("doc").arg(index).args([id, "--json"]));
    d["terms"].as_array().unwrap().clone()
}

/// A text's terms as `model` encodes it (`spladescope encode --json`).
pub fn encoded_terms(model: &Path, text: &str) -> Vec<serde_json::Value> {
    let e = json_of(
        spladescope()
            .arg("encode")
            .arg("--model")
            .arg(model)
            .args(["--json", text]),
    );
    e["terms"].as_array().unwrap().clone()
}

/// Token → weight of terms listed by [`doc_terms`] or [`encoded_terms`].
pub fn token_weights<M: FromIterator<(String, f64)>>(terms: &[serde_json::Value]) -> M {
    terms
        .iter()
        .map(|t| {
            (
                t["token"].as_str().unwrap().to_string(),
                t["weight"].as_f64().unwrap(),
            )
        })
        .collect()
}
