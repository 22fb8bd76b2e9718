//! Shared by the end-to-end tests: BEIR data loading and a minimal in-memory BM25 index.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use spladescope::analysis::{encode_length, Analyzer, Bm25Scorer};

/// `<shared>/data/<dataset>`, or `None` (after a "SKIPPED" line) when it is missing.
pub fn dataset_dir(dataset: &str) -> Option<PathBuf> {
    super::shared(&format!("data/{dataset}/corpus.jsonl"))?;
    super::shared(&format!("data/{dataset}"))
}

/// BEIR document text: `title + " " + text`.
pub fn doc_text(doc: &Doc) -> String {
    format!("{} {}", doc.title, doc.text)
}

#[derive(Deserialize)]
pub struct Doc {
    #[serde(rename = "_id")]
    pub id: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub text: String,
}

#[derive(Deserialize)]
pub struct Query {
    #[serde(rename = "_id")]
    pub id: String,
    pub text: String,
}

/// A minimal inverted index: postings of (doc index, tf), one norm byte per document.
pub struct Index {
    pub ids: Vec<String>,
    pub norms: Vec<u8>,
    pub postings: HashMap<String, Vec<(u32, u32)>>,
    pub doc_count: u64,
    pub sum_total_term_freq: u64,
}

impl Index {
    pub fn build(docs: &[Doc], analyzer: &Analyzer) -> Self {
        let mut postings: HashMap<String, Vec<(u32, u32)>> = HashMap::new();
        let mut norms = Vec::with_capacity(docs.len());
        let mut ids = Vec::with_capacity(docs.len());
        let (mut doc_count, mut sum_total_term_freq) = (0u64, 0u64);
        for (i, doc) in docs.iter().enumerate() {
            let terms = analyzer.terms(&doc_text(doc));
            let mut tfs: HashMap<String, u32> = HashMap::new();
            for t in &terms {
                *tfs.entry(t.clone()).or_default() += 1;
            }
            for (term, tf) in tfs {
                postings.entry(term).or_default().push((i as u32, tf));
            }
            if !terms.is_empty() {
                doc_count += 1;
            }
            sum_total_term_freq += terms.len() as u64;
            norms.push(encode_length(terms.len()));
            ids.push(doc.id.clone());
        }
        Self {
            ids,
            norms,
            postings,
            doc_count,
            sum_total_term_freq,
        }
    }

    /// Top `k` (doc index, score), Lucene order: score desc, then doc index asc.
    pub fn search(
        &self,
        analyzer: &Analyzer,
        scorer: &Bm25Scorer,
        query: &str,
        k: usize,
    ) -> Vec<(u32, f32)> {
        let mut acc = vec![0f64; self.ids.len()];
        let mut hit = vec![false; self.ids.len()];
        for qt in analyzer.query_terms(query) {
            let Some(postings) = self.postings.get(&qt.term) else {
                continue;
            };
            let weight = scorer.term_weight(qt.qtf, postings.len() as u64, self.doc_count);
            for &(doc, tf) in postings {
                acc[doc as usize] += f64::from(scorer.score(weight, tf, self.norms[doc as usize]));
                hit[doc as usize] = true;
            }
        }
        let mut results: Vec<(u32, f32)> = (0..self.ids.len())
            .filter(|&d| hit[d])
            .map(|d| (d as u32, acc[d] as f32))
            .collect();
        results.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        results.truncate(k);
        results
    }
}

pub fn read_jsonl<T: for<'de> Deserialize<'de>>(path: &Path) -> Vec<T> {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(n, l)| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("{}:{}: bad JSON: {e}", path.display(), n + 1))
        })
        .collect()
}

/// qrels: query id -> (doc id -> grade), in file order of first appearance of each query.
pub fn read_qrels(path: &Path) -> Vec<(String, HashMap<String, i64>)> {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let mut order: Vec<(String, HashMap<String, i64>)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        let cols: Vec<&str> = line.split('\t').collect();
        if n == 0 && cols.first() == Some(&"query-id") || line.is_empty() {
            continue;
        }
        assert_eq!(
            cols.len(),
            3,
            "{}:{}: expected 3 tab-separated columns",
            path.display(),
            n + 1
        );
        let grade: i64 = cols[2]
            .parse()
            .unwrap_or_else(|e| panic!("{}:{}: bad grade: {e}", path.display(), n + 1));
        let i = *index.entry(cols[0].to_owned()).or_insert_with(|| {
            order.push((cols[0].to_owned(), HashMap::new()));
            order.len() - 1
        });
        order[i].1.insert(cols[1].to_owned(), grade);
    }
    order
}
