//! Streams the real BEIR collections in the shared data folder, when it is there.

use std::env;

use super::*;
use crate::corpus::Format;

/// `$SPLADESCOPE_SHARED`, else the first `shared/` with a `data/` folder beside the crate root
/// or one of its ancestors (`<crate>/../shared` for the main crate).
fn shared_dir() -> Option<PathBuf> {
    if let Some(dir) = env::var_os("SPLADESCOPE_SHARED") {
        return Some(PathBuf::from(dir));
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|p| p.join("shared"))
        .find(|p| p.join("data").is_dir())
}

/// Reads `data/<name>` and checks the count, the first document and the total indexed text
/// length (computed with Python: `len((title + " " + text).strip().encode())` summed).
fn check(name: &str, count: u64, first: (&str, &str, &str), text_bytes: usize) {
    let Some(dir) = shared_dir().map(|s| s.join("data").join(name)) else {
        eprintln!("skipped: shared data folder not found (set SPLADESCOPE_SHARED)");
        return;
    };
    if !dir.join("corpus.jsonl").is_file() {
        eprintln!("skipped: {} not found", dir.join("corpus.jsonl").display());
        return;
    }
    let mut reader = CorpusReader::open(&dir, &CorpusOptions::default()).unwrap();
    assert_eq!(reader.format(), Format::Beir);
    let mut first_doc = None;
    let mut bytes = 0;
    for item in &mut reader {
        let d = item.unwrap_or_else(|e| panic!("{e}"));
        bytes += d.indexed_text().len();
        first_doc.get_or_insert(d);
    }
    let first_doc = first_doc.expect("a document");
    assert_eq!(reader.documents(), count);
    assert_eq!((reader.skipped(), reader.empty()), (0, 0));
    assert_eq!(first_doc.id, first.0);
    assert!(first_doc.title.starts_with(first.1), "{}", first_doc.title);
    assert!(first_doc.text.starts_with(first.2), "{}", first_doc.text);
    assert_eq!(bytes, text_bytes);
    let p = reader.progress();
    assert_eq!(Some(p.bytes_read), p.total_bytes);
}

#[test]
fn scifact_corpus_streams() {
    check(
        "scifact",
        5183,
        (
            "4983",
            "Microstructural development of human newborn cerebral white matter",
            "Alterations of the architecture of cerebral white matter",
        ),
        7_778_363,
    );
}

#[test]
fn nfcorpus_corpus_streams() {
    check(
        "nfcorpus",
        3633,
        (
            "MED-10",
            "Statin Use and Breast Cancer Survival: A Nationwide Cohort Study from Finland",
            "Recent studies have suggested that statins",
        ),
        5_787_895,
    );
}
