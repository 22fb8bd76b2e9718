//! BEIR `queries.jsonl`: one JSON object per line, `{"_id": ..., "text": ..., "metadata": ...}`.

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use super::duplicates::{Duplicate, DuplicateReport};
use super::error::EvalError;
use super::lines::{lines, read_file};

/// One query.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Query {
    /// `_id`; a JSON number is kept as its decimal text (`7` → `"7"`).
    pub id: String,
    /// `text`.
    pub text: String,
    /// `metadata`, `Null` when absent.
    pub metadata: Value,
}

/// Queries in file order, with lookup by id.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Queries {
    items: Vec<Query>,
    #[serde(skip)]
    index: HashMap<String, usize>,
}

impl Queries {
    /// No queries.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a query at the end, or replaces the text and metadata of an existing id in
    /// place (the position of its first appearance is kept, as a Python dict does).
    /// Returns the replaced query.
    pub fn insert(&mut self, query: Query) -> Option<Query> {
        match self.index.get(&query.id) {
            Some(&i) => Some(std::mem::replace(&mut self.items[i], query)),
            None => {
                self.index.insert(query.id.clone(), self.items.len());
                self.items.push(query);
                None
            }
        }
    }

    /// The query with this id.
    pub fn get(&self, id: &str) -> Option<&Query> {
        self.index.get(id).map(|&i| &self.items[i])
    }

    /// All queries in order.
    pub fn as_slice(&self) -> &[Query] {
        &self.items
    }

    /// Iterates in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Query> {
        self.items.iter()
    }

    /// (id, text) of the queries `qrels` judges, in order: what a run is made of.
    pub fn judged<'q>(&'q self, qrels: &super::Qrels) -> Vec<(&'q str, &'q str)> {
        self.items
            .iter()
            .filter(|q| qrels.contains_query(&q.id))
            .map(|q| (q.id.as_str(), q.text.as_str()))
            .collect()
    }

    /// Number of queries.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Keeps the queries for which `keep` returns true, in order.
    pub fn retain(&mut self, mut keep: impl FnMut(&Query) -> bool) {
        self.items.retain(|q| keep(q));
        self.index = self
            .items
            .iter()
            .enumerate()
            .map(|(i, q)| (q.id.clone(), i))
            .collect();
    }
}

impl<'a> IntoIterator for &'a Queries {
    type Item = &'a Query;
    type IntoIter = std::slice::Iter<'a, Query>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

/// A queries file as read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueriesFile {
    /// The queries, in file order.
    pub queries: Queries,
    /// Repeated `_id`s: the later line's text wins, at the first line's position.
    pub duplicates: DuplicateReport,
}

/// Reads a BEIR `queries.jsonl` (blank lines ignored).
pub fn read_queries(path: impl AsRef<Path>) -> Result<QueriesFile, EvalError> {
    let path = path.as_ref();
    parse_queries(&read_file(path)?, path)
}

/// Parses `queries.jsonl` content; `origin` names the source in error messages.
pub fn parse_queries(data: &[u8], origin: &Path) -> Result<QueriesFile, EvalError> {
    let mut queries = Queries::new();
    let mut first_line: HashMap<String, usize> = HashMap::new();
    let mut duplicates = DuplicateReport::default();
    for line in lines(data, origin)? {
        if line.text.trim().is_empty() {
            continue;
        }
        let query = parse_line(line.text).map_err(|m| EvalError::parse(origin, line.number, m))?;
        match first_line.get(&query.id) {
            Some(&first) => {
                let previous = queries.get(&query.id);
                duplicates.record(Duplicate {
                    qid: query.id.clone(),
                    docid: None,
                    line: line.number,
                    first_line: first,
                    same_value: previous.is_some_and(|p| p.text == query.text),
                });
            }
            None => {
                first_line.insert(query.id.clone(), line.number);
            }
        }
        queries.insert(query);
    }
    Ok(QueriesFile {
        queries,
        duplicates,
    })
}

fn parse_line(text: &str) -> Result<Query, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        format!("not a JSON object ({e}); expected {{\"_id\": ..., \"text\": ...}} on one line")
    })?;
    let Value::Object(mut obj) = value else {
        return Err("expected a JSON object {\"_id\": ..., \"text\": ...}".to_string());
    };
    let id = match obj.get("_id") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(other) => {
            return Err(format!(
                "\"_id\" must be a string or a number, found {}",
                json_kind(other)
            ))
        }
        None => return Err("missing \"_id\"".to_string()),
    };
    if id.is_empty() {
        return Err("\"_id\" is empty".to_string());
    }
    let text = match obj.get("text") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => {
            return Err(format!(
                "\"text\" of query '{id}' must be a string, found {}",
                json_kind(other)
            ))
        }
        None => return Err(format!("query '{id}' has no \"text\"")),
    };
    let metadata = obj.remove("metadata").unwrap_or(Value::Null);
    Ok(Query { id, text, metadata })
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<QueriesFile, EvalError> {
        parse_queries(text.as_bytes(), Path::new("queries.jsonl"))
    }

    #[test]
    fn string_and_number_ids_in_file_order() {
        let f = parse(
            "{\"_id\": \"b\", \"text\": \"second\", \"metadata\": {\"k\": 1}}\n\n\
             {\"_id\": 7, \"text\": \"num\"}\r\n{\"_id\": \"a\", \"text\": \"x\"}",
        )
        .unwrap();
        let ids: Vec<&str> = f.queries.iter().map(|q| q.id.as_str()).collect();
        assert_eq!(ids, ["b", "7", "a"]);
        assert_eq!(f.queries.get("7").unwrap().text, "num");
        assert_eq!(f.queries.get("b").unwrap().metadata["k"], 1);
        assert_eq!(f.queries.get("a").unwrap().metadata, Value::Null);
    }

    #[test]
    fn duplicate_id_keeps_first_position_last_text() {
        let f = parse(
            "{\"_id\": \"1\", \"text\": \"old\"}\n{\"_id\": \"2\", \"text\": \"t\"}\n\
             {\"_id\": \"1\", \"text\": \"new\"}\n",
        )
        .unwrap();
        assert_eq!(f.queries.len(), 2);
        assert_eq!(f.queries.as_slice()[0].text, "new");
        assert_eq!(f.duplicates.count, 1);
        assert_eq!(f.duplicates.examples[0].line, 3);
        assert_eq!(f.duplicates.examples[0].first_line, 1);
        assert!(!f.duplicates.examples[0].same_value);
    }

    #[test]
    fn errors_name_file_and_line() {
        let ok = "{\"_id\": \"1\", \"text\": \"t\"}\n";
        let cases = [
            (
                "{\"_id\": \"2\", \"text\": ",
                "queries.jsonl:2: not a JSON object",
            ),
            ("[1, 2]", "queries.jsonl:2: expected a JSON object"),
            ("{\"text\": \"t\"}", "queries.jsonl:2: missing \"_id\""),
            (
                "{\"_id\": null, \"text\": \"t\"}",
                "queries.jsonl:2: \"_id\" must be a string or a number",
            ),
            (
                "{\"_id\": \"\", \"text\": \"t\"}",
                "queries.jsonl:2: \"_id\" is empty",
            ),
            (
                "{\"_id\": \"2\"}",
                "queries.jsonl:2: query '2' has no \"text\"",
            ),
            (
                "{\"_id\": \"2\", \"text\": 5}",
                "queries.jsonl:2: \"text\" of query '2' must be a string",
            ),
        ];
        for (bad, want) in cases {
            let e = parse(&format!("{ok}{bad}\n")).unwrap_err().to_string();
            assert!(e.starts_with(want), "{bad}: {e}");
        }
    }
}
