//! `spladescope export` for every engine on the demo index: each file holds the index's
//! exact vectors in the engine's form, every request body uses only the fields the engine's
//! documentation defines (Elasticsearch, OpenSearch and Vespa servers do not run here), and
//! what comes back (CIFF, engine JSON results) reads back, with clear errors when malformed.

#[path = "common/cli.rs"]
mod cli;
mod common;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use serde_json::Value;
use spladescope::encoder::SparseEncoder;
use spladescope::export::decode_token;
use spladescope::index::Index;
use spladescope::profile::codec::{impact, LinearQuantizer};
use spladescope::profile::ProfileStats;
use spladescope::sparse::SparseVector;

use cli::{spladescope, text};

struct Demo {
    dir: PathBuf,
    index: Index,
    encoder: SparseEncoder,
    queries: PathBuf,
}

fn demo() -> Option<Demo> {
    let tmp = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/tmp");
    let dir = common::cached::demo_index(&tmp, "splade-tiny")?;
    Some(Demo {
        index: Index::open(&dir).unwrap(),
        encoder: common::cached::encoder("splade-tiny", 512)?,
        dir,
        queries: Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo/queries.jsonl"),
    })
}

/// Runs `export --to target` with `extra` arguments into `out`; its stderr.
fn export(d: &Demo, target: &str, out: &Path, extra: &[&str]) -> String {
    let o = spladescope()
        .arg("export")
        .arg(&d.dir)
        .args(["--to", target, "--queries"])
        .arg(&d.queries)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .unwrap();
    assert!(o.status.success(), "{target}: {}", text(&o.stderr));
    text(&o.stderr)
}

fn lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The object's keys are among `allowed` (the fields the engine's documentation defines).
fn keys_within(v: &Value, allowed: &[&str], what: &str) {
    let obj = v
        .as_object()
        .unwrap_or_else(|| panic!("{what}: not an object: {v}"));
    for k in obj.keys() {
        assert!(
            allowed.contains(&k.as_str()),
            "{what}: {k:?} is not one of {allowed:?}"
        );
    }
}

/// A `{token: weight}` map read back as a vector (tokens `decode`d first).
fn vector_of(map: &Value, encoder: &SparseEncoder, decode: bool) -> SparseVector {
    SparseVector::from_pairs(
        map.as_object()
            .unwrap()
            .iter()
            .map(|(k, w)| {
                let token = if decode {
                    decode_token(k).into_owned()
                } else {
                    k.clone()
                };
                let id = encoder
                    .token_id(&token)
                    .unwrap_or_else(|| panic!("{token}"));
                (id, w.as_f64().unwrap() as f32)
            })
            .collect(),
    )
}

/// The demo queries encoded as the export encodes them.
fn query_vectors(d: &Demo) -> Vec<(String, SparseVector)> {
    let queries = spladescope::eval::read_queries(&d.queries).unwrap().queries;
    let texts: Vec<&str> = queries.iter().map(|q| q.text.as_str()).collect();
    let encoded = d.encoder.encode_queries(&texts).unwrap();
    queries
        .iter()
        .zip(encoded)
        .map(|(q, e)| (q.id.clone(), e.vector))
        .collect()
}

#[test]
fn elasticsearch_and_opensearch_files_hold_the_exact_vectors_in_documented_bodies() {
    let Some(d) = demo() else { return };
    let t = tempfile::tempdir().unwrap();
    let queries = query_vectors(&d);
    for (target, extra) in [
        ("elasticsearch", vec!["--prune", "7:0.3"]),
        ("opensearch", vec!["--two-phase", "0.5:4:5000"]),
    ] {
        let out = t.path().join(target);
        export(&d, target, &out, &extra);
        let mapping = json(&out.join("mapping.json"));
        keys_within(&mapping, &["settings", "mappings"], "mapping");
        assert_eq!(mapping["settings"]["number_of_shards"], 1);
        let field_type = if target == "elasticsearch" {
            "sparse_vector"
        } else {
            "rank_features"
        };
        assert_eq!(
            mapping["mappings"]["properties"]["splade"]["type"],
            field_type
        );
        // Bulk: an index action and a document per line pair, in index order.
        let bulk = lines(&out.join("docs.ndjson"));
        assert_eq!(bulk.len(), 2 * d.index.len());
        for (n, pair) in bulk.chunks(2).enumerate() {
            keys_within(&pair[0], &["index"], "bulk action");
            keys_within(&pair[0]["index"], &["_index", "_id"], "bulk action");
            assert_eq!(pair[0]["index"]["_id"], d.index.doc(n as u32).unwrap().id);
            let map = &pair[1]["splade"];
            assert!(map.as_object().unwrap().keys().all(|k| !k.contains('.')));
            let v = vector_of(map, &d.encoder, true);
            assert_eq!(v, d.index.vector(n as u32).unwrap(), "document {n}");
        }
        // msearch: a header and a body per query, bodies with the documented fields.
        let ms = lines(&out.join("queries.ndjson"));
        let ids: Vec<String> = std::fs::read_to_string(out.join("query-ids.txt"))
            .unwrap()
            .lines()
            .map(String::from)
            .collect();
        assert_eq!((ms.len(), ids.len()), (2 * queries.len(), queries.len()));
        for ((pair, id), (qid, qv)) in ms.chunks(2).zip(&ids).zip(&queries) {
            assert_eq!(id, qid);
            keys_within(
                &pair[0],
                &["index", "preference", "routing", "search_type"],
                "header",
            );
            keys_within(
                &pair[1],
                &["size", "_source", "track_total_hits", "query"],
                "body",
            );
            assert_eq!(pair[1]["size"], 1000);
            let q = &pair[1]["query"];
            if target == "elasticsearch" {
                let sv = &q["sparse_vector"];
                keys_within(
                    sv,
                    &[
                        "field",
                        "query_vector",
                        "inference_id",
                        "query",
                        "prune",
                        "pruning_config",
                        "boost",
                        "_name",
                    ],
                    "sparse_vector",
                );
                assert_eq!(
                    (&sv["field"], &sv["prune"]),
                    (&Value::from("splade"), &Value::from(true))
                );
                let pc = &sv["pruning_config"];
                keys_within(
                    pc,
                    &[
                        "tokens_freq_ratio_threshold",
                        "tokens_weight_threshold",
                        "only_score_pruned_tokens",
                    ],
                    "pruning_config",
                );
                assert_eq!(pc["tokens_freq_ratio_threshold"], 7);
                assert_eq!(pc["tokens_weight_threshold"].as_f64().unwrap() as f32, 0.3);
                assert_eq!(vector_of(&sv["query_vector"], &d.encoder, true), *qv);
            } else {
                let ns = &q["neural_sparse"]["splade"];
                keys_within(
                    ns,
                    &[
                        "query_tokens",
                        "query_text",
                        "model_id",
                        "analyzer",
                        "boost",
                        "_name",
                    ],
                    "neural_sparse",
                );
                let v = vector_of(&ns["query_tokens"], &d.encoder, true);
                assert!(v.weights.iter().all(|&w| w > 0.0 && w <= 64.0));
                assert_eq!(v, *qv);
            }
        }
        if target == "opensearch" {
            let p = json(&out.join("pipeline.json"));
            let proc = &p["request_processors"][0]["neural_sparse_two_phase_processor"];
            keys_within(
                proc,
                &["enabled", "two_phase_parameter", "tag", "description"],
                "processor",
            );
            keys_within(
                &proc["two_phase_parameter"],
                &[
                    "prune_type",
                    "prune_ratio",
                    "expansion_rate",
                    "max_window_size",
                ],
                "two_phase_parameter",
            );
            assert_eq!(proc["two_phase_parameter"]["max_window_size"], 5000);
        }
        let readme = std::fs::read_to_string(out.join("README.md")).unwrap();
        assert!(
            readme.contains("_msearch") && readme.contains("splade@"),
            "{readme}"
        );
    }
}

#[test]
fn qdrant_vespa_anserini_and_seismic_files_hold_the_exact_vectors() {
    let Some(d) = demo() else { return };
    let t = tempfile::tempdir().unwrap();
    let queries = query_vectors(&d);
    let n = d.index.len();
    // Qdrant: term ids and exact weights, batches of 1,000, one batch query body.
    let q = t.path().join("qdrant");
    export(&d, "qdrant", &q, &["--datatype", "uint8"]);
    let c = json(&q.join("collection.json"));
    keys_within(
        &c,
        &[
            "vectors",
            "sparse_vectors",
            "shard_number",
            "optimizers_config",
            "on_disk_payload",
        ],
        "collection",
    );
    keys_within(
        &c["sparse_vectors"]["splade"],
        &["index", "modifier"],
        "sparse vector params",
    );
    keys_within(
        &c["sparse_vectors"]["splade"]["index"],
        &["datatype", "on_disk", "full_scan_threshold"],
        "sparse index",
    );
    assert_eq!(c["sparse_vectors"]["splade"]["index"]["datatype"], "uint8");
    let mut points = Vec::new();
    for entry in std::fs::read_dir(q.join("points")).unwrap() {
        let batch = json(&entry.unwrap().path());
        keys_within(&batch, &["points"], "upsert");
        points.extend(batch["points"].as_array().unwrap().clone());
    }
    assert_eq!(points.len(), n);
    for p in &points {
        keys_within(p, &["id", "vector", "payload"], "point");
        let doc = p["id"].as_u64().unwrap() as u32;
        assert_eq!(p["payload"]["doc_id"], d.index.doc(doc).unwrap().id);
        let sv = &p["vector"]["splade"];
        keys_within(sv, &["indices", "values"], "sparse vector");
        let ids: Vec<u32> = serde_json::from_value(sv["indices"].clone()).unwrap();
        let values: Vec<f32> = sv["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap() as f32)
            .collect();
        assert_eq!(
            SparseVector {
                ids,
                weights: values
            },
            d.index.vector(doc).unwrap()
        );
    }
    let searches = json(&q.join("queries.json"));
    let searches = searches["searches"].as_array().unwrap();
    assert_eq!(searches.len(), queries.len());
    for (s, (_, qv)) in searches.iter().zip(&queries) {
        keys_within(
            s,
            &[
                "query",
                "using",
                "limit",
                "with_payload",
                "filter",
                "params",
            ],
            "query request",
        );
        assert_eq!(
            s["query"]["indices"],
            serde_json::to_value(&qv.ids).unwrap()
        );
    }

    // Vespa: put ids, the tensor as given, integer impacts for wand, documented query keys.
    let v = t.path().join("vespa");
    export(&d, "vespa", &v, &[]);
    let schema = std::fs::read_to_string(v.join("app/schemas/splade.sd")).unwrap();
    for needle in [
        "field splade type tensor<float>(token{})",
        "field splade_wand type weightedset<string>",
        "query(q) tensor<float>(token{})",
        "expression: sum(query(q) * attribute(splade))",
    ] {
        assert!(schema.contains(needle), "{needle}\n{schema}");
    }
    assert!(std::fs::read_to_string(v.join("app/services.xml"))
        .unwrap()
        .contains("<document type=\"splade\""));
    let feed = lines(&v.join("feed.jsonl"));
    assert_eq!(feed.len(), n);
    for (i, f) in feed.iter().enumerate() {
        keys_within(
            f,
            &["put", "fields", "condition", "create"],
            "feed operation",
        );
        let id = d.index.doc(i as u32).unwrap().id.to_string();
        assert_eq!(f["put"], format!("id:splade:splade::{id}"));
        let exact = d.index.vector(i as u32).unwrap();
        assert_eq!(vector_of(&f["fields"]["splade"], &d.encoder, false), exact);
        for (token, w) in f["fields"]["splade_wand"].as_object().unwrap() {
            let t = d.encoder.token_id(token).unwrap();
            assert_eq!(w.as_i64().unwrap() as f32, impact(exact.get(t), 100.0));
        }
    }
    for body in lines(&v.join("queries.jsonl")) {
        keys_within(
            &body,
            &["yql", "ranking", "summary", "input.query(q)", "hits"],
            "query body",
        );
        let tensor = body["input.query(q)"].as_str().unwrap();
        assert!(
            tensor.starts_with("{'") && tensor.ends_with('}'),
            "{tensor}"
        );
    }

    // Anserini: integer impacts, each query token repeated by its integer weight.
    let a = t.path().join("anserini");
    let note = export(&d, "anserini", &a, &[]);
    let docs = lines(&a.join("corpus/docs.jsonl"));
    let mut zeroed = 0;
    for (i, doc) in docs.iter().enumerate() {
        let exact = d.index.vector(i as u32).unwrap();
        let map = doc["vector"].as_object().unwrap();
        for (t, w) in exact.iter() {
            let i = impact(w, 100.0);
            match map.get(d.encoder.token(t)) {
                Some(v) => assert_eq!(v.as_i64().unwrap() as f32, i),
                None => {
                    assert_eq!(i, 0.0);
                    zeroed += 1;
                }
            }
        }
    }
    if zeroed > 0 {
        assert!(
            note.contains(&format!(
                "{zeroed} document weights round to an impact of 0"
            )),
            "{note}"
        );
    }
    let tsv = std::fs::read_to_string(a.join("queries.tsv")).unwrap();
    for (line, (qid, qv)) in tsv.lines().zip(&queries) {
        let (id, tokens) = line.split_once('\t').unwrap();
        assert_eq!(id, qid);
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for t in tokens.split(' ') {
            *counts.entry(t).or_default() += 1;
        }
        for (t, w) in qv.iter() {
            let c = counts.get(d.encoder.token(t)).copied().unwrap_or(0);
            assert_eq!(c as f32, impact(w, 100.0));
        }
    }

    // Seismic: the vectors as given.
    let s = t.path().join("seismic");
    export(&d, "seismic", &s, &[]);
    for (i, doc) in lines(&s.join("docs.jsonl")).iter().enumerate() {
        keys_within(doc, &["id", "content", "vector"], "seismic document");
        assert_eq!(
            vector_of(&doc["vector"], &d.encoder, false),
            d.index.vector(i as u32).unwrap()
        );
    }
}

#[test]
fn ciff_holds_pisa_impacts_and_imports_back() {
    let Some(d) = demo() else { return };
    let t = tempfile::tempdir().unwrap();
    let c = t.path().join("ciff");
    export(&d, "ciff", &c, &[]);
    let docs = spladescope::export::read_ciff(&c.join("index.ciff")).unwrap();
    let stats = ProfileStats::of(&d.index);
    let q = LinearQuantizer::new(stats.max_weight, 8);
    assert_eq!(docs.ids.len(), d.index.len());
    // Terms in byte order, each document's impacts PISA's codes of its weights.
    assert!(docs
        .terms
        .windows(2)
        .all(|w| w[0].as_bytes() < w[1].as_bytes()));
    for (n, postings) in docs.postings.iter().enumerate() {
        let exact = d.index.vector(n as u32).unwrap();
        let got: BTreeSet<(u32, u32)> = postings
            .iter()
            .map(|&(t, tf)| (d.encoder.token_id(&docs.terms[t as usize]).unwrap(), tf))
            .collect();
        let want: BTreeSet<(u32, u32)> = exact.iter().map(|(t, w)| (t, q.code(w))).collect();
        assert_eq!(got, want, "document {n}");
        assert_eq!(docs.ids[n], d.index.doc(n as u32).unwrap().id);
    }
    // The query file: `qid: tok tok …`, the heaviest token 32 times.
    let file = std::fs::read_to_string(c.join("queries.txt")).unwrap();
    for line in file.lines() {
        let (_, toks) = line.split_once(':').unwrap();
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for t in toks.split_whitespace() {
            *counts.entry(t).or_default() += 1;
        }
        assert_eq!(counts.values().max(), Some(&32), "{line}");
    }
    // Back into an index: the impacts are its weights, and its SPLADE ranks as splade@pisa.
    let back = t.path().join("back.idx");
    let o = spladescope()
        .arg("index")
        .arg("--vectors")
        .arg(c.join("index.ciff"))
        .arg("--corpus")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo/corpus.jsonl"))
        .arg("--out")
        .arg(&back)
        .arg("--model")
        .arg(common::splade_tiny().unwrap())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    let imported = Index::open(&back).unwrap();
    for n in 0..imported.len() as u32 {
        let exact = d.index.vector(n).unwrap();
        let codes =
            SparseVector::from_pairs(exact.iter().map(|(t, w)| (t, q.code(w) as f32)).collect());
        assert_eq!(imported.vector(n).unwrap(), codes);
    }
}

/// Protobuf bytes of a CIFF file: a header, postings lists `(term, [(docid gap, tf)])`,
/// document records.
fn ciff_bytes(lists: &[(&str, &[(u64, u64)])], docs: &[&str], df_extra: u64) -> Vec<u8> {
    fn varint(out: &mut Vec<u8>, mut v: u64) {
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }
    fn field(out: &mut Vec<u8>, f: u64, v: u64) {
        varint(out, f << 3);
        varint(out, v);
    }
    fn bytes(out: &mut Vec<u8>, f: u64, b: &[u8]) {
        varint(out, (f << 3) | 2);
        varint(out, b.len() as u64);
        out.extend_from_slice(b);
    }
    let mut file = Vec::new();
    let mut put = |msg: Vec<u8>| {
        varint(&mut file, msg.len() as u64);
        file.extend(msg);
    };
    let mut h = Vec::new();
    field(&mut h, 1, 1);
    field(&mut h, 2, lists.len() as u64);
    field(&mut h, 3, docs.len() as u64);
    put(h);
    for (term, postings) in lists {
        let mut m = Vec::new();
        bytes(&mut m, 1, term.as_bytes());
        field(&mut m, 2, postings.len() as u64 + df_extra);
        for &(gap, tf) in *postings {
            let mut p = Vec::new();
            field(&mut p, 1, gap);
            field(&mut p, 2, tf);
            bytes(&mut m, 4, &p);
        }
        put(m);
    }
    for (i, id) in docs.iter().enumerate() {
        let mut m = Vec::new();
        field(&mut m, 1, i as u64);
        bytes(&mut m, 2, id.as_bytes());
        put(m);
    }
    file
}

#[test]
fn malformed_ciff_files_name_the_file_the_place_and_the_problem() {
    let Some(model) = common::splade_tiny() else {
        return;
    };
    let t = tempfile::tempdir().unwrap();
    let good: &[(u64, u64)] = &[(0, 5), (1, 3)];
    let full = ciff_bytes(&[("reset", good)], &["a", "b"], 0);
    for (name, bytes, why) in [
        (
            "truncated.ciff",
            full[..full.len() - 3].to_vec(),
            "document record 2",
        ),
        (
            "unknown.ciff",
            ciff_bytes(&[("notawordpiece§", good)], &["a", "b"], 0),
            "(\"notawordpiece§\"): not a token",
        ),
        (
            "df.ciff",
            ciff_bytes(&[("reset", good)], &["a", "b"], 1),
            "df is 3 but the list holds 2 postings",
        ),
        (
            "past.ciff",
            ciff_bytes(&[("reset", &[(0, 1), (5, 1)])], &["a", "b"], 0),
            "document 5 is past",
        ),
        (
            "twice.ciff",
            ciff_bytes(&[("reset", &[(1, 1), (0, 1)])], &["a", "b"], 0),
            "listed twice",
        ),
        (
            "dup.ciff",
            ciff_bytes(&[("reset", good)], &["a", "a"], 0),
            "dup.ciff:2: duplicate document id \"a\"",
        ),
    ] {
        let path = t.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let o = spladescope()
            .arg("index")
            .arg("--vectors")
            .arg(&path)
            .arg("--out")
            .arg(t.path().join(format!("{name}.idx")))
            .arg("--model")
            .arg(&model)
            .output()
            .unwrap();
        assert!(!o.status.success(), "{name}");
        let err = text(&o.stderr);
        assert!(err.contains(name) && err.contains(why), "{name}: {err}");
        assert!(
            !t.path().join(format!("{name}.idx")).exists(),
            "{name}: an index was left"
        );
    }
}

#[test]
fn engine_results_come_back_as_runs_and_bad_ones_are_clear_errors() {
    let Some(d) = demo() else { return };
    let t = tempfile::tempdir().unwrap();
    let qrels = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo/qrels/test.tsv");
    // An _msearch response built from the profile's own hits: evaluated as a run it gives
    // the profile's metrics.
    let profile = "splade@elasticsearch:prune";
    let o = spladescope()
        .arg("retrieve")
        .arg(&d.dir)
        .arg("--queries")
        .arg(&d.queries)
        .args(["--system", profile, "-k", "10", "--run-out"])
        .arg(t.path().join("profile.trec"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    let run =
        spladescope::eval::read_run(t.path().join("profile.trec"), &Default::default()).unwrap();
    let queries = spladescope::eval::read_queries(&d.queries).unwrap().queries;
    let mut responses = Vec::new();
    let mut ids = String::new();
    for q in &queries {
        let hits: Vec<Value> = run
            .run
            .get(&q.id)
            .unwrap_or_default()
            .iter()
            .map(|h| serde_json::json!({"_index": "splade", "_id": h.docid, "_score": h.score}))
            .collect();
        responses.push(serde_json::json!({"took": 1, "hits": {"hits": hits}, "status": 200}));
        ids.push_str(&format!("{}\n", q.id));
    }
    let results = t.path().join("msearch.json");
    std::fs::write(
        &results,
        serde_json::json!({"responses": responses}).to_string(),
    )
    .unwrap();
    std::fs::write(t.path().join("query-ids.txt"), ids).unwrap();
    let eval = |system: &str| {
        cli::json_of(
            spladescope()
                .arg("eval")
                .arg(&d.dir)
                .arg("--queries")
                .arg(&d.queries)
                .arg("--qrels")
                .arg(&qrels)
                .args(["--system", system, "--json", "-k", "10"]),
        )
    };
    let from_engine = eval(&format!("run:es={}", results.display()));
    let local = eval(profile);
    let ndcg = |v: &Value| v["systems"][0]["metrics"]["nDCG@10"].as_f64();
    assert!(ndcg(&local).is_some(), "{local}");
    assert_eq!(ndcg(&from_engine), ndcg(&local));

    // A failed item, a missing id file, bad JSON: file, line and problem.
    let bad = t.path().join("bad");
    std::fs::create_dir(&bad).unwrap();
    std::fs::write(bad.join("query-ids.txt"), "q01\n").unwrap();
    for (body, why) in [
        (
            "{\"responses\":[{\"error\":{\"reason\":\"no such index\"},\"status\":404}]}",
            "responses[0] is an error",
        ),
        (
            "{\"responses\":[{\"hits\":{\"hits\":[{\"_id\":\"kb-0001\"}]}}]}",
            "no numeric _score",
        ),
        ("{\"responses\": [\n{\"hits\": ]}", ":2:"),
    ] {
        let path = bad.join("r.json");
        std::fs::write(&path, body).unwrap();
        let o = spladescope()
            .arg("eval")
            .arg(&d.dir)
            .arg("--queries")
            .arg(&d.queries)
            .arg("--qrels")
            .arg(&qrels)
            .arg("--system")
            .arg(format!("run:x={}", path.display()))
            .output()
            .unwrap();
        assert!(!o.status.success());
        let err = text(&o.stderr);
        assert!(err.contains("r.json") && err.contains(why), "{why}: {err}");
    }
}

#[test]
fn export_refuses_what_would_be_wrong() {
    let Some(d) = demo() else { return };
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("es");
    export(&d, "elasticsearch", &out, &[]);
    for (args, why) in [
        (vec!["--to", "elasticsearch"], "exists; pass --force"),
        (
            vec!["--to", "qdrant", "--prune"],
            "--prune is an Elasticsearch option",
        ),
        (
            vec!["--to", "elasticsearch", "--name", "My.Index", "--force"],
            "--name",
        ),
        (vec!["--to", "ciff", "--bits", "12", "--force"], "8 bits"),
        (vec!["--to", "ciff", "--bits", "0", "--force"], "bits \"0\""),
        (
            vec!["--to", "anserini", "--impact-scale", "0.5", "--force"],
            "impact scale",
        ),
        (
            vec!["--to", "elasticsearch", "--prune", "0:0.4", "--force"],
            "tokens_freq_ratio_threshold",
        ),
    ] {
        let o = spladescope()
            .arg("export")
            .arg(&d.dir)
            .args(&args)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        assert!(!o.status.success(), "{args:?}");
        let err = text(&o.stderr);
        assert!(err.contains(why), "{args:?}: {err}");
    }
    // --force replaces an earlier export only: never the index, never another directory.
    let other = t.path().join("notes");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("mine.txt"), "keep me").unwrap();
    for (target, why) in [
        (other.as_path(), "not an earlier export"),
        (d.dir.as_path(), "is or holds the index"),
        (d.dir.parent().unwrap(), "is or holds the index"),
    ] {
        let o = spladescope()
            .arg("export")
            .arg(&d.dir)
            .args(["--to", "seismic", "--force", "--out"])
            .arg(target)
            .output()
            .unwrap();
        assert!(!o.status.success(), "{}", target.display());
        let err = text(&o.stderr);
        assert!(err.contains(why), "{}: {err}", target.display());
    }
    assert_eq!(
        std::fs::read_to_string(other.join("mine.txt")).unwrap(),
        "keep me"
    );
    assert!(Index::open(&d.dir).is_ok());
    std::fs::remove_dir_all(&other).unwrap();
    // The engine refuses a two-phase window above max_window_size: so do the profile and
    // the export.
    let o = spladescope()
        .arg("search")
        .arg(&d.dir)
        .args([
            "reset my login",
            "--system",
            "splade@opensearch:two-phase:0.4:5:50",
            "-k",
            "20",
        ])
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(
        text(&o.stderr).contains("above max_window_size 50"),
        "{}",
        text(&o.stderr)
    );
    // The refused exports left the first one whole, and nothing beside it.
    assert!(out.join("docs.ndjson").exists());
    let left: Vec<String> = std::fs::read_dir(t.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["es"]);
}
