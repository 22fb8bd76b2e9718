//! The analyzer against real Lucene, token by token (term, position, UTF-16 offsets).
//!
//! * `fixtures/lucene_tokens.tsv` (always runs): tricky inputs — CJK, Thai, Myanmar, emoji
//!   sequences, RTL scripts, possessives, casing, long tokens, random mixed-script strings —
//!   produced from `fixtures/lucene_tokens_input.txt` by
//!   `scripts/LuceneReference.java --strings` with Lucene 8.7.
//! * `$SPLADESCOPE_LUCENE_STRINGS` (when set): any other file in that format, e.g. from
//!   `scripts/fuzz_strings.py`.
//!
//! Format: `escaped text<TAB>term pos start end<TAB>...`, the text escaped as inside a JSON
//! string; lines starting with `#` are comments.

use spladescope::analysis::Analyzer;

type Tok = (String, u32, usize, usize);

/// Returns (lines compared, descriptions of the differing lines).
fn compare(tsv: &str) -> (usize, Vec<String>) {
    let analyzer = Analyzer::default();
    let (mut n, mut bad) = (0, Vec::new());
    for (i, line) in tsv
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.is_empty())
    {
        let mut cols = line.split('\t');
        let escaped = cols.next().unwrap_or_default();
        let text: String = serde_json::from_str(&format!("\"{escaped}\""))
            .unwrap_or_else(|e| panic!("line {}: bad escapes: {e}", i + 1));
        let want: Vec<Tok> = cols
            .map(|c| {
                let f: Vec<&str> = c.rsplitn(4, ' ').collect();
                assert_eq!(f.len(), 4, "line {}: bad token {c:?}", i + 1);
                let num = |s: &str| {
                    s.parse::<usize>()
                        .unwrap_or_else(|e| panic!("line {}: {s:?}: {e}", i + 1))
                };
                (f[3].to_owned(), num(f[2]) as u32, num(f[1]), num(f[0]))
            })
            .collect();
        let utf16 = |byte: usize| text[..byte].encode_utf16().count();
        let got: Vec<Tok> = analyzer
            .analyze(&text)
            .into_iter()
            .map(|t| (t.term, t.position, utf16(t.start), utf16(t.end)))
            .collect();
        n += 1;
        if got != want {
            let k = got
                .iter()
                .zip(&want)
                .position(|(g, w)| g != w)
                .unwrap_or(got.len().min(want.len()));
            bad.push(format!(
                "line {}: {escaped}\n  token {k}: ours {:?}, lucene {:?}",
                i + 1,
                got.get(k),
                want.get(k)
            ));
        }
    }
    (n, bad)
}

#[test]
fn fixture_tokens_match_lucene() {
    let (n, bad) = compare(include_str!("fixtures/analysis/lucene_tokens.tsv"));
    assert!(n >= 250, "only {n} fixture lines");
    assert!(
        bad.is_empty(),
        "{} of {n} lines differ:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn external_tokens_match_lucene() {
    let Ok(path) = std::env::var("SPLADESCOPE_LUCENE_STRINGS") else {
        println!("skipped: SPLADESCOPE_LUCENE_STRINGS not set");
        return;
    };
    let tsv = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    let (n, bad) = compare(&tsv);
    println!("{n} lines compared, {} differ", bad.len());
    for b in bad.iter().take(30) {
        println!("{b}");
    }
    assert!(
        bad.is_empty(),
        "{} of {n} lines differ from Lucene",
        bad.len()
    );
}
