//! The term and document browsers (`spladescope term`, `spladescope doc`) on the SciFact
//! test index, checked against brute force over every stored vector and every document's
//! tokens, and the document sources against a fresh encoding.

#[path = "common/cli.rs"]
mod cli;
mod common;

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::OnceLock;

use cli::{json_of, spladescope, text};
use spladescope::browse::{find_token, DocumentReport, TermFilter, TermReport};
use spladescope::encoder::{SparseEncoder, TermKind};
use spladescope::index::Index;

/// The SciFact index (built once, whichever test asks first), its query encoder.
fn setup() -> Option<(PathBuf, Index, SparseEncoder)> {
    static DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    let dir = DIR
        .get_or_init(|| {
            let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
            common::cached::beir_index(&tmp, "scifact")
        })
        .clone()?;
    let index = Index::open(&dir).unwrap();
    let encoder = common::cached::encoder("splade-tiny", 64)?;
    Some((dir, index, encoder))
}

#[test]
fn term_reports_match_brute_force_over_every_document() {
    let Some((_, index, encoder)) = setup() else {
        return;
    };
    // Each document's own tokens, as the model read them (256 tokens).
    let own: Vec<HashSet<u32>> = (0..index.len() as u32)
        .map(|d| {
            let text = index.doc(d).unwrap().indexed_text();
            encoder.token_ids(&text, 256).unwrap().into_iter().collect()
        })
        .collect();
    let texts = [
        "vitamin d deficiency and bone density",
        "cancer risk in smokers",
        "insulin login",
    ];
    let queries: Vec<_> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| (format!("q{i}"), t.to_string(), encoder.encode(t).unwrap()))
        .collect();
    for token in ["vitamin", "##in", "cancer", "insulin"] {
        let id = find_token(&encoder, token).unwrap();
        let r = TermReport::compute(&index, &encoder, id, 8, &queries).unwrap();
        let mut postings: Vec<(u32, f32)> = (0..index.len() as u32)
            .filter_map(|d| {
                let w = index.vector(d).unwrap().get(id);
                (w > 0.0).then_some((d, w))
            })
            .collect();
        assert_eq!(r.documents, postings.len(), "{token}: document frequency");
        assert_eq!(r.corpus, index.len());
        let input = postings
            .iter()
            .filter(|(d, _)| own[*d as usize].contains(&id))
            .count();
        assert_eq!(r.input_documents, input, "{token}: input documents");
        assert_eq!(r.expansion_documents, postings.len() - input);
        assert_eq!(
            r.histogram.iter().map(|b| b.documents).sum::<usize>(),
            postings.len()
        );
        let max = postings.iter().map(|p| p.1).fold(0.0f32, f32::max);
        assert_eq!(r.weights.max, max);
        postings.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let top: Vec<(String, f32)> = postings
            .iter()
            .take(8)
            .map(|&(d, w)| (index.doc(d).unwrap().id.to_string(), w))
            .collect();
        let got: Vec<(String, f32)> = r.top.iter().map(|t| (t.id.clone(), t.weight)).collect();
        assert_eq!(got, top, "{token}: heaviest documents");
        for t in &r.top {
            let d = index.find(&t.id).unwrap();
            let want = if own[d as usize].contains(&id) {
                TermKind::Input
            } else {
                TermKind::Expansion
            };
            assert_eq!(t.kind, want);
            // The source is a real position of the document, and its word is in the text.
            let s = t.source.as_ref().expect("SciFact was encoded here");
            let text = index.doc(d).unwrap().indexed_text();
            let ids = encoder.token_ids(&text, 256).unwrap();
            assert_eq!(
                encoder.token(ids[s.position]),
                s.token,
                "{token} in {}",
                t.id
            );
            assert!(
                s.word.starts_with('[') || text.contains(&s.word),
                "{token} in {}: {:?}",
                t.id,
                s.word
            );
        }
        let using: Vec<&str> = queries
            .iter()
            .filter(|(_, _, e)| e.vector.get(id) > 0.0)
            .map(|(q, _, _)| q.as_str())
            .collect();
        let mut listed: Vec<&str> = r.queries.iter().map(|q| q.id.as_str()).collect();
        listed.sort_unstable();
        assert_eq!(listed, using, "{token}: queries");
        assert_eq!(r.queries_given, queries.len());
    }
    assert!(find_token(&encoder, "Vitamin").is_ok(), "uncased lookup");
    let err = find_token(&encoder, "login").unwrap_err().to_string();
    assert!(err.contains("log ##in"), "{err}");
}

#[test]
fn document_reports_list_the_stored_vector_with_each_terms_word() {
    let Some((_, index, encoder)) = setup() else {
        return;
    };
    let doc = index.find("9555784").unwrap();
    let vector = index.vector(doc).unwrap();
    let all = DocumentReport::compute(&index, &encoder, doc, &TermFilter::default()).unwrap();
    assert_eq!(all.nnz, vector.nnz());
    assert_eq!(all.input_terms + all.expansion_terms, all.nnz);
    let ids: Vec<u32> = all.terms.iter().map(|t| t.id).collect();
    let by_weight: Vec<u32> = vector.by_weight().into_iter().map(|(id, _)| id).collect();
    assert_eq!(ids, by_weight, "every term, heaviest first");
    assert!(all.sources_unavailable.is_none());
    assert!(
        all.terms.iter().all(|t| t.source.is_some()),
        "every term has a source"
    );
    assert!(all.truncated && all.tokens == 256);
    // The sources are the fresh encoding's.
    let (again, input) = encoder
        .encode_with_input(&index.doc(doc).unwrap().indexed_text(), 256)
        .unwrap();
    for t in &all.terms {
        assert_eq!(t.source, input.source(&again, t.id), "{}", t.token);
    }
    let para = all.terms.iter().find(|t| t.token == "##para").unwrap();
    assert_eq!(para.source.as_ref().unwrap().word, "hyperparathyroidism");

    let expansions = TermFilter {
        kind: Some(TermKind::Expansion),
        ..TermFilter::default()
    };
    let e = DocumentReport::compute(&index, &encoder, doc, &expansions).unwrap();
    assert_eq!(e.terms.len(), all.expansion_terms);
    assert!(e.terms.iter().all(|t| t.kind == TermKind::Expansion));
    let by_word = TermFilter {
        matching: Some("HYPERPARA".into()),
        top: Some(2),
        ..TermFilter::default()
    };
    let w = DocumentReport::compute(&index, &encoder, doc, &by_word).unwrap();
    assert_eq!(w.terms.len(), 2);
    assert!(w
        .terms
        .iter()
        .all(|t| t.source.as_ref().unwrap().word.contains("hyperpara")));
}

#[test]
fn term_and_doc_commands_print_the_reports() {
    let Some((dir, _, _)) = setup() else { return };
    let model = common::splade_tiny().unwrap();
    let term = json_of(
        spladescope()
            .arg("term")
            .arg(&dir)
            .args(["vitamin", "--top", "3", "--json", "--model"])
            .arg(&model),
    );
    assert_eq!(term["token"], "vitamin");
    assert_eq!(term["top"].as_array().unwrap().len(), 3);
    assert_eq!(term["top"][0]["id"], "23267371", "{term}");

    let out = spladescope()
        .arg("term")
        .arg(&dir)
        .args(["vitamin", "--beir"])
        .arg(common::shared("data/scifact").unwrap())
        .arg("--model")
        .arg(&model)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("in 1394 of 5183 documents"), "{stdout}");
    assert!(stdout.contains("of 300 queries use it"), "{stdout}");

    let out = spladescope()
        .arg("term")
        .arg(&dir)
        .args(["login", "--model"])
        .arg(&model)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("the tokenizer cuts it into log ##in"),
        "{}",
        text(&out.stderr)
    );

    let out = spladescope()
        .arg("doc")
        .arg(&dir)
        .args([
            "9555784",
            "--kind",
            "input",
            "-k",
            "3",
            "--no-text",
            "--model",
        ])
        .arg(&model)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("226 non-zeros (121 input, 105 expansion)"),
        "{stdout}"
    );
    assert!(stdout.contains("##para    2.262"), "{stdout}");
    assert!(stdout.contains("← hyperparathyroidism"), "{stdout}");
    assert!(stdout.contains("3 of 226 terms shown"), "{stdout}");

    let out = spladescope()
        .arg("doc")
        .arg(&dir)
        .args(["no-such-doc", "--model"])
        .arg(&model)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("no document with id"),
        "{}",
        text(&out.stderr)
    );
}
