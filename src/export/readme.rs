//! The README each export carries: what the files are and the commands that load them into
//! the engine, run the queries and bring the results back.

use super::engines::Out;
use super::write::OutFile;
use super::{ExportSummary, Result, Target};

/// Writes `README.md` into the export.
pub fn write(out: &Out, target: Target, summary: &ExportSummary) -> Result<()> {
    let o = out.options;
    let (name, field, k) = (&o.name, &o.field, o.k);
    let profile = summary
        .profile
        .as_deref()
        .map(|p| {
            format!(
                "\nThe engine's scores are what `spladescope search INDEX QUERY --system {p}` \
                 computes: compare them side by side with `--system splade --system {p}`.\n"
            )
        })
        .unwrap_or_default();
    let body = match target {
        Target::Elasticsearch => format!(
            "Files: `mapping.json` (one shard, `{field}` as `sparse_vector`), `docs.ndjson` (bulk), \
`queries.ndjson` (msearch: one header and one `sparse_vector` query per query, in the order of \
`query-ids.txt`).

Tokens are percent-encoded (`.` → `%2E`, `%` → `%25`): Elasticsearch 8.11–8.15 refuses dots in \
feature names. Queries say `\"prune\": {prune}` explicitly, since indices made by 8.19+/9.1+ prune \
by default.

```sh
U=http://localhost:9200
curl -s -XPUT \"$U/{name}\" -H 'Content-Type: application/json' --data-binary @mapping.json
split -l 2000 docs.ndjson bulk-    # an even number of lines: action + document
for f in bulk-*; do curl -s -XPOST \"$U/_bulk\" -H 'Content-Type: application/x-ndjson' --data-binary @$f | grep -q '\"errors\":false' || echo \"errors in $f\"; done
curl -s -XPOST \"$U/{name}/_forcemerge?max_num_segments=1\"   # one segment: Lucene doc ids in load order
curl -s -XPOST \"$U/{name}/_refresh\"
curl -s -XPOST \"$U/{name}/_msearch\" -H 'Content-Type: application/x-ndjson' --data-binary @queries.ndjson > msearch.json
spladescope eval INDEX --beir BEIR_DIR --system splade --system run:es=msearch.json   # msearch output read as a run (ids from query-ids.txt)
```
",
            prune = o.pruning.is_some()
        ),
        Target::Opensearch => format!(
            "Files: `mapping.json` (one shard, `{field}` as `rank_features`), `docs.ndjson` (bulk), \
`queries.ndjson` (msearch of `neural_sparse` queries with `query_tokens`, in the order of \
`query-ids.txt`){pipeline}.

Tokens are percent-encoded as for Elasticsearch (`.` → `%2E`, `%` → `%25`).

```sh
U=http://localhost:9200
curl -s -XPUT \"$U/{name}\" -H 'Content-Type: application/json' --data-binary @mapping.json
split -l 2000 docs.ndjson bulk-
for f in bulk-*; do curl -s -XPOST \"$U/_bulk\" -H 'Content-Type: application/x-ndjson' --data-binary @$f | grep -q '\"errors\":false' || echo \"errors in $f\"; done
curl -s -XPOST \"$U/{name}/_forcemerge?max_num_segments=1\"
curl -s -XPOST \"$U/{name}/_refresh\"
{pipeline_cmd}curl -s -XPOST \"$U/{name}/_msearch{pipeline_arg}\" -H 'Content-Type: application/x-ndjson' --data-binary @queries.ndjson > msearch.json
spladescope eval INDEX --beir BEIR_DIR --system splade --system run:os=msearch.json
```
",
            pipeline = if o.two_phase.is_some() {
                ", `pipeline.json` (the `neural_sparse_two_phase_processor` search pipeline)"
            } else {
                ""
            },
            pipeline_cmd = if o.two_phase.is_some() {
                format!(
                    "curl -s -XPUT \"$U/_search/pipeline/{name}-two-phase\" -H 'Content-Type: application/json' --data-binary @pipeline.json\n"
                )
            } else {
                String::new()
            },
            pipeline_arg = if o.two_phase.is_some() {
                format!("?search_pipeline={name}-two-phase")
            } else {
                String::new()
            },
        ),
        Target::Qdrant => format!(
            "Files: `collection.json` (a sparse vector `{field}`, datatype as exported, one segment \
indexed at once so that stored values are quantised), `points/*.json` (upserts of 1,000 points: \
`id` = document number, `payload.doc_id` = the document id, `indices` = vocabulary ids), \
`queries.json` (one `/points/query/batch` body, in the order of `query-ids.txt`).

```sh
U=http://localhost:6333
curl -s -XPUT \"$U/collections/{name}\" -H 'Content-Type: application/json' --data-binary @collection.json
for f in points/*.json; do curl -s -XPUT \"$U/collections/{name}/points?wait=true\" -H 'Content-Type: application/json' --data-binary @$f > /dev/null; done
curl -s \"$U/collections/{name}\"   # wait for \"status\":\"green\" (segments optimised, values quantised)
curl -s -XPOST \"$U/collections/{name}/points/query/batch\" -H 'Content-Type: application/json' --data-binary @queries.json > results.json
```

Python (`qdrant-client`): `QdrantClient(url=...)`, then `create_collection` with the same \
`sparse_vectors_config`, `upsert` each batch, `query_batch_points`. Its local mode \
(`QdrantClient(\":memory:\")`) ignores `datatype` and scores exact floats.
"
        ),
        Target::Vespa => format!(
            "Files: `app/` (application package: schema `{name}` with `{field}` as \
`tensor<float>(token{{}})` and `{field}_wand` as `weightedset<string>` of integer impacts \
round(w·{scale})), `feed.jsonl`, `queries.jsonl` (one query body per line, rank profile `{field}`: \
`sum(query(q) * attribute({field}))`, in the order of `query-ids.txt`).

Vespa multiplies in `float` and adds in `double`, so its relevance differs from the exact SPLADE \
score (added in `float`) only in the last bits. For `wand`, replace the body's `yql` with \
`select doc_id from {name} where ({{targetHits:{k}}}wand({field}_wand, @tokens))`, \
`ranking` with `{field}_wand`, and pass the tokens with integer weights in `tokens`.

```sh
vespa deploy app --wait 300
vespa feed feed.jsonl
while read -r body; do curl -s -XPOST http://localhost:8080/search/ -H 'Content-Type: application/json' -d \"$body\"; echo; done < queries.jsonl > results.jsonl
```
",
            scale = o.impact_scale
        ),
        Target::Anserini => format!(
            "Files: `corpus/docs.jsonl` (`JsonVectorCollection`: integer impacts round(w·{s}); a \
weight that rounds to 0 has no posting), `queries.tsv` (`qid<TAB>tokens`, each token repeated by \
round(q·{s})).

```sh
# Anserini (Java 21); or python -m pyserini.index.lucene with the same options
bin/run.sh io.anserini.index.IndexCollection -collection JsonVectorCollection \\
  -input corpus -index lucene-index -generator DefaultLuceneDocumentGenerator \\
  -impact -pretokenized -threads 1
bin/run.sh io.anserini.search.SearchCollection -index lucene-index -topics queries.tsv \\
  -topicReader TsvString -output run.anserini.txt -impact -pretokenized -hits {k}
spladescope index --vectors corpus/docs.jsonl --impact-scale {s} --out INDEX --model MODEL   # back into spladescope
```

Anserini rounds run scores to 4 decimals and orders tied scores by document id (string order): \
compare with `splade@anserini:{s}` up to ties.
",
            s = o.impact_scale
        ),
        Target::Ciff => format!(
            "Files: `index.ciff` (CIFF v1: document weights quantised with PISA's linear \
quantisation to {bits} bits against the largest weight), `queries.txt` (`qid: tok tok …`, each \
token repeated by its integer weight ⌈q·{m}/max q⌉), `queries.jsonl` (`{{\"qid\", \"query_toks\"}}`).

```sh
# PISA
ciff2pisa --ciff-file index.ciff --output pisa/index
compress_inverted_index --encoding block_simdbp --collection pisa/index --output pisa/index.simdbp
create_wand_data --collection pisa/index --output pisa/index.wand --scorer quantized
lexicon build pisa/index.terms pisa/index.termlex
lexicon build pisa/index.documents pisa/index.doclex
evaluate_queries --encoding block_simdbp --index pisa/index.simdbp --wand pisa/index.wand \\
  --terms pisa/index.termlex --documents pisa/index.doclex --tokenizer whitespace \\
  --algorithm maxscore --scorer quantized --weighted -k {k} --queries queries.txt > run.pisa.txt
# BMP
ciff2bmp -c index.ciff -o index.bmp -b 32
search --index index.bmp --queries queries.txt --k {k} --alpha 1.0 --beta 1.0 > run.bmp.txt
spladescope index --vectors index.ciff --out INDEX --model MODEL   # back into spladescope
```

Impacts are 1 to {range}; BMP reads at most 8 bits and adds in 16 bits (`splade@bmp`).
BMP 0.2.8 never scores the last block of documents it visits: add an empty block and a
sentinel document that every query matches, as `scripts/reference/engines_reference.py` in
spladescope's repository does, or it can miss documents there.
",
            bits = o.bits,
            m = o.query_max,
            range = (1u64 << o.bits) - 1
        ),
        Target::Seismic => format!(
            "Files: `docs.jsonl` and `queries.jsonl` (`{{\"id\", \"content\", \"vector\"}}`).

```python
from seismic import SeismicIndex, get_seismic_string
import json, numpy as np
index = SeismicIndex.build(\"docs.jsonl\")
for line in open(\"queries.jsonl\"):
    q = json.loads(line)
    hits = index.search(q[\"id\"], np.array(list(q[\"vector\"]), dtype=get_seismic_string()),
                        np.array(list(q[\"vector\"].values()), dtype=np.float32),
                        k={k}, query_cut=10, heap_factor=0.7)
```

Seismic stores document weights in half precision and searches approximately: report its recall \
against `spladescope retrieve INDEX --queries …` (exact).
"
        ),
    };
    let notes = if summary.notes.is_empty() {
        String::new()
    } else {
        format!(
            "\nNotes:\n{}\n",
            summary
                .notes
                .iter()
                .map(|n| format!("- {n}"))
                .collect::<Vec<_>>()
                .join("\n")
        )
    };
    let text = format!(
        "# {} export of {}\n\n{} documents, {} queries.\n{profile}\n{body}{notes}",
        target.name(),
        out.index.dir().display(),
        summary.documents,
        summary.queries
    );
    let mut f = OutFile::create(out.dir, "README.md")?;
    f.put(text.as_bytes())?;
    f.finish().map(|_| ())
}
