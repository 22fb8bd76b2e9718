//! Loading the queries and qrels of one split of a BEIR folder.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::duplicates::DuplicateReport;
use super::error::EvalError;
use super::qrels::{read_qrels, Qrels, QrelsFormat, QrelsOptions};
use super::queries::{read_queries, Queries};

/// Queries and qrels of one BEIR split.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BeirSplit {
    /// Queries that have judgments in this split, in `queries.jsonl` order.
    pub queries: Queries,
    /// The split's judgments (BEIR semantics: a repeated pair keeps its last line).
    pub qrels: Qrels,
    /// `<dir>/queries.jsonl`.
    pub queries_path: PathBuf,
    /// `<dir>/qrels/<split>.tsv`.
    pub qrels_path: PathBuf,
    /// Repeated `_id`s in `queries.jsonl`.
    pub query_duplicates: DuplicateReport,
    /// Repeated (query, document) lines in the qrels.
    pub qrels_duplicates: DuplicateReport,
    /// Judged queries with no entry in `queries.jsonl` (BEIR itself fails with a KeyError);
    /// they stay in `qrels`, so they score 0 under `QueryScope::AllQrels`.
    pub judged_queries_without_text: Vec<String>,
}

/// Loads `<dir>/queries.jsonl` and `<dir>/qrels/<split>.tsv` and keeps only the queries
/// that appear in the qrels, as BEIR's `GenericDataLoader.load(split)` does. The corpus is
/// not read.
pub fn load_beir(dir: impl AsRef<Path>, split: &str) -> Result<BeirSplit, EvalError> {
    let dir = dir.as_ref();
    let fail = |message: String| EvalError::Beir {
        dir: dir.to_path_buf(),
        message,
    };
    if !dir.is_dir() {
        return Err(fail(
            "is not a folder (expected corpus.jsonl, queries.jsonl and qrels/<split>.tsv)".into(),
        ));
    }
    let queries_path = dir.join("queries.jsonl");
    if !queries_path.is_file() {
        return Err(fail(format!("missing {}", queries_path.display())));
    }
    let qrels_path = dir.join("qrels").join(format!("{split}.tsv"));
    if !qrels_path.is_file() {
        let available = available_splits(&dir.join("qrels"));
        let hint = if available.is_empty() {
            "no qrels/*.tsv found".to_string()
        } else {
            format!("available splits: {}", available.join(", "))
        };
        return Err(fail(format!(
            "no qrels for split '{split}': missing {} ({hint})",
            qrels_path.display()
        )));
    }

    let qf = read_qrels(
        &qrels_path,
        &QrelsOptions {
            format: QrelsFormat::BeirTsv,
            ..Default::default()
        },
    )?;
    let mut q = read_queries(&queries_path)?;
    q.queries.retain(|query| qf.qrels.contains_query(&query.id));
    let judged_queries_without_text = qf
        .qrels
        .query_ids()
        .filter(|id| q.queries.get(id).is_none())
        .map(str::to_string)
        .collect();
    Ok(BeirSplit {
        queries: q.queries,
        qrels: qf.qrels,
        queries_path,
        qrels_path,
        query_duplicates: q.duplicates,
        qrels_duplicates: qf.duplicates,
        judged_queries_without_text,
    })
}

fn available_splits(qrels_dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(qrels_dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".tsv").map(str::to_string)
        })
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(queries: Option<&str>, qrels: Option<&str>) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        if let Some(q) = queries {
            std::fs::write(dir.path().join("queries.jsonl"), q).unwrap();
        }
        std::fs::create_dir(dir.path().join("qrels")).unwrap();
        if let Some(r) = qrels {
            std::fs::write(dir.path().join("qrels/test.tsv"), r).unwrap();
        }
        dir
    }

    #[test]
    fn keeps_judged_queries_in_file_order() {
        let dir = folder(
            Some("{\"_id\": \"3\", \"text\": \"c\"}\n{\"_id\": \"1\", \"text\": \"a\"}\n{\"_id\": \"2\", \"text\": \"b\"}\n"),
            Some("query-id\tcorpus-id\tscore\n1\td\t1\n3\td\t0\n9\td\t1\n"),
        );
        let s = load_beir(dir.path(), "test").unwrap();
        let ids: Vec<&str> = s.queries.iter().map(|q| q.id.as_str()).collect();
        assert_eq!(ids, ["3", "1"]);
        assert_eq!(s.qrels.len(), 3);
        assert_eq!(s.judged_queries_without_text, ["9"]);
    }

    #[test]
    fn missing_files_are_clear_errors() {
        let dir = folder(None, Some("1\td\t1\n"));
        let e = load_beir(dir.path(), "test").unwrap_err().to_string();
        assert!(e.contains("missing") && e.contains("queries.jsonl"), "{e}");
        let dir = folder(Some(""), Some("1\td\t1\n"));
        let e = load_beir(dir.path(), "dev").unwrap_err().to_string();
        assert!(
            e.contains("no qrels for split 'dev'") && e.contains("available splits: test"),
            "{e}"
        );
        let e = load_beir(dir.path().join("nope"), "test")
            .unwrap_err()
            .to_string();
        assert!(e.contains("is not a folder"), "{e}");
    }

    #[test]
    fn parse_errors_name_the_file() {
        let dir = folder(
            Some("{\"_id\": \"1\", \"text\": \"a\"}\n"),
            Some("h\th\th\n1\td\n"),
        );
        let e = load_beir(dir.path(), "test").unwrap_err().to_string();
        assert!(e.contains("test.tsv:2: expected 3 tab-separated"), "{e}");
    }
}
