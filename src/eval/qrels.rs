//! Relevance judgments (qrels): the in-memory type and the BEIR TSV / TREC readers.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Serialize;

use super::duplicates::{Duplicate, DuplicateReport, OnDuplicate};
use super::error::EvalError;
use super::lines::{is_skippable, lines, read_file, shorten};

/// Judgments: query id → document id → graded relevance (any integer; trec_eval counts
/// `rel >= relevance_level` as relevant and uses `rel > 0` as nDCG gain).
///
/// Queries and documents iterate in byte order of their ids, as trec_eval sorts them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Qrels {
    queries: BTreeMap<String, BTreeMap<String, i64>>,
}

impl Qrels {
    /// Empty qrels.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the relevance of `docid` for `qid`; returns the value it replaced.
    pub fn insert(
        &mut self,
        qid: impl Into<String>,
        docid: impl Into<String>,
        rel: i64,
    ) -> Option<i64> {
        self.queries
            .entry(qid.into())
            .or_default()
            .insert(docid.into(), rel)
    }

    /// The judgments of one query, by document id.
    pub fn get(&self, qid: &str) -> Option<&BTreeMap<String, i64>> {
        self.queries.get(qid)
    }

    /// The judged relevance of `docid` for `qid`, if judged.
    pub fn relevance(&self, qid: &str, docid: &str) -> Option<i64> {
        self.queries.get(qid)?.get(docid).copied()
    }

    /// Whether `qid` has at least one judgment.
    pub fn contains_query(&self, qid: &str) -> bool {
        self.queries.contains_key(qid)
    }

    /// Query ids in byte order.
    pub fn query_ids(&self) -> impl Iterator<Item = &str> {
        self.queries.keys().map(String::as_str)
    }

    /// (query id, judgments) in byte order of query id.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &BTreeMap<String, i64>)> {
        self.queries.iter().map(|(q, j)| (q.as_str(), j))
    }

    /// Number of judged queries.
    pub fn len(&self) -> usize {
        self.queries.len()
    }

    /// True when there is no judgment at all.
    pub fn is_empty(&self) -> bool {
        self.queries.is_empty()
    }

    /// Number of (query, document) judgments.
    pub fn num_judgments(&self) -> usize {
        self.queries.values().map(BTreeMap::len).sum()
    }

    /// Number of documents judged `rel >= relevance_level` (and `rel >= 0`) for `qid`: the
    /// denominator of recall and MAP in trec_eval.
    pub fn num_relevant(&self, qid: &str, relevance_level: i64) -> usize {
        self.get(qid).map_or(0, |j| {
            j.values()
                .filter(|&&r| r >= 0 && r >= relevance_level)
                .count()
        })
    }
}

/// Layout of a qrels file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum QrelsFormat {
    /// Decide from the first data line: 3 tab-separated fields → BEIR TSV, 4 whitespace-
    /// separated fields → TREC.
    #[default]
    Auto,
    /// BEIR `qrels/<split>.tsv`: `query-id<TAB>corpus-id<TAB>score` (fields trimmed),
    /// optional header line.
    BeirTsv,
    /// TREC: `qid iter docid rel`, whitespace-separated, `iter` ignored.
    Trec,
}

/// How to read a qrels file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct QrelsOptions {
    /// Layout; [`QrelsFormat::Auto`] by default.
    pub format: QrelsFormat,
    /// Repeated (query, document) lines; [`OnDuplicate::KeepLast`] by default (BEIR).
    pub on_duplicate: OnDuplicate,
}

impl Default for QrelsOptions {
    fn default() -> Self {
        Self {
            format: QrelsFormat::Auto,
            on_duplicate: OnDuplicate::KeepLast,
        }
    }
}

/// A qrels file as read, with what the reader noticed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QrelsFile {
    /// The judgments.
    pub qrels: Qrels,
    /// The layout used ([`QrelsFormat::BeirTsv`] or [`QrelsFormat::Trec`], never `Auto`).
    pub format: QrelsFormat,
    /// Whether a BEIR header line was skipped.
    pub header: bool,
    /// Repeated (query, document) lines.
    pub duplicates: DuplicateReport,
}

/// Reads a qrels file (BEIR TSV or TREC, see [`QrelsFormat`]).
pub fn read_qrels(path: impl AsRef<Path>, opts: &QrelsOptions) -> Result<QrelsFile, EvalError> {
    let path = path.as_ref();
    parse_qrels(&read_file(path)?, path, opts)
}

/// Parses qrels from bytes; `origin` names the source in error messages.
pub fn parse_qrels(
    data: &[u8],
    origin: &Path,
    opts: &QrelsOptions,
) -> Result<QrelsFile, EvalError> {
    let all = lines(data, origin)?;
    let mut format = opts.format;
    let mut header = false;
    let mut first_data = true;
    // (qid, docid) -> (rel, line of the kept value's first occurrence)
    let mut seen: HashMap<(String, String), (i64, usize)> = HashMap::new();
    let mut duplicates = DuplicateReport::default();
    let mut first_dup: Option<Duplicate> = None;

    for line in &all {
        if is_skippable(line.text) {
            continue;
        }
        if format == QrelsFormat::Auto {
            format = detect(line.text).ok_or_else(|| {
                EvalError::parse(
                    origin,
                    line.number,
                    format!(
                        "cannot tell the qrels format: expected BEIR TSV \
                         'query-id<TAB>corpus-id<TAB>score' (3 tab-separated fields) or TREC \
                         'qid iter docid rel' (4 whitespace-separated fields), found {} \
                         tab-separated and {} whitespace-separated fields",
                        line.text.split('\t').count(),
                        line.text.split_whitespace().count()
                    ),
                )
            })?;
        }
        if first_data && format == QrelsFormat::BeirTsv && is_beir_header(line.text) {
            header = true;
            first_data = false;
            continue;
        }
        first_data = false;
        let (qid, docid, rel) = match format {
            QrelsFormat::Trec => parse_trec_line(line.text),
            _ => parse_beir_line(line.text),
        }
        .map_err(|m| EvalError::parse(origin, line.number, m))?;

        let key = (qid.to_string(), docid.to_string());
        match seen.get_mut(&key) {
            None => {
                seen.insert(key, (rel, line.number));
            }
            Some((kept, first_line)) => {
                let dup = Duplicate {
                    qid: key.0.clone(),
                    docid: Some(key.1.clone()),
                    line: line.number,
                    first_line: *first_line,
                    same_value: *kept == rel,
                };
                if first_dup.is_none() {
                    first_dup = Some(dup.clone());
                }
                duplicates.record(dup);
                if opts.on_duplicate == OnDuplicate::KeepLast {
                    *kept = rel;
                }
            }
        }
    }

    if opts.on_duplicate == OnDuplicate::Error {
        if let Some(d) = first_dup {
            return Err(d.into_error(origin, duplicates.count));
        }
    }

    let mut qrels = Qrels::new();
    for ((qid, docid), (rel, _)) in seen {
        qrels.insert(qid, docid, rel);
    }
    Ok(QrelsFile {
        qrels,
        format: if format == QrelsFormat::Auto {
            QrelsFormat::BeirTsv // empty file: nothing to detect
        } else {
            format
        },
        header,
        duplicates,
    })
}

fn detect(text: &str) -> Option<QrelsFormat> {
    if text.split('\t').count() == 3 {
        Some(QrelsFormat::BeirTsv)
    } else if text.split_whitespace().count() == 4 {
        Some(QrelsFormat::Trec)
    } else {
        None
    }
}

/// A first line whose score column holds no digit (`query-id corpus-id score`).
fn is_beir_header(text: &str) -> bool {
    let fields: Vec<&str> = text.split('\t').collect();
    fields.len() == 3 && !fields[2].bytes().any(|b| b.is_ascii_digit())
}

fn parse_beir_line(text: &str) -> Result<(&str, &str, i64), String> {
    let fields: Vec<&str> = text.split('\t').map(str::trim).collect();
    if fields.len() != 3 {
        return Err(format!(
            "expected 3 tab-separated fields 'query-id<TAB>corpus-id<TAB>score', found {}",
            fields.len()
        ));
    }
    let (qid, docid) = (fields[0], fields[1]);
    if qid.is_empty() || docid.is_empty() {
        return Err("empty query-id or corpus-id".to_string());
    }
    Ok((qid, docid, parse_rel(fields[2])?))
}

fn parse_trec_line(text: &str) -> Result<(&str, &str, i64), String> {
    let tokens: Vec<&str> = text.split_whitespace().collect();
    if tokens.len() != 4 {
        return Err(format!(
            "expected 4 whitespace-separated fields 'qid iter docid rel', found {}",
            tokens.len()
        ));
    }
    Ok((tokens[0], tokens[2], parse_rel(tokens[3])?))
}

fn parse_rel(field: &str) -> Result<i64, String> {
    field.parse::<i64>().map_err(|_| {
        format!(
            "relevance must be an integer (e.g. 0, 1, 2), found '{}'",
            shorten(field)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<QrelsFile, EvalError> {
        parse_qrels(
            text.as_bytes(),
            Path::new("q.tsv"),
            &QrelsOptions::default(),
        )
    }

    #[test]
    fn beir_with_header_crlf_and_blank_lines() {
        let f = parse("query-id\tcorpus-id\tscore\r\nq1\td1\t1\r\n\r\nq1\td2\t2\r\nq2\td1\t0\r\n")
            .unwrap();
        assert_eq!(f.format, QrelsFormat::BeirTsv);
        assert!(f.header);
        assert_eq!(f.qrels.len(), 2);
        assert_eq!(f.qrels.relevance("q1", "d2"), Some(2));
        assert_eq!(f.qrels.relevance("q2", "d1"), Some(0));
        assert_eq!(f.qrels.num_judgments(), 3);
    }

    #[test]
    fn beir_without_header() {
        let f = parse("1\t31715818\t1\n3\t14717500\t1\n").unwrap();
        assert!(!f.header);
        assert_eq!(f.qrels.relevance("1", "31715818"), Some(1));
    }

    #[test]
    fn trec_with_any_iter_token() {
        let f = parse("q1 0 d1 1\nq1 Q0 d2 0\nq2\titer\td3\t-1\n").unwrap();
        assert_eq!(f.format, QrelsFormat::Trec);
        assert_eq!(f.qrels.relevance("q1", "d2"), Some(0));
        assert_eq!(f.qrels.relevance("q2", "d3"), Some(-1));
        assert_eq!(f.qrels.num_relevant("q1", 1), 1);
        assert_eq!(f.qrels.num_relevant("q2", 1), 0);
    }

    #[test]
    fn duplicates_keep_last_and_are_counted() {
        let f = parse("q1 0 d1 1\nq1 0 d1 2\nq1 0 d1 2\n").unwrap();
        assert_eq!(f.qrels.relevance("q1", "d1"), Some(2));
        assert_eq!(f.duplicates.count, 2);
        assert_eq!(f.duplicates.conflicting, 1);
        assert_eq!(f.duplicates.examples[0].line, 2);
        assert_eq!(f.duplicates.examples[0].first_line, 1);
        assert!(f.duplicates.examples[1].same_value);
    }

    #[test]
    fn duplicates_keep_first_or_error() {
        let text = "q1 0 d1 1\nq1 0 d1 2\n";
        let first = QrelsOptions {
            on_duplicate: OnDuplicate::KeepFirst,
            ..Default::default()
        };
        let f = parse_qrels(text.as_bytes(), Path::new("q"), &first).unwrap();
        assert_eq!(f.qrels.relevance("q1", "d1"), Some(1));
        let strict = QrelsOptions {
            on_duplicate: OnDuplicate::Error,
            ..Default::default()
        };
        let e = parse_qrels(text.as_bytes(), Path::new("q"), &strict).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("q:2: document 'd1' for query 'q1' already appeared on line 1"),
            "{e}"
        );
    }

    #[test]
    fn errors_name_file_and_line() {
        let cases = [
            ("q1\td1\t1\nq1\td2\n", "q.tsv:2: expected 3 tab-separated"),
            (
                "q1\td1\t1\nq1\td2\tx1\n",
                "q.tsv:2: relevance must be an integer",
            ),
            ("q1\td1\t1.5\n", "q.tsv:1: relevance must be an integer"),
            (
                "q1 0 d1 1\nq1 0 d1\n",
                "q.tsv:2: expected 4 whitespace-separated",
            ),
            (
                "q1 0 d1 1\nq1 0 d1 one\n",
                "q.tsv:2: relevance must be an integer",
            ),
            ("\n\nq1 d1\n", "q.tsv:3: cannot tell the qrels format"),
            ("q1\t\t1\n", "q.tsv:1: empty query-id"),
        ];
        for (text, want) in cases {
            let e = parse(text).unwrap_err().to_string();
            assert!(e.starts_with(want), "{text:?}: {e}");
        }
    }

    #[test]
    fn forced_format_is_used() {
        let opts = QrelsOptions {
            format: QrelsFormat::Trec,
            ..Default::default()
        };
        let e = parse_qrels(b"q1\td1\t1\n", Path::new("q"), &opts).unwrap_err();
        assert!(
            e.to_string().contains("expected 4 whitespace-separated"),
            "{e}"
        );
    }
}
