#!/usr/bin/env python3
"""PyTorch / sentence-transformers reference for the dense retriever (all-MiniLM-L6-v2).

For one BEIR collection (corpus.jsonl, queries.jsonl, qrels/test.tsv) this script:

1. builds each document's text as (title + " " + text).strip(), the same as the Rust
   `Document::indexed_text` (Python whitespace, both ends); a query's text is its `text` field;
   only the queries judged in qrels/test.tsv are used, in queries.jsonl order;
2. encodes documents and queries with SentenceTransformer(model_dir, device="cpu"):
   BertModel -> mean over non-padding tokens -> L2 normalise, max_seq_length 256 (asserted),
   float32, batch size 32, torch.set_num_threads(2);
3. runs exact inner-product search over all documents, top 1000 per query, ranked by score
   descending with ties broken by corpus order (document number) ascending;
4. evaluates nDCG@10 with trec_eval semantics through pytrec_eval (integer grades from
   qrels/test.tsv; the run is the top 1000 per query with their scores as they are);
5. writes a compact JSON fixture (floats rounded to 7 significant digits):
   {"model", "max_seq_length", "collection", "documents", "queries", "ndcg_cut_10", "torch",
    "sentence_transformers", "transformers", "per_query": {qid: {"ndcg_cut_10", "top10":
    [[docid, score] x 10]}}, "embeddings": {"doc:<id>": [384], "query:<qid>": [384]}} with the
   embeddings of the first 3 corpus documents and the first 3 judged queries.

The model is loaded from its local directory only (HF_HUB_OFFLINE=1); nothing is downloaded.

Setup and run: see dense_reference.md beside this script.
"""

import argparse
import csv
import json
import os
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402
import pytrec_eval  # noqa: E402
import sentence_transformers  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402
from sentence_transformers import SentenceTransformer  # noqa: E402

MODEL_NAME = "all-MiniLM-L6-v2"
MAX_SEQ_LENGTH = 256
DIM = 384
TOP_K = 1000
BATCH_SIZE = 32
THREADS = 2
EMBEDDINGS_KEPT = 3


def g7(x):
    """A float rounded to 7 significant digits."""
    return float(f"{float(x):.7g}")


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def read_qrels(path):
    """qid -> {docid: int grade}; header line skipped; tolerates CRLF; last repeated line wins."""
    qrels = {}
    with open(path, encoding="utf-8", newline="") as f:
        rows = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        for i, row in enumerate(rows):
            row = [c.rstrip("\r") for c in row]
            if not row or (len(row) == 1 and not row[0]):
                continue
            if i == 0 and row[0] == "query-id":
                continue
            qid, docid, grade = row[0], row[1], int(row[2])
            qrels.setdefault(qid, {})[docid] = grade
    return qrels


def encode(model, texts):
    emb = model.encode(
        texts,
        batch_size=BATCH_SIZE,
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=False,
        device="cpu",
    )
    assert emb.dtype == np.float32 and emb.shape == (len(texts), DIM), (emb.dtype, emb.shape)
    return emb


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", required=True, help="BEIR folder (corpus.jsonl, queries.jsonl, qrels/test.tsv)")
    ap.add_argument("--model", required=True, help="local all-MiniLM-L6-v2 sentence-transformers directory")
    ap.add_argument("--out", required=True, help="fixture JSON to write")
    args = ap.parse_args()

    torch.set_num_threads(THREADS)
    collection = os.path.basename(os.path.normpath(args.data))

    corpus = read_jsonl(os.path.join(args.data, "corpus.jsonl"))
    doc_ids = [d["_id"] for d in corpus]
    assert len(set(doc_ids)) == len(doc_ids), "repeated document ids"
    doc_texts = [(d.get("title", "") + " " + d.get("text", "")).strip() for d in corpus]

    qrels = read_qrels(os.path.join(args.data, "qrels", "test.tsv"))
    queries = [q for q in read_jsonl(os.path.join(args.data, "queries.jsonl")) if q["_id"] in qrels]
    assert len({q["_id"] for q in queries}) == len(queries), "repeated query ids"
    missing = set(qrels) - {q["_id"] for q in queries}
    assert not missing, f"judged queries without text: {sorted(missing)[:5]}"
    query_ids = [q["_id"] for q in queries]
    query_texts = [q["text"] for q in queries]

    model = SentenceTransformer(args.model, device="cpu")
    assert model.max_seq_length == MAX_SEQ_LENGTH, model.max_seq_length
    dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    assert dim() == DIM, dim()

    t0 = time.perf_counter()
    with torch.inference_mode():
        doc_emb = encode(model, doc_texts)
        t1 = time.perf_counter()
        query_emb = encode(model, query_texts)
    t2 = time.perf_counter()

    # Exact inner-product search, float32.
    scores = query_emb @ doc_emb.T  # (queries, documents)
    order = np.arange(len(doc_ids))
    run = {}
    top10 = {}
    for qi, qid in enumerate(query_ids):
        s = scores[qi]
        ranked = np.lexsort((order, -s))[:TOP_K]  # score desc, then document number asc
        run[qid] = {doc_ids[d]: float(s[d]) for d in ranked}
        top10[qid] = [[doc_ids[d], g7(s[d])] for d in ranked[:10]]
    t3 = time.perf_counter()

    evaluator = pytrec_eval.RelevanceEvaluator(qrels, {"ndcg_cut.10"})
    per_query = evaluator.evaluate(run)
    assert set(per_query) == set(query_ids), "pytrec_eval left out queries"
    ndcg = [per_query[q]["ndcg_cut_10"] for q in query_ids]
    mean = float(np.mean(ndcg))

    out = {
        "model": MODEL_NAME,
        "max_seq_length": MAX_SEQ_LENGTH,
        "collection": collection,
        "documents": len(doc_ids),
        "queries": len(query_ids),
        "ndcg_cut_10": g7(mean),
        "torch": torch.__version__,
        "sentence_transformers": sentence_transformers.__version__,
        "transformers": transformers.__version__,
        "per_query": {
            qid: {"ndcg_cut_10": g7(per_query[qid]["ndcg_cut_10"]), "top10": top10[qid]}
            for qid in query_ids
        },
        "embeddings": {},
    }
    for i in range(min(EMBEDDINGS_KEPT, len(doc_ids))):
        out["embeddings"][f"doc:{doc_ids[i]}"] = [g7(x) for x in doc_emb[i]]
    for i in range(min(EMBEDDINGS_KEPT, len(query_ids))):
        out["embeddings"][f"query:{query_ids[i]}"] = [g7(x) for x in query_emb[i]]

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(out, f, separators=(",", ":"), ensure_ascii=True)
        f.write("\n")

    print(
        f"{collection}: {len(doc_ids)} documents, {len(query_ids)} judged queries, "
        f"nDCG@10 {mean:.4f} ({mean!r})\n"
        f"  encode documents {t1 - t0:.1f} s, queries {t2 - t1:.1f} s, search {t3 - t2:.1f} s "
        f"({THREADS} threads, batch {BATCH_SIZE})\n"
        f"  torch {torch.__version__}, sentence-transformers {sentence_transformers.__version__}, "
        f"transformers {transformers.__version__}, numpy {np.__version__}\n"
        f"  wrote {args.out} ({os.path.getsize(args.out)} bytes)",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
