//! The JSON and text exports: Elasticsearch, OpenSearch, Qdrant, Vespa, Anserini, Seismic.

use std::borrow::Cow;
use std::path::Path;

use serde_json::{json, Value};

use super::write::{weight, weight_map, OutFile};
use super::{encode_token, ExportError, ExportOptions, Queries, Result};
use crate::index::Index;
use crate::profile::codec::impact;
use crate::sparse::SparseVector;
use crate::vectors::Vocabulary;

/// What every exporter reads.
pub struct Out<'a> {
    pub index: &'a Index,
    pub vocab: &'a dyn Vocabulary,
    pub queries: &'a Queries,
    pub options: &'a ExportOptions,
    pub dir: &'a Path,
}

impl Out<'_> {
    /// Each document's id, indexed text and vector, in index order.
    pub fn each_doc(
        &self,
        mut visit: impl FnMut(&str, &str, &SparseVector) -> Result<()>,
    ) -> Result<()> {
        for n in 0..self.index.len() as u32 {
            let doc = self.index.doc(n)?;
            let vector = self.index.vector(n)?;
            visit(doc.id, &doc.indexed_text(), &vector)?;
        }
        Ok(())
    }

    /// `{token: weight}` with the Elasticsearch/OpenSearch token names.
    fn escaped_map(&self, v: &SparseVector) -> Value {
        weight_map(
            v.iter()
                .map(|(t, w)| (encode_token(self.vocab.token(t)), weight(w))),
        )
    }

    /// `{token: weight}` with the vocabulary's tokens.
    fn token_map(&self, v: &SparseVector) -> Value {
        weight_map(
            v.iter()
                .map(|(t, w)| (Cow::Borrowed(self.vocab.token(t)), weight(w))),
        )
    }

    /// Writes `query-ids.txt`: the query ids, one per line, in the order of the query files.
    fn query_ids(&self) -> Result<String> {
        let mut f = OutFile::create(self.dir, "query-ids.txt")?;
        for (id, _) in self.queries {
            f.put(id.as_bytes())?;
            f.put(b"\n")?;
        }
        f.finish()
    }
}

/// Elasticsearch: a `sparse_vector` mapping (one shard), bulk NDJSON, msearch NDJSON.
pub fn elasticsearch(out: &Out, notes: &mut Vec<String>) -> Result<Vec<String>> {
    let o = out.options;
    let mut files = vec![mapping(out, json!({"type": "sparse_vector"}))?];
    files.push(bulk(out, notes)?);
    let mut q = OutFile::create(out.dir, "queries.ndjson")?;
    for (_, v) in out.queries {
        let mut query = json!({
            "field": o.field,
            "query_vector": out.escaped_map(v),
            "prune": o.pruning.is_some(),
        });
        if let Some(p) = o.pruning {
            query["pruning_config"] = json!({
                "tokens_freq_ratio_threshold": p.freq_ratio as u32,
                "tokens_weight_threshold": weight(p.weight),
                "only_score_pruned_tokens": false,
            });
        }
        q.json_line(&json!({}))?;
        q.json_line(&search_body(o, json!({"sparse_vector": query})))?;
    }
    files.push(q.finish()?);
    files.push(out.query_ids()?);
    Ok(files)
}

/// OpenSearch: a `rank_features` mapping, bulk NDJSON, msearch NDJSON of `neural_sparse`
/// queries, and the two-phase search pipeline when asked for.
pub fn opensearch(out: &Out, notes: &mut Vec<String>) -> Result<Vec<String>> {
    let o = out.options;
    let mut files = vec![mapping(out, json!({"type": "rank_features"}))?];
    files.push(bulk(out, notes)?);
    let mut q = OutFile::create(out.dir, "queries.ndjson")?;
    let profile = crate::profile::Profile::OpenSearch {
        two_phase: o.two_phase,
    };
    for (id, v) in out.queries {
        let token = |t: u32| out.vocab.token(t).to_string();
        if let Some(why) = profile.refuses(v, o.k, &token) {
            return Err(ExportError::Invalid(format!("query {id}: {why}")));
        }
        let query =
            json!({"neural_sparse": {o.field.as_str(): {"query_tokens": out.escaped_map(v)}}});
        q.json_line(&json!({}))?;
        q.json_line(&search_body(o, query))?;
    }
    files.push(q.finish()?);
    files.push(out.query_ids()?);
    if let Some(t) = o.two_phase {
        let mut p = OutFile::create(out.dir, "pipeline.json")?;
        p.json_pretty(&json!({
            "request_processors": [{"neural_sparse_two_phase_processor": {
                "enabled": true,
                "two_phase_parameter": {
                    "prune_type": "max_ratio",
                    "prune_ratio": weight(t.prune_ratio),
                    "expansion_rate": weight(t.expansion_rate),
                    "max_window_size": t.max_window,
                }
            }}]
        }))?;
        files.push(p.finish()?);
    }
    Ok(files)
}

/// `mapping.json`: one shard (engine statistics and tie order are per shard), the id as a
/// keyword, the vector field.
fn mapping(out: &Out, field: Value) -> Result<String> {
    let mut f = OutFile::create(out.dir, "mapping.json")?;
    f.json_pretty(&json!({
        "settings": {"number_of_shards": 1, "number_of_replicas": 0},
        "mappings": {"properties": {out.options.field.as_str(): field}}
    }))?;
    f.finish()
}

/// `docs.ndjson`: bulk `index` actions with `_id`, in index order. A document without terms
/// is written without the field (an empty object is legal but holds nothing).
fn bulk(out: &Out, notes: &mut Vec<String>) -> Result<String> {
    let o = out.options;
    let mut f = OutFile::create(out.dir, "docs.ndjson")?;
    let (mut empty, mut subnormal) = (0, 0);
    out.each_doc(|id, _, v| {
        // FeatureField refuses weights below the smallest normal float (the whole document
        // would fail): they are left out, and the profiles read them as 0.
        let kept =
            SparseVector::from_pairs(v.iter().filter(|&(_, w)| w >= f32::MIN_POSITIVE).collect());
        subnormal += v.nnz() - kept.nnz();
        empty += usize::from(kept.is_empty());
        f.json_line(&json!({"index": {"_index": o.name, "_id": id}}))?;
        if kept.is_empty() {
            f.json_line(&json!({}))
        } else {
            f.json_line(&json!({o.field.as_str(): out.escaped_map(&kept)}))
        }
    })?;
    if empty > 0 {
        notes.push(format!(
            "{empty} documents have no terms: indexed without the field"
        ));
    }
    if subnormal > 0 {
        notes.push(format!(
            "{subnormal} document weights below {} (FeatureField's smallest) are left out",
            f32::MIN_POSITIVE
        ));
    }
    f.finish()
}

/// A `_search` body: `size` hits, ids only.
fn search_body(o: &ExportOptions, query: Value) -> Value {
    json!({"size": o.k, "_source": false, "track_total_hits": false, "query": query})
}

/// Qdrant: the collection (a named sparse vector with the datatype; one segment, indexed
/// at once, so the stored values are quantised as the profile assumes), points in batches
/// of 1,000 (`id` = document number, `doc_id` in the payload), one batch query body.
pub fn qdrant(out: &Out) -> Result<Vec<String>> {
    let o = out.options;
    let datatype = o.datatype.name();
    let mut files = Vec::new();
    let mut c = OutFile::create(out.dir, "collection.json")?;
    c.json_pretty(&json!({
        "sparse_vectors": {o.field.as_str(): {"index": {"datatype": datatype, "on_disk": false}}},
        "optimizers_config": {"default_segment_number": 1, "indexing_threshold": 1},
        "shard_number": 1
    }))?;
    files.push(c.finish()?);
    const BATCH: usize = 1000;
    let mut batch = Vec::with_capacity(BATCH);
    let mut n = 0u64;
    let flush = |batch: &mut Vec<Value>, files: &mut Vec<String>| -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let name = format!("points/{:06}.json", files.len() - 1);
        let mut f = OutFile::create(out.dir, &name)?;
        f.json_line(&json!({"points": std::mem::take(batch)}))?;
        files.push(f.finish()?);
        Ok(())
    };
    out.each_doc(|id, _, v| {
        batch.push(json!({
            "id": n,
            "vector": {o.field.as_str(): sparse_json(v)},
            "payload": {"doc_id": id}
        }));
        n += 1;
        if batch.len() == BATCH {
            flush(&mut batch, &mut files)?;
        }
        Ok(())
    })?;
    flush(&mut batch, &mut files)?;
    let searches: Vec<Value> = out
        .queries
        .iter()
        .map(|(_, v)| {
            json!({"query": sparse_json(v), "using": o.field, "limit": o.k, "with_payload": ["doc_id"]})
        })
        .collect();
    let mut q = OutFile::create(out.dir, "queries.json")?;
    q.json_line(&json!({"searches": searches}))?;
    files.push(q.finish()?);
    files.push(out.query_ids()?);
    Ok(files)
}

/// `{"indices": [term ids], "values": [weights]}`.
fn sparse_json(v: &SparseVector) -> Value {
    json!({"indices": v.ids, "values": v.weights.iter().map(|&w| weight(w)).collect::<Vec<_>>()})
}

/// Vespa: an application package whose schema holds the vector as `tensor<float>(token{})`
/// (exact, ranked by `sum(query(q) * attribute(FIELD))`) and as a `weightedset<string>` of
/// integer impacts for `wand`; the feed; one query body per line.
pub fn vespa(out: &Out, notes: &mut Vec<String>) -> Result<Vec<String>> {
    let o = out.options;
    let (name, field) = (o.name.as_str(), o.field.as_str());
    let mut files = Vec::new();
    let mut schema = OutFile::create(out.dir, &format!("app/schemas/{name}.sd"))?;
    schema.put(
        format!(
            "schema {name} {{\n    document {name} {{\n        field doc_id type string {{\n            indexing: summary | attribute\n        }}\n        field {field} type tensor<float>(token{{}}) {{\n            indexing: attribute\n        }}\n        field {field}_wand type weightedset<string> {{\n            indexing: attribute\n            attribute: fast-search\n            match: cased\n            dictionary {{\n                btree\n                cased\n            }}\n        }}\n    }}\n    document-summary ids {{\n        summary doc_id {{}}\n    }}\n    rank-profile {field} {{\n        inputs {{\n            query(q) tensor<float>(token{{}})\n        }}\n        first-phase {{\n            expression: sum(query(q) * attribute({field}))\n        }}\n    }}\n    rank-profile {field}_wand {{\n        first-phase {{\n            expression: rawScore({field}_wand)\n        }}\n    }}\n}}\n"
        )
        .as_bytes(),
    )?;
    files.push(schema.finish()?);
    let mut services = OutFile::create(out.dir, "app/services.xml")?;
    services.put(
        format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\" ?>\n<services version=\"1.0\">\n  <container id=\"default\" version=\"1.0\">\n    <search/>\n    <document-api/>\n  </container>\n  <content id=\"{name}\" version=\"1.0\">\n    <redundancy>1</redundancy>\n    <documents>\n      <document type=\"{name}\" mode=\"index\"/>\n    </documents>\n    <nodes>\n      <node hostalias=\"node1\" distribution-key=\"0\"/>\n    </nodes>\n  </content>\n</services>\n"
        )
        .as_bytes(),
    )?;
    files.push(services.finish()?);
    let mut feed = OutFile::create(out.dir, "feed.jsonl")?;
    let mut zeroed = 0usize;
    out.each_doc(|id, _, v| {
        let wand = weight_map(v.iter().filter_map(|(t, w)| {
            let i = impact(w, o.impact_scale);
            zeroed += usize::from(i == 0.0);
            (i > 0.0).then(|| (Cow::Borrowed(out.vocab.token(t)), json!(i as i64)))
        }));
        feed.json_line(&json!({
            "put": format!("id:{name}:{name}::{id}"),
            "fields": {"doc_id": id, field: out.token_map(v), format!("{field}_wand"): wand}
        }))
    })?;
    files.push(feed.finish()?);
    if zeroed > 0 {
        notes.push(format!(
            "{zeroed} document weights round to an impact of 0 at scale {} and are left out of \
             {field}_wand (the tensor keeps them)",
            o.impact_scale
        ));
    }
    let mut q = OutFile::create(out.dir, "queries.jsonl")?;
    for (_, v) in out.queries {
        q.json_line(&json!({
            "yql": format!("select doc_id from {name} where true"),
            "ranking": field,
            "summary": "ids",
            "input.query(q)": tensor_literal(out, v),
            "hits": o.k,
        }))?;
    }
    files.push(q.finish()?);
    files.push(out.query_ids()?);
    Ok(files)
}

/// A mapped tensor literal `{'tok':0.5,'##ing':0.25}` (labels quoted, `'` and `\` escaped).
fn tensor_literal(out: &Out, v: &SparseVector) -> String {
    let cells: Vec<String> = v
        .iter()
        .map(|(t, w)| {
            let label = out
                .vocab
                .token(t)
                .replace('\\', "\\\\")
                .replace('\'', "\\'");
            format!("'{label}':{}", f64::from(w))
        })
        .collect();
    format!("{{{}}}", cells.join(","))
}

/// Anserini: `corpus/docs.jsonl` in `JsonVectorCollection` form with integer impacts
/// `round(w · S)` (impacts of 0 left out), and `queries.tsv` (`qid<TAB>tokens`, each token
/// repeated by its integer weight) for `-topicReader TsvString -impact -pretokenized`.
pub fn anserini(out: &Out, notes: &mut Vec<String>) -> Result<Vec<String>> {
    let s = out.options.impact_scale;
    let mut files = Vec::new();
    let mut f = OutFile::create(out.dir, "corpus/docs.jsonl")?;
    let mut zeroed = 0usize;
    out.each_doc(|id, text, v| {
        let map = weight_map(v.iter().filter_map(|(t, w)| {
            let i = impact(w, s);
            zeroed += usize::from(i == 0.0);
            (i > 0.0).then(|| (Cow::Borrowed(out.vocab.token(t)), json!(i as i64)))
        }));
        f.json_line(&json!({"id": id, "contents": text, "vector": map}))
    })?;
    files.push(f.finish()?);
    if zeroed > 0 {
        notes.push(format!(
            "{zeroed} document weights round to an impact of 0 at scale {s}: Anserini has no \
             posting for them (splade@anserini scores them 0 too)"
        ));
    }
    let mut q = OutFile::create(out.dir, "queries.tsv")?;
    for (id, v) in out.queries {
        if id.contains(['\t', '\n']) {
            return Err(ExportError::Invalid(format!(
                "query id {id:?} holds a tab or newline: it cannot go in a TSV topic file"
            )));
        }
        let mut line = format!("{id}\t");
        for (t, w) in v.iter() {
            for _ in 0..impact(w, s) as u64 {
                line.push_str(out.vocab.token(t));
                line.push(' ');
            }
        }
        // The tab stays even when no token is left: Anserini reads the second column.
        q.put(line.trim_end_matches(' ').as_bytes())?;
        q.put(b"\n")?;
    }
    files.push(q.finish()?);
    Ok(files)
}

/// Seismic: `docs.jsonl` and `queries.jsonl` (`{"id", "content", "vector"}`).
pub fn seismic(out: &Out) -> Result<Vec<String>> {
    let mut f = OutFile::create(out.dir, "docs.jsonl")?;
    out.each_doc(|id, text, v| {
        f.json_line(&json!({"id": id, "content": text, "vector": out.token_map(v)}))
    })?;
    let mut files = vec![f.finish()?];
    let mut q = OutFile::create(out.dir, "queries.jsonl")?;
    for (id, v) in out.queries {
        q.json_line(&json!({"id": id, "content": "", "vector": out.token_map(v)}))?;
    }
    files.push(q.finish()?);
    Ok(files)
}
