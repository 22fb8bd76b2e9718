//! Memory of a build does not grow with a document's length beyond a few copies of its
//! bytes (issue 9, item 4): one 32 MB document used to take gigabytes (tokenizer offsets
//! and alignments for every byte, every BM25 token held at once). Alone in its binary,
//! because it reads the peak memory of this process's children.

#[path = "common/cli.rs"]
mod cli;
mod common;

use cli::{text, Setup};

/// The largest peak resident set of the children waited for so far, in bytes.
fn children_peak_rss() -> u64 {
    // SAFETY: getrusage fills the struct we own.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    assert_eq!(
        unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) },
        0
    );
    usage.ru_maxrss as u64 * 1024
}

#[test]
fn a_32_mb_document_is_indexed_in_bounded_memory() {
    let s = Setup::new();
    let words = [
        "reset", "login", "password", "engine", "sparse", "query", "1234", "e-mail",
    ];
    let mut text_body = String::with_capacity(33 << 20);
    let (mut i, mut logins) = (0usize, 0u64);
    while text_body.len() < 32 << 20 {
        let word = words[i % words.len()];
        logins += u64::from(word == "login");
        text_body.push_str(word);
        text_body.push(if i % 17 == 0 { '\n' } else { ' ' });
        i += 1;
    }
    let doc = serde_json::json!({"_id": "long", "title": "A long one", "text": text_body});
    let corpus = s.write(
        "long.jsonl",
        format!("{doc}\n{{\"_id\": \"short\", \"text\": \"reset my login\"}}\n").as_bytes(),
    );
    let bytes = std::fs::metadata(&corpus).unwrap().len();
    let out = s.index(&corpus, "idx", &["--max-length", "32"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("1 documents truncated at 32 tokens"));
    let peak = children_peak_rss();
    eprintln!(
        "peak resident memory {:.0} MB for a {:.0} MB document",
        peak as f64 / 1e6,
        bytes as f64 / 1e6
    );
    // A few copies of the document (reader, record, index text, document store) and the
    // process itself; before the fix this was over 2 GB.
    assert!(peak < 8 * bytes + (100 << 20), "peak {peak} bytes");

    // And BM25 saw the whole text.
    let out = cli::spladescope()
        .args(["explain"])
        .arg(s.path("idx"))
        .args(["login", "long", "--json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["bm25"]["terms"][0]["tf"], logins);
}
