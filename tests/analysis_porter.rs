//! Porter stemmer vs. reference `word<TAB>stem` pairs.
//!
//! * `fixtures/porter_pairs.tsv` (always runs): a few hundred tricky words with the stems
//!   Lucene's `PorterStemmer` gives (checked against NLTK's `PorterStemmer` in
//!   `MARTIN_EXTENSIONS` mode, which follows Martin Porter's reference implementation).
//! * The full vocabulary of SciFact + NFCorpus, dumped by
//!   `scripts/dump_porter_pairs.py` to `$SPLADESCOPE_PORTER_PAIRS` (default
//!   `/tmp/spladescope_porter_pairs.tsv`); skipped when that file is absent.

use spladescope::analysis::porter::stem;

fn mismatches(tsv: &str) -> (usize, Vec<(String, String, String)>) {
    let mut n = 0;
    let mut bad = Vec::new();
    for line in tsv.lines().filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let Some((word, want)) = line.split_once('\t') else {
            panic!("malformed line (expected word<TAB>stem): {line:?}");
        };
        n += 1;
        let got = stem(word);
        if got != want {
            bad.push((word.to_owned(), want.to_owned(), got));
        }
    }
    (n, bad)
}

#[test]
fn fixture_pairs() {
    let tsv = include_str!("fixtures/analysis/porter_pairs.tsv");
    let (n, bad) = mismatches(tsv);
    assert!(n >= 200, "fixture too small: {n}");
    assert!(
        bad.is_empty(),
        "{} of {n} differ (word, expected, got): {bad:?}",
        bad.len()
    );
}

#[test]
fn corpus_vocabulary_matches_nltk_martin_mode() {
    let path = std::env::var("SPLADESCOPE_PORTER_PAIRS")
        .unwrap_or_else(|_| "/tmp/spladescope_porter_pairs.tsv".to_owned());
    let Ok(tsv) = std::fs::read_to_string(&path) else {
        println!("skipped: {path} not found (run scripts/dump_porter_pairs.py OUT CORPUS...)");
        return;
    };
    let (n, bad) = mismatches(&tsv);
    println!("{n} words compared, {} differ", bad.len());
    for (w, want, got) in bad.iter().take(50) {
        println!("  {w}: nltk {want}, ours {got}");
    }
    assert!(
        bad.is_empty(),
        "{} of {n} stems differ from NLTK",
        bad.len()
    );
}
