#!/usr/bin/env python3
"""Make the trec_eval parity fixtures of the `eval` module.

Writes to tests/fixtures/trec_eval/ (next to this script's crate):

  qrels.txt / qrels.tsv   the same graded judgments in TREC and BEIR TSV form (CRLF, header),
                          with one repeated (query, doc) line whose last value wins
  run_a.trec, run_b.trec  two systems: score ties (broken by docid, descending), a wrong rank
                          column, runs shorter than 10 and longer than 1000 with relevant
                          docs at the 10/11, 100/101 and 1000/1001 borders decided by ties,
                          queries only in the run or only in the qrels, non-ASCII docids,
                          negative grades; run_a repeats one (query, doc) line
  expected.json           pytrec_eval values per query and mean for both query scopes
                          (and relevance_level=2), scipy ttest_rel between run_a and run_b,
                          scipy Student-t tails and betainc values
  beir_synthetic.json     means of a synthetic run (generator below, mirrored in the Rust
                          test) on SciFact and NFCorpus test qrels, when the data is there

MRR@10: trec_eval's recip_rank has no cutoff, so each query's run is first sorted the way
trec_eval sorts it (score descending, docid descending), cut to 10 documents, and evaluated
with recip_rank (what `trec_eval -M 10` does). The script checks that ndcg_cut_10 and P_10
on the cut run equal those on the full run, i.e. that this sort is trec_eval's.

Needs: pip install pytrec-eval-terrier scipy
Run:   python3 scripts/make_trec_eval_fixtures.py
"""

import json
import math
import os
import random
import sys

import pytrec_eval
import scipy
import scipy.special
import scipy.stats

CRATE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(CRATE, "tests", "fixtures", "trec_eval")
MEASURES = {"ndcg_cut.10", "recip_rank", "recall.100,1000", "map_cut.1000", "P.10"}
# fixture key -> pytrec_eval key
KEYS = {
    "ndcg_cut_10": "ndcg_cut_10",
    "recip_rank_10": "recip_rank",
    "recall_100": "recall_100",
    "recall_1000": "recall_1000",
    "map_cut_1000": "map_cut_1000",
    "p_10": "P_10",
}


def trec_sorted(docs):
    """(docid, score) pairs in trec_eval order: score desc, docid desc (byte order)."""
    items = sorted(docs.items(), key=lambda kv: kv[0].encode("utf-8"), reverse=True)
    return sorted(items, key=lambda kv: -kv[1])  # stable: ties keep docid-descending order


def evaluate(qrels, run, relevance_level=1):
    """Per-query values of the six measures, pytrec_eval semantics (queries in run and qrels)."""
    ev = pytrec_eval.RelevanceEvaluator(qrels, MEASURES, relevance_level=relevance_level)
    full = ev.evaluate(run)
    top10 = {q: dict(trec_sorted(d)[:10]) for q, d in run.items()}
    cut = ev.evaluate(top10)
    out = {}
    for q, vals in full.items():
        for m in ("ndcg_cut_10", "P_10"):
            assert abs(cut[q][m] - vals[m]) < 1e-15, (q, m, "python sort != trec_eval sort")
        row = {k: vals[v] for k, v in KEYS.items()}
        row["recip_rank_10"] = cut[q]["recip_rank"]
        out[q] = row
    return out


def mean_of(per_query):
    qids = sorted(per_query, key=lambda q: q.encode("utf-8"))
    return {k: sum(per_query[q][k] for q in qids) / len(qids) for k in KEYS}


def scoped(qrels, run, relevance_level=1):
    """Both query scopes: run_and_qrels (pytrec_eval/BEIR) and all_qrels (trec_eval -c)."""
    rq = evaluate(qrels, run, relevance_level)
    completed = dict(run)
    for q in qrels:
        completed.setdefault(q, {})  # pytrec_eval scores an empty ranking as 0 everywhere
    aq = evaluate(qrels, completed, relevance_level)
    return {
        "run_and_qrels": {"per_query": rq, "mean": mean_of(rq)},
        "all_qrels": {"per_query": aq, "mean": mean_of(aq)},
    }


# ---------------------------------------------------------------------------- fixtures


def build_fixture():
    rng = random.Random(20240601)
    qrels_lines = []  # (qid, docid, rel) in file order, duplicates included
    run_a, run_b = {}, {}  # qid -> list of (docid, score) in file order
    dup_a = []  # extra repeated lines for run_a: (qid, docid, first_score)

    def judge(q, d, r):
        qrels_lines.append((q, d, r))

    # q01: graded 0/1/2, many ties, 60 retrieved.
    docs = [f"d{i:03d}" for i in range(60)]
    for i, d in enumerate(docs[:20]):
        judge("q01", d, [0, 1, 2, 0, 1][i % 5])
    run_a["q01"] = [(d, rng.randrange(8) / 4) for d in docs]
    run_b["q01"] = [(d, rng.randrange(30) / 8) for d in docs]
    dup_a.append(("q01", "d005", 99.0))  # first line 99.0, later line keeps run_a's score

    # q02: judged, but nothing relevant.
    for d in ("d100", "d101", "d102"):
        judge("q02", d, 0)
    run_a["q02"] = [("d100", 3.0), ("d101", 2.0), ("d200", 1.0)]
    run_b["q02"] = [("d102", 1.0)]

    # q03: only in the qrels.
    judge("q03", "d300", 1)
    judge("q03", "d301", 2)

    # q04: fewer than 10 retrieved.
    for d, r in (("d400", 1), ("d401", 0), ("d402", 2), ("d499", 1)):
        judge("q04", d, r)
    run_a["q04"] = [("d401", 0.5), ("d400", 0.5), ("d402", 0.25), ("d403", 0.1), ("d404", -1.0)]
    run_b["q04"] = [("d402", 2.0), ("d499", 2.0)]

    # q05: longer than 1000 in run_a; relevant docs on the 10/11, 100/101, 1000/1001
    # borders, each tied with a non-relevant doc of higher docid (which ranks first).
    long_docs = []
    score = 2000.0
    for i in range(1100):
        long_docs.append((f"e{i:04d}", score))
        if i not in (9, 99, 999):  # rank i+1 and i+2 share a score at the borders
            score -= 1.0
    # e0009/e0010, e0099/e0100, e0999/e1000 tie; descending docid puts e0010 at rank 10.
    for d in ("e0009", "e0099", "e0999", "e0500", "e1050"):
        judge("q05", d, 1)
    judge("q05", "e0010", 0)
    judge("q05", "e0002", 2)
    run_a["q05"] = long_docs
    run_b["q05"] = [(d, s) for d, s in long_docs[:120]]

    # q06: negative grades.
    for d, r in (("d600", -1), ("d601", 1), ("d602", -2), ("d603", 2), ("d604", 0)):
        judge("q06", d, r)
    run_a["q06"] = [("d600", 5.0), ("d602", 4.0), ("d601", 3.0), ("d603", 1.0)]
    run_b["q06"] = [("d603", 5.0), ("d600", 5.0), ("d601", 5.0)]

    # q07: ties among non-ASCII and mixed-case docids.
    for d, r in (("\u00e9t\u00e9", 1), ("zebra", 0), ("Zebra", 2), ("\u65e5\u672c", 1)):
        judge("q07", d, r)
    run_a["q07"] = [("zebra", 1.0), ("\u00e9t\u00e9", 1.0), ("Zebra", 1.0), ("\u65e5\u672c", 1.0), ("a", 1.0)]
    run_b["q07"] = [("Zebra", 1.0), ("zebra", 1.0), ("\u00e9t\u00e9", 0.5)]

    # q08: every score equal: ranking is docid descending only.
    for i in range(0, 30, 3):
        judge("q08", f"d8{i:02d}", 1 + i % 2)
    run_a["q08"] = [(f"d8{i:02d}", 0.0) for i in range(30)]
    run_b["q08"] = [(f"d8{i:02d}", -0.0 if i % 2 else 0.0) for i in range(29, -1, -1)]

    # q09: grades 0, 1, 3 (a gap at 2) for the ideal DCG.
    for d, r in (("d900", 3), ("d901", 1), ("d902", 1), ("d903", 0), ("d904", 3)):
        judge("q09", d, r)
    run_a["q09"] = [("d901", 0.9), ("d900", 0.8), ("d903", 0.7), ("d904", 0.1)]
    run_b["q09"] = [("d904", 0.9), ("d900", 0.9), ("d901", 0.2)]

    # q10..q24: random queries so the t-test has something to chew on.
    for k in range(10, 25):
        q = f"q{k}"
        pool = [f"r{k}-{i:02d}" for i in range(40)]
        judged = rng.sample(pool, 12)
        for d in judged:
            judge(q, d, rng.choice([0, 0, 1, 1, 2]))
        if not any(r > 0 for (qq, _, r) in qrels_lines if qq == q):
            judge(q, judged[0], 1)
        for run in (run_a, run_b):
            n = rng.randrange(5, 40)
            run[q] = [(d, rng.randrange(12) / 4) for d in rng.sample(pool, n)]

    # Only in the runs.
    run_a["q99"] = [("d001", 1.0), ("d002", 0.5)]
    run_b["q99"] = [("d001", 1.0)]

    # A repeated judgment: first 0, then 2 (last wins, BEIR / dict semantics).
    judge("q09", "d903", 2)
    return qrels_lines, run_a, run_b, dup_a


def write_fixture(qrels_lines, run_a, run_b, dup_a, rng):
    with open(os.path.join(OUT, "qrels.txt"), "w", encoding="utf-8", newline="\n") as f:
        for q, d, r in qrels_lines:
            f.write(f"{q} {rng.choice(['0', 'Q0', 'iter'])} {d} {r}\n")
    with open(os.path.join(OUT, "qrels.tsv"), "w", encoding="utf-8", newline="") as f:
        f.write("query-id\tcorpus-id\tscore\r\n")
        for q, d, r in qrels_lines:
            f.write(f"{q}\t{d}\t{r}\r\n")
    for name, run, dups in (("run_a.trec", run_a, dup_a), ("run_b.trec", run_b, [])):
        lines = []
        for q in sorted(run):
            for d, s in run[q]:
                lines.append((q, d, s))
        rng.shuffle(lines)  # file order carries no meaning
        for q, d, s in dups:  # the repeat's first occurrence goes first
            lines.insert(0, (q, d, s))
        with open(os.path.join(OUT, name), "w", encoding="utf-8", newline="\n") as f:
            f.write("# fixture run: rank column is deliberately wrong\n")
            for i, (q, d, s) in enumerate(lines):
                f.write(f"{q} Q0 {d} {len(lines) - i} {s!r} {name[4]}\n")


def as_dict_keep_last(lines):
    out = {}
    for q, d, v in lines:
        out.setdefault(q, {})[d] = v
    return out


def special_functions():
    t_cases = []
    for df in (1, 2, 3, 9, 29, 299, 322, 1000, 20000):
        for t in (0.0, 0.01, 0.5, 1.96, 4.0, 8.0, 30.0):
            t_cases.append({"t": t, "df": df, "p": float(2 * scipy.stats.t.sf(abs(t), df))})
    beta_cases = []
    for a in (0.5, 1.0, 2.5, 150.0, 5000.0):
        for b in (0.5, 1.0, 3.0, 40.0):
            for x in (1e-6, 0.01, 0.3, 0.77, 0.999, 0.999999):
                beta_cases.append({"a": a, "b": b, "x": x, "i": float(scipy.special.betainc(a, b, x))})
    return {"student_t_two_sided": t_cases, "betainc": beta_cases}


def ttests(per_a, per_b):
    out = {}
    qids = sorted(per_a, key=lambda q: q.encode("utf-8"))
    assert qids == sorted(per_b, key=lambda q: q.encode("utf-8"))
    for k in KEYS:
        a = [per_a[q][k] for q in qids]
        b = [per_b[q][k] for q in qids]
        r = scipy.stats.ttest_rel(a, b)
        out[k] = {"n": len(qids), "t": float(r.statistic), "p": float(r.pvalue)}
    return out


# ---------------------------------------------------------------------- real collections

MASK = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)


def synthetic_run(qrels, seed):
    """Deterministic run over the judged documents; mirrored by tests/trec_eval_parity.rs.

    pool = all judged docids, byte order. For each judged query in byte order: one draw
    decides absence (draw % 10 == 0), one the share of the pool (5/30/100 %); then one draw
    per pool document r: kept if r % 100 < share (< 70 for docs judged for the query);
    score = ((r >> 32) % 64) / 8, plus 4 when the doc is judged > 0 and (r >> 20) % 2 == 0.
    Finally query "not-judged" retrieves the first 3 pool docs with score 1.
    """
    pool = sorted({d for j in qrels.values() for d in j}, key=lambda s: s.encode("utf-8"))
    rng = SplitMix64(seed)
    run = {}
    for q in sorted(qrels, key=lambda s: s.encode("utf-8")):
        if rng.next() % 10 == 0:
            continue
        share = (5, 30, 100)[rng.next() % 3]
        docs = {}
        judged = qrels[q]
        for d in pool:
            r = rng.next()
            limit = 70 if d in judged else share
            if r % 100 < limit:
                s = ((r >> 32) % 64) / 8.0
                if judged.get(d, 0) > 0 and (r >> 20) % 2 == 0:
                    s += 4.0
                docs[d] = s
        run[q] = docs
    run["not-judged"] = {d: 1.0 for d in pool[:3]}
    return run


def read_beir_qrels(path):
    qrels = {}
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            line = line.rstrip("\r\n")
            if not line:
                continue
            q, d, s = line.split("\t")
            qrels.setdefault(q, {})[d] = int(s)
    return qrels


def beir_expected():
    shared = os.environ.get("SPLADESCOPE_SHARED")
    candidates = [shared] if shared else [os.path.join(CRATE, "..", "shared"), "/work/shared"]
    root = next((c for c in candidates if c and os.path.isdir(os.path.join(c, "data"))), None)
    if root is None:
        print("shared data not found: beir_synthetic.json not written", file=sys.stderr)
        return None
    out = {}
    for name in ("scifact", "nfcorpus"):
        path = os.path.join(root, "data", name, "qrels", "test.tsv")
        qrels = read_beir_qrels(path)
        runs = {}
        for label, seed in (("a", 1), ("b", 2)):
            run = synthetic_run(qrels, seed)
            runs[label] = scoped(qrels, run)
            runs[label]["num_run_queries"] = len(run)
        entry = {
            "num_qrels_queries": len(qrels),
            "seeds": {"a": 1, "b": 2},
        }
        for label in ("a", "b"):
            entry[label] = {
                "num_run_queries": runs[label]["num_run_queries"],
                "all_qrels": runs[label]["all_qrels"]["mean"],
                "run_and_qrels": runs[label]["run_and_qrels"]["mean"],
                "num_run_and_qrels": len(runs[label]["run_and_qrels"]["per_query"]),
            }
        entry["ttest_all_qrels"] = ttests(runs["a"]["all_qrels"]["per_query"], runs["b"]["all_qrels"]["per_query"])
        out[name] = entry
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    qrels_lines, run_a, run_b, dup_a = build_fixture()
    write_fixture(qrels_lines, run_a, run_b, dup_a, random.Random(7))
    qrels = as_dict_keep_last(qrels_lines)
    runs = {"run_a": as_dict_keep_last([(q, d, s) for q in run_a for d, s in run_a[q]]),
            "run_b": as_dict_keep_last([(q, d, s) for q in run_b for d, s in run_b[q]])}
    expected = {
        "generator": {
            "pytrec_eval": getattr(pytrec_eval, "__version__", "?"),
            "scipy": scipy.__version__,
        },
        "runs": {name: scoped(qrels, run) for name, run in runs.items()},
        "run_a_relevance_level_2": scoped(qrels, runs["run_a"], relevance_level=2),
        "ttest_all_qrels": ttests(
            evaluate(qrels, {**{q: {} for q in qrels}, **runs["run_a"]}),
            evaluate(qrels, {**{q: {} for q in qrels}, **runs["run_b"]}),
        ),
        "special": special_functions(),
    }
    with open(os.path.join(OUT, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    beir = beir_expected()
    if beir is not None:
        with open(os.path.join(OUT, "beir_synthetic.json"), "w", encoding="utf-8") as f:
            json.dump(beir, f, indent=1, sort_keys=True)
            f.write("\n")
    print(f"wrote fixtures to {OUT}")


if __name__ == "__main__":
    main()
