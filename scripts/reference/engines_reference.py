"""Runs the Python engines on `spladescope export` directories and writes their top-k runs,
for tests/engine_parity.rs (see engines_reference.sh, which calls this).

  python engines_reference.py EXPORTS_DIR OUT_DIR K

EXPORTS_DIR holds the exports `ciff/`, `qdrant/` and `seismic/`. Writes to OUT_DIR:
  pisa.trec     PISA (pyterrier-pisa) on the CIFF export: the CIFF read with ciff-toolkit and
                indexed as given (toks_indexer(scale=1): integer impacts unchanged), the
                integer query weights of queries.jsonl (toks_scale=1), quantized scorer,
                maxscore (exact).
  bmp.trec      BMP (bmp) on the same CIFF (ciff2bmp, block size 32), alpha = beta = 1
                (exact on its input). BMP never scores the last block it visits, so a
                sentinel document alone in a last block, matched by every query, is added
                and removed from the results.
  qdrant.trec   qdrant-client local mode on the qdrant export (its local mode ignores
                `datatype` and adds in Python floats, then rounds to float32).
  seismic.trec  Seismic (pyseismic-lsr) on the seismic export, default build,
                query_cut 10, heap_factor 0.7 (approximate).
Scores are printed with repr() of the engine's number.
"""
import json
import os
import sys
import tempfile

import numpy as np


def write_run(path, rows):
    with open(path, "w") as f:
        for qid, hits in rows:
            for rank, (docid, score) in enumerate(hits, 1):
                f.write(f"{qid} Q0 {docid} {rank} {score!r} ref\n")


def ciff_docs(path):
    """(docids, [{term: impact}]) of a CIFF file."""
    from ciff_toolkit.read import CiffReader

    with CiffReader(path) as r:
        n = r.header.num_docs
        vectors = [dict() for _ in range(n)]
        for pl in r.read_postings_lists():
            doc = 0
            for i, p in enumerate(pl.postings):
                doc = p.docid if i == 0 else doc + p.docid
                vectors[doc][pl.term] = p.tf
        ids = [d.collection_docid for d in r.read_documents()]
    return ids, vectors


def queries_jsonl(path):
    with open(path) as f:
        return [json.loads(line) for line in f]


def pisa(exports, out, k):
    import pandas as pd
    from pyterrier_pisa import PisaIndex

    ids, vectors = ciff_docs(os.path.join(exports, "ciff", "index.ciff"))
    tmp = tempfile.mkdtemp(prefix="pisa-")
    index = PisaIndex(os.path.join(tmp, "idx"), stemmer="none", threads=1)
    index.toks_indexer(scale=1.0).index({"docno": d, "toks": v} for d, v in zip(ids, vectors) if v)
    retr = index.quantized(num_results=k, toks_scale=1.0, threads=1, query_algorithm="maxscore")
    queries = queries_jsonl(os.path.join(exports, "ciff", "queries.jsonl"))
    res = retr(pd.DataFrame([{"qid": q["qid"], "query_toks": q["query_toks"]} for q in queries]))
    rows = []
    for q in queries:
        hits = res[res.qid == q["qid"]].sort_values("rank")
        rows.append((q["qid"], [(d, float(s)) for d, s in zip(hits.docno, hits.score)]))
    write_run(os.path.join(out, "pisa.trec"), rows)


def bmp_run(exports, out, k):
    import bmp
    from ciff_toolkit.ciff_pb2 import DocRecord, Header, Posting, PostingsList
    from ciff_toolkit.write import CiffWriter

    ids, vectors = ciff_docs(os.path.join(exports, "ciff", "index.ciff"))
    block, sentinel = 32, "__bmp_sentinel__"
    pad = (-len(ids)) % block
    ids = ids + [f"__bmp_pad{i}" for i in range(pad)] + [sentinel]
    vectors = vectors + [{} for _ in range(pad)] + [{sentinel: 1}]
    post = {}
    for i, v in enumerate(vectors):
        for t, w in v.items():
            post.setdefault(t, []).append((i, w))
    lens = [sum(v.values()) for v in vectors]
    tmp = tempfile.mkdtemp(prefix="bmp-")
    path = os.path.join(tmp, "padded.ciff")
    with CiffWriter(path) as w:
        w.write_header(Header(version=1, num_postings_lists=len(post), num_docs=len(ids),
                              total_postings_lists=len(post), total_docs=len(ids),
                              total_terms_in_collection=sum(lens),
                              average_doclength=sum(lens) / len(ids), description="bmp"))

        def lists():
            for t in sorted(post):
                pl, prev = PostingsList(term=t, df=len(post[t]), cf=sum(x for _, x in post[t])), 0
                for d, x in post[t]:
                    pl.postings.append(Posting(docid=d - prev, tf=x))
                    prev = d
                yield pl

        w.write_postings_lists(lists())
        w.write_documents(DocRecord(docid=i, collection_docid=d, doclength=lens[i])
                          for i, d in enumerate(ids))
    bmp.ciff2bmp(path, os.path.join(tmp, "index.bmp"), block, False)
    searcher = bmp.Searcher(os.path.join(tmp, "index.bmp"))
    rows = []
    for q in queries_jsonl(os.path.join(exports, "ciff", "queries.jsonl")):
        toks = dict(q["query_toks"])
        top = max(toks.values())
        # BMP rescales so that the heaviest weighs 32; the export's heaviest already does.
        assert top == 32, (q["qid"], top)
        toks[sentinel] = 1
        docnos, scores = searcher.search(toks, k + 1, 1.0, 1.0)
        hits = [(d, int(s) - (1 if d == sentinel else 0)) for d, s in zip(docnos, scores)]
        rows.append((q["qid"], [(d, s) for d, s in hits if d != sentinel][:k]))
    write_run(os.path.join(out, "bmp.trec"), rows)


def qdrant(exports, out, k):
    from qdrant_client import QdrantClient, models

    d = os.path.join(exports, "qdrant")
    collection = json.load(open(os.path.join(d, "collection.json")))
    field = next(iter(collection["sparse_vectors"]))
    client = QdrantClient(":memory:")
    client.create_collection(
        collection_name="splade", vectors_config={},
        sparse_vectors_config={field: models.SparseVectorParams(index=models.SparseIndexParams(on_disk=False))})
    for name in sorted(os.listdir(os.path.join(d, "points"))):
        batch = json.load(open(os.path.join(d, "points", name)))["points"]
        client.upsert(collection_name="splade", points=[
            models.PointStruct(id=p["id"], payload=p["payload"],
                               vector={field: models.SparseVector(**p["vector"][field])}) for p in batch])
    qids = open(os.path.join(d, "query-ids.txt")).read().split("\n")[:-1]
    searches = json.load(open(os.path.join(d, "queries.json")))["searches"]
    rows = []
    for qid, s in zip(qids, searches):
        res = client.query_points(collection_name="splade", query=models.SparseVector(**s["query"]),
                                  using=field, limit=k, with_payload=True)
        rows.append((qid, [(p.payload["doc_id"], float(np.float32(p.score))) for p in res.points]))
    write_run(os.path.join(out, "qdrant.trec"), rows)


def seismic(exports, out, k):
    from seismic import SeismicIndex, get_seismic_string

    d = os.path.join(exports, "seismic")
    index = SeismicIndex.build(os.path.join(d, "docs.jsonl"))
    rows = []
    for q in queries_jsonl(os.path.join(d, "queries.jsonl")):
        comps = np.array(list(q["vector"].keys()), dtype=get_seismic_string())
        vals = np.array(list(q["vector"].values()), dtype=np.float32)
        hits = index.search(q["id"], comps, vals, k, 10, 0.7)
        rows.append((q["id"], [(doc, float(score)) for _, score, doc in hits]))
    write_run(os.path.join(out, "seismic.trec"), rows)


def main():
    exports, out, k = sys.argv[1], sys.argv[2], int(sys.argv[3])
    only = sys.argv[4].split(",") if len(sys.argv) > 4 else ["pisa", "bmp", "qdrant", "seismic"]
    for name in only:
        print(f"[engines] {name}", file=sys.stderr, flush=True)
        {"pisa": pisa, "bmp": bmp_run, "qdrant": qdrant, "seismic": seismic}[name](exports, out, k)


if __name__ == "__main__":
    main()
