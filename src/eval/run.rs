//! Runs (ranked results): the in-memory type, trec_eval's ranking order, and the TREC run
//! file reader and writer.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use serde::Serialize;

use super::duplicates::{Duplicate, DuplicateReport, OnDuplicate};
use super::error::EvalError;
use super::lines::{is_skippable, lines, read_file, shorten};

/// One retrieved document and its score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoredDoc {
    /// Document id.
    pub docid: String,
    /// Retrieval score; higher ranks first.
    pub score: f64,
}

impl ScoredDoc {
    /// A scored document.
    pub fn new(docid: impl Into<String>, score: f64) -> Self {
        Self {
            docid: docid.into(),
            score,
        }
    }
}

/// Results per query: query id → retrieved documents with scores (in any order; the
/// ranking is always recomputed with [`trec_order`]).
///
/// A query present with an empty list "retrieved nothing": it counts as in the run.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Run {
    queries: BTreeMap<String, Vec<ScoredDoc>>,
}

impl Run {
    /// Empty run.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a document to a query's results (no duplicate check: [`evaluate`]
    /// and [`write_run`] reject duplicates, as trec_eval does).
    ///
    /// [`evaluate`]: super::evaluate
    pub fn push(&mut self, qid: impl Into<String>, docid: impl Into<String>, score: f64) {
        self.queries
            .entry(qid.into())
            .or_default()
            .push(ScoredDoc::new(docid, score));
    }

    /// Sets a query's results (possibly empty), returning the previous ones.
    pub fn set(&mut self, qid: impl Into<String>, docs: Vec<ScoredDoc>) -> Option<Vec<ScoredDoc>> {
        self.queries.insert(qid.into(), docs)
    }

    /// A query's results, in stored order.
    pub fn get(&self, qid: &str) -> Option<&[ScoredDoc]> {
        self.queries.get(qid).map(Vec::as_slice)
    }

    /// Whether the query is in the run (even with no documents).
    pub fn contains_query(&self, qid: &str) -> bool {
        self.queries.contains_key(qid)
    }

    /// Query ids in byte order.
    pub fn query_ids(&self) -> impl Iterator<Item = &str> {
        self.queries.keys().map(String::as_str)
    }

    /// (query id, results) in byte order of query id.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[ScoredDoc])> {
        self.queries.iter().map(|(q, d)| (q.as_str(), d.as_slice()))
    }

    /// Number of queries.
    pub fn len(&self) -> usize {
        self.queries.len()
    }

    /// True when there is no query.
    pub fn is_empty(&self) -> bool {
        self.queries.is_empty()
    }

    /// Total number of (query, document) entries.
    pub fn num_docs(&self) -> usize {
        self.queries.values().map(Vec::len).sum()
    }
}

/// trec_eval's ranking order (`form_res_rels.c`, `comp_sim_docno`): score descending, ties
/// broken by document id in *descending* byte order (`strcmp(p2, p1)`). The rank column
/// of a run file plays no part. `-0.0` and `0.0` are equal; NaN must be excluded first.
pub fn trec_order(a: &ScoredDoc, b: &ScoredDoc) -> Ordering {
    match b.score.partial_cmp(&a.score) {
        Some(Ordering::Equal) | None => b.docid.as_bytes().cmp(a.docid.as_bytes()),
        Some(o) => o,
    }
}

/// A query's documents in trec_eval order, refusing what trec_eval cannot rank: NaN scores
/// and a document listed twice.
pub fn trec_ranking<'a>(qid: &str, docs: &'a [ScoredDoc]) -> Result<Vec<&'a ScoredDoc>, EvalError> {
    if let Some(d) = docs.iter().find(|d| d.score.is_nan()) {
        return Err(EvalError::InvalidRun {
            qid: qid.to_string(),
            message: format!(
                "document '{}' has a NaN score, which cannot be ranked",
                d.docid
            ),
        });
    }
    let mut ranked: Vec<&ScoredDoc> = docs.iter().collect();
    ranked.sort_by(|a, b| trec_order(a, b));
    let mut by_id: Vec<&str> = ranked.iter().map(|d| d.docid.as_str()).collect();
    by_id.sort_unstable();
    if let Some(w) = by_id.windows(2).find(|w| w[0] == w[1]) {
        return Err(EvalError::InvalidRun {
            qid: qid.to_string(),
            message: format!(
                "document '{}' appears more than once; trec_eval refuses duplicate docs",
                w[0]
            ),
        });
    }
    Ok(ranked)
}

/// How to read a run file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct RunOptions {
    /// Repeated (query, document) lines; [`OnDuplicate::Error`] by default (trec_eval).
    pub on_duplicate: OnDuplicate,
}

/// A run file as read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunFile {
    /// The results, each query's documents in file order.
    pub run: Run,
    /// Distinct run tags (6th column) in order of first appearance.
    pub tags: Vec<String>,
    /// Repeated (query, document) lines (only with `KeepFirst` / `KeepLast`).
    pub duplicates: DuplicateReport,
}

/// Reads a TREC run file: `qid Q0 docid rank score tag`, whitespace-separated.
///
/// Like trec_eval: blank lines and lines starting with `#` are skipped, the second and
/// fourth columns are ignored, columns after the sixth are ignored. Unlike trec_eval's
/// `atof`, a score that is not a whole number literal (or is NaN) is an error.
///
/// A JSON file is read as search engine results instead
/// ([`super::engine_results`]: Elasticsearch/OpenSearch `_search` and `_msearch`
/// responses, Qdrant and Vespa responses).
pub fn read_run(path: impl AsRef<Path>, opts: &RunOptions) -> Result<RunFile, EvalError> {
    let path = path.as_ref();
    let data = read_file(path)?;
    if super::engine_results::is_json(&data) {
        return super::engine_results::parse_engine_results(&data, path);
    }
    parse_run(&data, path, opts)
}

/// Parses run file content; `origin` names the source in error messages.
pub fn parse_run(data: &[u8], origin: &Path, opts: &RunOptions) -> Result<RunFile, EvalError> {
    struct Entry {
        docid: String,
        score: f64,
        line: usize,
    }
    let mut per_query: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
    let mut tags: Vec<String> = Vec::new();
    for line in lines(data, origin)? {
        if is_skippable(line.text) {
            continue;
        }
        let t: Vec<&str> = line.text.split_whitespace().collect();
        if t.len() < 6 {
            return Err(EvalError::parse(
                origin,
                line.number,
                format!(
                    "expected 6 whitespace-separated fields 'qid Q0 docid rank score tag', found {}",
                    t.len()
                ),
            ));
        }
        let score: f64 = t[4].parse().map_err(|_| {
            EvalError::parse(
                origin,
                line.number,
                format!(
                    "score (5th field) must be a number, found '{}'",
                    shorten(t[4])
                ),
            )
        })?;
        if score.is_nan() {
            return Err(EvalError::parse(
                origin,
                line.number,
                "score is NaN, which cannot be ranked",
            ));
        }
        if !tags.iter().any(|x| x == t[5]) {
            tags.push(t[5].to_string());
        }
        per_query.entry(t[0].to_string()).or_default().push(Entry {
            docid: t[2].to_string(),
            score,
            line: line.number,
        });
    }

    let mut duplicates = Vec::new();
    let mut run = Run::new();
    for (qid, mut entries) in per_query {
        // Group equal docids (stable: file order within a group), resolve, restore order.
        entries.sort_by(|a, b| a.docid.cmp(&b.docid));
        let mut kept: Vec<Entry> = Vec::with_capacity(entries.len());
        let mut group_start = 0;
        for e in entries {
            let same_group = kept.len() > group_start && kept[group_start].docid == e.docid;
            if !same_group {
                group_start = kept.len();
                kept.push(e);
                continue;
            }
            let first = &kept[group_start];
            duplicates.push(Duplicate {
                qid: qid.clone(),
                docid: Some(e.docid.clone()),
                line: e.line,
                first_line: first.line,
                same_value: first.score == e.score,
            });
            if opts.on_duplicate == OnDuplicate::KeepLast {
                kept[group_start].score = e.score;
            }
        }
        kept.sort_by_key(|e| e.line);
        let docs = kept
            .into_iter()
            .map(|e| ScoredDoc::new(e.docid, e.score))
            .collect();
        run.set(qid, docs);
    }

    duplicates.sort_by_key(|d| d.line);
    let mut report = DuplicateReport::default();
    for d in &duplicates {
        report.record(d.clone());
    }
    if opts.on_duplicate == OnDuplicate::Error {
        if let Some(d) = duplicates.into_iter().next() {
            return Err(d.into_error(origin, report.count));
        }
    }
    Ok(RunFile {
        run,
        tags,
        duplicates: report,
    })
}

/// Formats a score as the shortest decimal that parses back to the same `f64`.
///
/// Fixed precision such as `{:.6}` would merge distinct scores into ties (and so change
/// the ranking through the docid tie-break) whenever they differ beyond the 6th decimal,
/// which float32 SPLADE scores routinely do. Rust's `{}` / `{:e}` print the shortest
/// round-tripping representation, so the file ranks exactly like the in-memory run: equal
/// scores stay equal, distinct scores stay distinct and in order. An `f32` score converted
/// to `f64` (exact) round-trips too. Exponent form is used below 1e-5 and from 1e16 on.
pub fn format_score(score: f64) -> String {
    let a = score.abs();
    if score == 0.0 || !score.is_finite() || (1e-5..1e16).contains(&a) {
        format!("{score}")
    } else {
        format!("{score:e}")
    }
}

/// Writes `run` as a TREC run file at `path` (see [`write_run_to`]).
pub fn write_run(path: impl AsRef<Path>, run: &Run, tag: &str) -> Result<(), EvalError> {
    let path = path.as_ref();
    let io_err = |source| EvalError::Io {
        path: path.to_path_buf(),
        action: "writing",
        source,
    };
    // Written beside the target and renamed over it once complete: a failure (a full
    // disk, a bad id) never leaves a partial file that looks like a run.
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = path.with_file_name(format!(".{name}.partial-{}", std::process::id()));
    let result = (|| {
        let file = std::fs::File::create(&tmp).map_err(io_err)?;
        let mut w = std::io::BufWriter::new(file);
        write_lines(&mut w, run, tag).map_err(|e| match e {
            WriteError::Io(source) => io_err(source),
            WriteError::Invalid(e) => e,
        })?;
        let file = w.into_inner().map_err(|e| io_err(e.into_error()))?;
        file.sync_all().map_err(io_err)?;
        std::fs::rename(&tmp, path).map_err(io_err)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Writes `run` as TREC run lines `qid Q0 docid rank score tag` to `writer`: queries in
/// byte order of id, documents in trec_eval order with ranks 1, 2, …, scores by
/// [`format_score`]. A query with no documents produces no line (so it is absent when the
/// file is read back). Ids and the tag must be non-empty and free of whitespace.
pub fn write_run_to<W: Write>(writer: W, run: &Run, tag: &str) -> Result<(), EvalError> {
    let mut w = std::io::BufWriter::new(writer);
    let io_err = |source| EvalError::Io {
        path: "<writer>".into(),
        action: "writing",
        source,
    };
    write_lines(&mut w, run, tag).map_err(|e| match e {
        WriteError::Io(source) => io_err(source),
        WriteError::Invalid(e) => e,
    })?;
    w.flush().map_err(io_err)
}

enum WriteError {
    Io(std::io::Error),
    Invalid(EvalError),
}

fn write_lines<W: Write>(w: &mut W, run: &Run, tag: &str) -> Result<(), WriteError> {
    let bad = |qid: &str, message: String| {
        WriteError::Invalid(EvalError::InvalidRun {
            qid: qid.to_string(),
            message,
        })
    };
    if !is_token(tag) {
        return Err(bad(
            "",
            format!("run tag '{tag}' must be non-empty without whitespace"),
        ));
    }
    for (qid, docs) in run.iter() {
        if !is_token(qid) {
            return Err(bad(
                qid,
                "query id must be non-empty without whitespace".to_string(),
            ));
        }
        let ranked = trec_ranking(qid, docs).map_err(WriteError::Invalid)?;
        for (i, d) in ranked.iter().enumerate() {
            if !is_token(&d.docid) {
                return Err(bad(
                    qid,
                    format!(
                        "document id '{}' must be non-empty without whitespace",
                        d.docid
                    ),
                ));
            }
            writeln!(
                w,
                "{qid} Q0 {} {} {} {tag}",
                d.docid,
                i + 1,
                format_score(d.score)
            )
            .map_err(WriteError::Io)?;
        }
    }
    Ok(())
}

fn is_token(s: &str) -> bool {
    !s.is_empty() && !s.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str, on_duplicate: OnDuplicate) -> Result<RunFile, EvalError> {
        parse_run(
            text.as_bytes(),
            Path::new("run.trec"),
            &RunOptions { on_duplicate },
        )
    }

    #[test]
    fn order_is_score_desc_then_docid_desc() {
        let docs = vec![
            ScoredDoc::new("a", 1.0),
            ScoredDoc::new("c", 2.0),
            ScoredDoc::new("b", 1.0),
            ScoredDoc::new("B", 1.0),
            ScoredDoc::new("z", -0.0),
            ScoredDoc::new("y", 0.0),
        ];
        let ranked: Vec<&str> = trec_ranking("q", &docs)
            .unwrap()
            .iter()
            .map(|d| d.docid.as_str())
            .collect();
        assert_eq!(ranked, ["c", "b", "a", "B", "z", "y"]);
    }

    #[test]
    fn ranking_rejects_nan_and_duplicates() {
        let nan = [ScoredDoc::new("a", f64::NAN)];
        assert!(trec_ranking("q", &nan)
            .unwrap_err()
            .to_string()
            .contains("NaN"));
        let dup = [
            ScoredDoc::new("a", 1.0),
            ScoredDoc::new("b", 3.0),
            ScoredDoc::new("a", 2.0),
        ];
        let e = trec_ranking("q", &dup).unwrap_err().to_string();
        assert!(e.contains("'a' appears more than once"), "{e}");
    }

    #[test]
    fn reads_and_ignores_rank_column() {
        let f = parse(
            "# comment\nq1 Q0 d1 7 1.5 tagA\n\nq1\tQ0\td2\tx\t2.5\ttagA extra\r\nq0 0 d9 1 -3e2 tagB\n",
            OnDuplicate::Error,
        )
        .unwrap();
        assert_eq!(f.tags, ["tagA", "tagB"]);
        assert_eq!(f.run.len(), 2);
        assert_eq!(
            f.run.get("q1").unwrap(),
            [ScoredDoc::new("d1", 1.5), ScoredDoc::new("d2", 2.5)]
        );
        assert_eq!(f.run.get("q0").unwrap()[0].score, -300.0);
    }

    #[test]
    fn duplicates_error_by_default_with_count() {
        let text = "q 0 a 1 1 t\nq 0 b 2 1 t\nq 0 a 3 0.5 t\nq 0 b 4 1 t\n";
        let e = parse(text, OnDuplicate::Error).unwrap_err().to_string();
        assert!(
            e.starts_with(
                "run.trec:3: document 'a' for query 'q' already appeared on line 1 (2 duplicate"
            ),
            "{e}"
        );
        let last = parse(text, OnDuplicate::KeepLast).unwrap();
        assert_eq!(
            last.run.get("q").unwrap(),
            [ScoredDoc::new("a", 0.5), ScoredDoc::new("b", 1.0)]
        );
        assert_eq!(last.duplicates.count, 2);
        assert_eq!(last.duplicates.conflicting, 1);
        assert_eq!(last.duplicates.examples[0].line, 3);
        let first = parse(text, OnDuplicate::KeepFirst).unwrap();
        assert_eq!(first.run.get("q").unwrap()[0].score, 1.0);
    }

    #[test]
    fn errors_name_file_and_line() {
        let cases = [
            (
                "q 0 a 1 1 t\nq 0 a 1 1\n",
                "run.trec:2: expected 6 whitespace-separated",
            ),
            (
                "q 0 a 1 high t\n",
                "run.trec:1: score (5th field) must be a number, found 'high'",
            ),
            ("\n\nq 0 a 1 NaN t\n", "run.trec:3: score is NaN"),
        ];
        for (text, want) in cases {
            let e = parse(text, OnDuplicate::Error).unwrap_err().to_string();
            assert!(e.starts_with(want), "{text:?}: {e}");
        }
    }

    #[test]
    fn score_format_round_trips() {
        for s in [
            0.0,
            -0.0,
            1.0,
            0.1,
            1.0 / 3.0,
            1e-7,
            123456.789,
            1e20,
            -2.5e-300,
            f64::INFINITY,
            f64::MAX,
        ] {
            let t = format_score(s);
            assert_eq!(
                t.parse::<f64>().unwrap().to_bits(),
                s.to_bits(),
                "{s} -> {t}"
            );
        }
        // f32 neighbours that {:.6} would merge stay distinct.
        let a = 0.123_456_79_f32;
        let b = f32::from_bits(a.to_bits() + 1);
        assert_eq!(format!("{:.6}", a), format!("{:.6}", b));
        assert_ne!(format_score(a as f64), format_score(b as f64));
        assert_eq!(format_score(0.5), "0.5");
        assert_eq!(format_score(1e-7), "1e-7");
    }

    #[test]
    fn write_then_read_is_identity_on_ranking() {
        let mut run = Run::new();
        run.push("q2", "d1", 0.1);
        run.push("q2", "d2", 0.1);
        run.push("q2", "d3", 0.30000000000000004);
        run.push("q1", "x", 1e-9);
        run.set("empty", vec![]);
        let mut buf = Vec::new();
        write_run_to(&mut buf, &run, "spladescope").unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert_eq!(
            text,
            "q1 Q0 x 1 1e-9 spladescope\nq2 Q0 d3 1 0.30000000000000004 spladescope\n\
             q2 Q0 d2 2 0.1 spladescope\nq2 Q0 d1 3 0.1 spladescope\n"
        );
        let back = parse(&text, OnDuplicate::Error).unwrap().run;
        assert_eq!(back.len(), 2);
        assert_eq!(
            back.get("q2").unwrap()[0],
            ScoredDoc::new("d3", 0.30000000000000004)
        );
    }

    #[test]
    fn write_rejects_whitespace_and_duplicates() {
        let mut run = Run::new();
        run.push("q 1", "d", 1.0);
        assert!(write_run_to(Vec::new(), &run, "t").is_err());
        let mut run = Run::new();
        run.push("q", "d", 1.0);
        assert!(write_run_to(Vec::new(), &run, "a tag").is_err());
        run.push("q", "d", 2.0);
        assert!(write_run_to(Vec::new(), &run, "t").is_err());
    }
}
