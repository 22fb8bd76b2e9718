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

/// The encoder cuts long texts before tokenising them; the model must see exactly the
/// tokens of the whole text, and the untruncated count must be exact, in every script.
#[test]
fn cut_texts_tokenise_exactly_as_whole_ones() {
    let Some(model) = common::splade_tiny() else {
        return;
    };
    let options = spladescope::encoder::EncoderOptions {
        max_length: 64,
        ..Default::default()
    };
    let files = spladescope::encoder::ModelFiles::from_dir(&model).unwrap();
    let encoder = spladescope::encoder::SparseEncoder::load(files, options).unwrap();
    let mut whole = tokenizers::Tokenizer::from_file(model.join("tokenizer.json")).unwrap();
    whole.with_truncation(None).unwrap();
    let texts = [
        "東京タワーは高い。".repeat(300),
        "漢字".repeat(5000),
        "Жизнь прекрасна, λόγος ".repeat(400),
        "a\u{b}b \u{301}c naïve café ".repeat(300),
        "x".repeat(100_000),
        "word ".repeat(63),
        format!("{}{}", "reset ".repeat(62), "\u{200b}\u{ad} \u{0}"),
        String::new(),
    ];
    for text in &texts {
        let enc = encoder.encode(text).unwrap();
        let full = whole.encode(text.as_str(), true).unwrap();
        let ids = full.get_ids();
        let mut want: Vec<u32> = ids.to_vec();
        if want.len() > 64 {
            let last = want[want.len() - 1];
            want.truncate(63);
            want.push(last);
        }
        let head: String = text.chars().take(20).collect();
        assert_eq!(enc.token_ids, want, "{head:?}");
        assert_eq!(enc.untruncated_tokens, ids.len(), "{head:?}");
        assert_eq!(encoder.token_ids(text, 64).unwrap(), want, "{head:?}");
    }
}
