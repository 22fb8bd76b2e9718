//! Search engines' JSON results read as a run, so that a deployment's answers can be
//! evaluated and compared like any TREC run (`--system run:NAME=FILE`).
//!
//! | engine | file | hits at | id | score |
//! |---|---|---|---|---|
//! | Elasticsearch, OpenSearch | a `_search` response | `hits.hits[]` | `_id` | `_score` |
//! | Elasticsearch, OpenSearch | an `_msearch` response | `responses[].hits.hits[]` | `_id` | `_score` |
//! | Qdrant | a `/points/query`, `/points/query/batch` or `/points/search` response | `result.points[]`, `result[].points[]`, `result[]` | `payload.doc_id` | `score` |
//! | Vespa | `/search/` responses, one per line | `root.children[]` | `fields.doc_id`, else `id` after `::` | `relevance` |
//!
//! Responses hold no query ids: they come in query order, and the ids are read from
//! `query-ids.txt` beside the file (one per line, as `spladescope export` writes it). An
//! `_msearch` item that failed (`error`) is an error naming it.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::error::EvalError;
use super::run::{Run, RunFile};

/// Whether file content looks like JSON (its first non-blank byte is `{` or `[`).
pub fn is_json(data: &[u8]) -> bool {
    data.iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'{' || b == b'[')
}

/// The file of query ids that names the responses of `path`.
pub fn query_ids_path(path: &Path) -> PathBuf {
    path.with_file_name("query-ids.txt")
}

/// Reads engine results (see the module docs) from `data`, the content of `origin`.
pub fn parse_engine_results(data: &[u8], origin: &Path) -> Result<RunFile, EvalError> {
    let text = std::str::from_utf8(data)
        .map_err(|e| EvalError::parse(origin, 1, format!("not UTF-8: {e}")))?;
    // One JSON document, or one per line (Vespa).
    let docs: Vec<(usize, Value)> = match serde_json::from_str::<Value>(text) {
        Ok(v) => vec![(1, v)],
        Err(whole) => {
            let mut docs = Vec::new();
            for (i, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                let v = serde_json::from_str(line).map_err(|e| {
                    if i == 0 && whole.line() > 1 {
                        EvalError::parse(origin, whole.line(), format!("bad JSON: {whole}"))
                    } else {
                        EvalError::parse(origin, i + 1, format!("bad JSON: {e}"))
                    }
                })?;
                docs.push((i + 1, v));
            }
            docs
        }
    };
    let mut lists: Vec<(usize, Vec<(String, f64)>)> = Vec::new();
    for (line, doc) in &docs {
        let bad = |what: String| EvalError::parse(origin, *line, what);
        if let Some(responses) = doc.get("responses") {
            let items = responses
                .as_array()
                .ok_or_else(|| bad("\"responses\" is not an array".into()))?;
            for (i, r) in items.iter().enumerate() {
                if let Some(e) = r.get("error") {
                    return Err(bad(format!(
                        "responses[{i}] is an error: {}",
                        crate::display::visible(&e.to_string())
                    )));
                }
                lists.push((*line, es_hits(r, &format!("responses[{i}]")).map_err(&bad)?));
            }
        } else if doc.pointer("/hits/hits").is_some() {
            lists.push((*line, es_hits(doc, "response").map_err(&bad)?));
        } else if let Some(result) = doc.get("result") {
            match result {
                // A batch (`[{points}]`), or one search's points (`[{id, score}]`).
                Value::Array(items) if items.iter().all(|r| r.get("points").is_some()) => {
                    for (i, r) in items.iter().enumerate() {
                        let at = format!("result[{i}]");
                        lists.push((*line, qdrant_points(&r["points"], &at).map_err(&bad)?));
                    }
                }
                points @ Value::Array(_) => {
                    lists.push((*line, qdrant_points(points, "result").map_err(&bad)?));
                }
                r => {
                    let points = r
                        .get("points")
                        .ok_or_else(|| bad("no result.points".into()))?;
                    lists.push((*line, qdrant_points(points, "result").map_err(&bad)?));
                }
            }
        } else if let Some(root) = doc.get("root") {
            lists.push((*line, vespa_children(root).map_err(&bad)?));
        } else {
            return Err(bad(
                "not engine results: expected an Elasticsearch/OpenSearch _search or _msearch \
                 response (hits.hits, responses), a Qdrant response (result) or Vespa \
                 responses (root)"
                    .into(),
            ));
        }
    }
    let ids_path = query_ids_path(origin);
    let ids = std::fs::read_to_string(&ids_path).map_err(|e| EvalError::Parse {
        path: origin.to_path_buf(),
        line: 1,
        message: format!(
            "engine responses come in query order: their query ids are read from {} \
             (one per line; `spladescope export` writes it): {e}",
            ids_path.display()
        ),
    })?;
    let ids: Vec<&str> = ids.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut seen_ids = std::collections::HashSet::new();
    if let Some(dup) = ids.iter().find(|id| !seen_ids.insert(id.trim())) {
        return Err(EvalError::parse(
            origin,
            1,
            format!("query id {dup} is listed twice in {}", ids_path.display()),
        ));
    }
    if ids.len() != lists.len() {
        return Err(EvalError::parse(
            origin,
            lists.last().map_or(1, |l| l.0),
            format!(
                "{} responses but {} query ids in {}",
                lists.len(),
                ids.len(),
                ids_path.display()
            ),
        ));
    }
    let mut run = Run::new();
    for (qid, (line, hits)) in ids.iter().zip(lists) {
        let mut seen = std::collections::HashSet::new();
        for (doc, _) in &hits {
            if !seen.insert(doc.as_str()) {
                return Err(EvalError::parse(
                    origin,
                    line,
                    format!("query {qid}: document {doc} is returned twice"),
                ));
            }
        }
        run.set(
            qid.trim().to_string(),
            hits.into_iter()
                .map(|(d, s)| super::ScoredDoc::new(d, s))
                .collect(),
        );
    }
    Ok(RunFile {
        run,
        tags: vec!["engine".into()],
        duplicates: Default::default(),
    })
}

fn es_hits(r: &Value, at: &str) -> Result<Vec<(String, f64)>, String> {
    let hits = r
        .pointer("/hits/hits")
        .and_then(Value::as_array)
        .ok_or_else(|| format!("{at}: no hits.hits array"))?;
    hits.iter()
        .enumerate()
        .map(|(i, h)| {
            let id = h.get("_id").and_then(Value::as_str);
            let score = h.get("_score").and_then(Value::as_f64);
            match (id, score) {
                (Some(id), Some(s)) => Ok((id.to_string(), s)),
                (None, _) => Err(format!("{at}.hits.hits[{i}]: no string _id")),
                (_, None) => Err(format!(
                    "{at}.hits.hits[{i}]: no numeric _score (a sorted search has none)"
                )),
            }
        })
        .collect()
}

fn qdrant_points(points: &Value, at: &str) -> Result<Vec<(String, f64)>, String> {
    let points = points
        .as_array()
        .ok_or_else(|| format!("{at}: points is not an array"))?;
    points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            // spladescope's export numbers points by document number and keeps the id in
            // the payload: a point without it cannot be named.
            let id = p
                .pointer("/payload/doc_id")
                .and_then(Value::as_str)
                .map(str::to_string);
            let score = p.get("score").and_then(Value::as_f64);
            match (id, score) {
                (Some(id), Some(s)) => Ok((id, s)),
                (None, _) => Err(format!(
                    "{at}.points[{i}]: no payload.doc_id (query with \"with_payload\": \
                     [\"doc_id\"], as the export's queries do)"
                )),
                (_, None) => Err(format!("{at}.points[{i}]: no numeric score")),
            }
        })
        .collect()
}

fn vespa_children(root: &Value) -> Result<Vec<(String, f64)>, String> {
    if let Some(e) = root.get("errors") {
        return Err(format!("root.errors: {e}"));
    }
    let Some(children) = root.get("children") else {
        return Ok(Vec::new());
    };
    let children = children
        .as_array()
        .ok_or_else(|| "root.children is not an array".to_string())?;
    children
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let id = match (c.pointer("/fields/doc_id"), c.get("id")) {
                (Some(Value::String(s)), _) => Some(s.clone()),
                (_, Some(Value::String(s))) => {
                    Some(s.split_once("::").map_or(s.as_str(), |p| p.1).to_string())
                }
                _ => None,
            };
            let score = c.get("relevance").and_then(Value::as_f64);
            match (id, score) {
                (Some(id), Some(s)) => Ok((id, s)),
                (None, _) => Err(format!("root.children[{i}]: no fields.doc_id or id")),
                (_, None) => Err(format!("root.children[{i}]: no numeric relevance")),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_ids(ids: &str, body: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("query-ids.txt"), ids).unwrap();
        let path = dir.path().join("results.json");
        std::fs::write(&path, body).unwrap();
        (dir, path)
    }

    fn read(path: &Path) -> Result<RunFile, EvalError> {
        parse_engine_results(&std::fs::read(path).unwrap(), path)
    }

    #[test]
    fn reads_every_engine_shape() {
        let msearch = r#"{"took":3,"responses":[
            {"hits":{"hits":[{"_id":"d2","_score":1.5},{"_id":"d1","_score":0.25}]},"status":200},
            {"hits":{"hits":[]},"status":200}]}"#;
        let (_d, p) = with_ids("q1\nq2\n", msearch);
        let run = read(&p).unwrap().run;
        assert_eq!(run.get("q1").unwrap().len(), 2);
        assert_eq!(run.get("q1").unwrap()[0].docid, "d2");
        assert!(run.get("q2").unwrap().is_empty());

        let qdrant = r#"{"result":[{"points":[{"id":7,"score":2.0,"payload":{"doc_id":"A"}}]},
            {"points":[{"id":3,"score":1.0,"payload":{"doc_id":"B"}}]}],"status":"ok"}"#;
        let (_d, p) = with_ids("a\nb\n", qdrant);
        let run = read(&p).unwrap().run;
        assert_eq!(run.get("a").unwrap()[0].docid, "A");
        assert_eq!(run.get("b").unwrap()[0].docid, "B");
        let search = r#"{"result":[{"id":3,"score":1.0,"payload":{"doc_id":"C"}}]}"#;
        let (_d, p) = with_ids("c\n", search);
        assert_eq!(read(&p).unwrap().run.get("c").unwrap()[0].docid, "C");

        let vespa = "{\"root\":{\"children\":[{\"id\":\"id:s:s::D9\",\"relevance\":4.5}]}}\n\
                     {\"root\":{\"fields\":{\"totalCount\":0}}}\n";
        let (_d, p) = with_ids("x\ny\n", vespa);
        let run = read(&p).unwrap().run;
        assert_eq!(run.get("x").unwrap()[0].docid, "D9");
        assert!(run.get("y").unwrap().is_empty());
    }

    #[test]
    fn bad_results_name_the_file_line_and_problem() {
        for (ids, body, why) in [
            (
                "q\n",
                "{\"responses\":[{\"error\":{\"type\":\"x\"},\"status\":400}]}",
                "is an error",
            ),
            (
                "q\n",
                "{\"hits\":{\"hits\":[{\"_score\":1}]}}",
                "response.hits.hits[0]: no string _id",
            ),
            (
                "q\n",
                "{\"result\":{\"points\":[{\"id\":3,\"score\":1}]}}",
                "no payload.doc_id",
            ),
            (
                "q\nq\n",
                "{\"responses\":[{\"hits\":{\"hits\":[]}},{\"hits\":{\"hits\":[]}}]}",
                "listed twice",
            ),
            (
                "q\n",
                "{\"hits\":{\"hits\":[{\"_id\":\"a\"}]}}",
                "no numeric _score",
            ),
            (
                "q\nr\n",
                "{\"hits\":{\"hits\":[]}}",
                "1 responses but 2 query ids",
            ),
            ("q\n", "{\"something\":1}", "not engine results"),
            (
                "q\n",
                "{\"hits\":{\"hits\":[{\"_id\":\"a\",\"_score\":1},{\"_id\":\"a\",\"_score\":1}]}}",
                "twice",
            ),
            ("q\nr\n", "{\"root\":{}}\n{\"root\":\n", "results.json:2:"),
        ] {
            let (_d, p) = with_ids(ids, body);
            let e = read(&p).unwrap_err().to_string();
            assert!(e.contains(why) && e.contains("results.json"), "{why}: {e}");
        }
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.json");
        std::fs::write(&p, "{\"hits\":{\"hits\":[]}}").unwrap();
        let e = read(&p).unwrap_err().to_string();
        assert!(e.contains("query-ids.txt"), "{e}");
    }
}
