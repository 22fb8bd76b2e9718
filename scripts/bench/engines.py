#!/usr/bin/env python3
"""Benchmark other learned-sparse engines on the same vectors as spladescope.

Driven by scripts/bench/engines.sh (which sets up the virtualenv); see the header there.

Layout of the work dir (default /tmp/engines-work):
  <shape>-<N>/data/      documents and queries parsed once from the JSONL files
  <shape>-<N>/<engine>/  one index per engine, plus search results
  <shape>-<N>/results.json

Every step that builds an index or searches runs in a child process (`engines.py _build ...`,
`engines.py _search ...`) so that build wall time and peak RSS (from /usr/bin/time -v) belong
to that step alone, and so that a crash in one engine does not lose the others.
"""

import argparse
import array
import json
import math
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent

# ----------------------------------------------------------------------------------------------
# shared helpers


def log(*a):
    print('[engines]', *a, file=sys.stderr, flush=True)


def dir_bytes(paths):
    total = 0
    for p in paths:
        p = Path(p)
        if p.is_dir():
            for f in p.rglob('*'):
                if f.is_file():
                    total += f.stat().st_size
        elif p.exists():
            total += p.stat().st_size
    return total


def latency_stats(ms):
    a = np.asarray(ms, dtype=np.float64)
    return {
        'queries': int(a.size),
        'mean_ms': float(a.mean()),
        # nearest-rank percentiles (what spladescope reports)
        'p50_ms': float(np.sort(a)[max(0, math.ceil(0.50 * a.size) - 1)]),
        'p95_ms': float(np.sort(a)[max(0, math.ceil(0.95 * a.size) - 1)]),
        'p99_ms': float(np.sort(a)[max(0, math.ceil(0.99 * a.size) - 1)]),
    }


def read_bin(path, dtype, start=0, count=-1):
    """Plain read (not mmap), so pages do not stay counted in the reader's RSS."""
    dtype = np.dtype(dtype)
    with open(path, 'rb') as f:
        return np.fromfile(f, dtype=dtype, count=count, offset=start * dtype.itemsize)


class Data:
    """The parsed corpus: CSR by document (terms sorted within a document) and CSC by term."""

    def __init__(self, d):
        self.d = Path(d)
        self.meta = json.loads((self.d / 'meta.json').read_text())
        self.n = self.meta['documents']

    def doc_ids(self):
        return (self.d / 'docids.txt').read_text().split('\n')[: self.n]

    def indptr(self):
        return read_bin(self.d / 'indptr.bin', np.int64)

    def chunks(self, what=('terms', 'weights'), rows=20000):
        """Yield (first_doc, indptr_slice, {name: array}) in blocks of `rows` documents."""
        ip = self.indptr()
        dt = {'terms': np.int32, 'weights': np.float32, 'q8': np.uint8}
        for s in range(0, self.n, rows):
            e = min(self.n, s + rows)
            lo, hi = int(ip[s]), int(ip[e])
            out = {w: read_bin(self.d / f'{w}.bin', dt[w], lo, hi - lo) for w in what}
            yield s, ip[s: e + 1] - lo, out

    def queries(self):
        return json.loads((self.d / 'queries.json').read_text())


# ----------------------------------------------------------------------------------------------
# prepare: parse JSONL once


def quantise_query_bmp(weights):
    """BMP's own query quantisation (Searcher.search): ceil(w * 32 / max w) in f32."""
    w = np.asarray(weights, dtype=np.float32)
    if w.size == 0:
        return np.zeros(0, dtype=np.int64)
    scale = np.float32(32.0) / w.max()
    return np.ceil(w * scale).astype(np.int64)


def cmd_prepare(a):
    src = Path(a.src)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    n_max = a.docs if a.docs > 0 else None
    terms = array.array('i')
    weights = array.array('f')
    indptr = array.array('q', [0])
    ids = []
    subset = None if n_max is None else open(out / 'docs.jsonl', 'w')
    with open(src / 'docs.jsonl') as f:
        for line in f:
            if n_max is not None and len(ids) >= n_max:
                break
            rec = json.loads(line)
            ids.append(str(rec['id']))
            vec = rec['vector']
            terms.extend(map(int, vec.keys()))
            weights.extend(vec.values())
            indptr.append(len(terms))
            if subset is not None:
                subset.write(line)
            if len(ids) % 100000 == 0:
                log(f'  parsed {len(ids)} documents ({time.perf_counter() - t0:.0f} s)')
    truncated = subset is not None and len(ids) >= n_max
    if subset is not None:
        subset.close()
        if not truncated:  # the file had no more than N documents: use it as it is
            (out / 'docs.jsonl').unlink()
    if not truncated:
        if (out / 'docs.jsonl').exists() or (out / 'docs.jsonl').is_symlink():
            (out / 'docs.jsonl').unlink()
        os.symlink((src / 'docs.jsonl').resolve(), out / 'docs.jsonl')
    parse_s = time.perf_counter() - t0
    n = len(ids)
    t = np.frombuffer(terms, dtype=np.int32)
    w = np.frombuffer(weights, dtype=np.float32)
    ip = np.frombuffer(indptr, dtype=np.int64)
    del terms, weights, indptr
    doc_of = np.repeat(np.arange(n, dtype=np.int32), np.diff(ip))
    # zeros dropped, as spladescope does; terms sorted within each document (Seismic needs it)
    keep = w > 0
    if not keep.all():
        t, w, doc_of = t[keep], w[keep], doc_of[keep]
        ip = np.concatenate([[0], np.cumsum(np.bincount(doc_of, minlength=n))]).astype(np.int64)
    if t.size and not np.all((np.diff(t) > 0) | (np.diff(doc_of) != 0)):
        order = np.lexsort((t, doc_of))
        t, w = t[order], w[order]
    assert t.size == 0 or t.max() < 65536, 'term ids must fit in 16 bits (BERT vocabulary)'
    wmax = float(w.max()) if w.size else 1.0
    # 8-bit impacts shared by BMP and PISA: linear over [0, max weight], rounded; impacts that
    # round to 0 are dropped by those two engines
    q8 = np.minimum(np.rint(w.astype(np.float64) * (255.0 / wmax)), 255).astype(np.uint8)
    ip.astype(np.int64).tofile(out / 'indptr.bin')
    t.astype(np.int32).tofile(out / 'terms.bin')
    w.tofile(out / 'weights.bin')
    q8.tofile(out / 'q8.bin')
    # by term (CSC): radix-sorted on 16-bit keys, stable, so documents stay ascending
    order = np.argsort(t.astype(np.uint16), kind='stable')
    inv_docs = doc_of[order].astype(np.int32)
    inv_docs.tofile(out / 'inv_docs.bin')
    w[order].tofile(out / 'inv_weights.bin')
    q8[order].tofile(out / 'inv_q8.bin')
    vocab = 65536
    inv_ptr = np.concatenate([[0], np.cumsum(np.bincount(t, minlength=vocab))]).astype(np.int64)
    inv_ptr.tofile(out / 'inv_indptr.bin')
    del order, inv_docs, doc_of
    (out / 'docids.txt').write_text('\n'.join(ids) + '\n')
    queries = []
    with open(src / 'queries.jsonl') as f:
        for line in f:
            rec = json.loads(line)
            items = sorted((int(k), float(v)) for k, v in rec['vector'].items() if float(v) > 0)
            qt = [k for k, _ in items]
            qw = np.array([v for _, v in items], dtype=np.float32)
            queries.append({'id': str(rec['id']), 'terms': qt, 'weights': qw.tolist(),
                            'qint': quantise_query_bmp(qw).tolist()})
    (out / 'queries.json').write_text(json.dumps(queries))
    meta = {'documents': n, 'postings': int(t.size), 'max_weight': wmax,
            'dropped_zero_q8': int((q8 == 0).sum()), 'source': str(src), 'queries': len(queries),
            'parse_seconds': parse_s, 'prepare_seconds': time.perf_counter() - t0}
    (out / 'meta.json').write_text(json.dumps(meta, indent=1))
    log(f'  prepared {n} documents, {t.size} postings, max weight {wmax:.4f} '
        f'in {meta["prepare_seconds"]:.1f} s')


# ----------------------------------------------------------------------------------------------
# builds (each in its own child process)


def build_bmp(data, idx, a):
    import bmp
    path = idx / 'index.bmp'
    ix = bmp.Indexer(str(path), bsize=a.bmp_bsize, compress_range=False)
    ids = data.doc_ids()
    names = [str(i) for i in range(65536)]
    for s, ip, ch in data.chunks(('terms', 'q8')):
        tl = ch['terms'].tolist()
        ql = ch['q8'].tolist()
        ipl = ip.tolist()
        for j in range(len(ipl) - 1):
            lo, hi = ipl[j], ipl[j + 1]
            ix.add_document(ids[s + j], {names[tl[p]]: ql[p] for p in range(lo, hi) if ql[p]})
    ix.finish()
    return [path]


def build_pisa(data, idx, a):
    """Write PISA's binary collection (inv.docs/.freqs/.sizes) with numpy, then let
    pyterrier-pisa's own code build the lexicons, the block-max (wand) data and the compressed
    index (what PisaIndex.from_ciff / toks_indexer end up calling)."""
    from pyterrier_pisa import _pisathon
    n = data.n
    ptr = read_bin(data.d / 'inv_indptr.bin', np.int64)
    ids = data.doc_ids()
    present = [t for t in range(ptr.size - 1) if ptr[t + 1] > ptr[t]]
    names = sorted(present, key=str)  # PISA's lexicon is sorted as strings
    doclen = np.zeros(n, dtype=np.int64)
    with open(idx / 'inv.docs', 'wb') as fd, open(idx / 'inv.freqs', 'wb') as ff:
        np.array([1, n], dtype=np.uint32).tofile(fd)
        kept_terms = []
        for t in names:
            lo, hi = int(ptr[t]), int(ptr[t + 1])
            docs = read_bin(data.d / 'inv_docs.bin', np.int32, lo, hi - lo)
            imp = read_bin(data.d / 'inv_q8.bin', np.uint8, lo, hi - lo)
            nz = imp > 0
            docs, imp = docs[nz], imp[nz]
            if docs.size == 0:
                continue
            kept_terms.append(t)
            np.concatenate([[docs.size], docs]).astype(np.uint32).tofile(fd)
            np.concatenate([[docs.size], imp]).astype(np.uint32).tofile(ff)
            doclen[docs] += imp  # documents are distinct within a posting list
    with open(idx / 'inv.sizes', 'wb') as fs:
        np.concatenate([[n], np.maximum(doclen, 1)]).astype(np.uint32).tofile(fs)
    (idx / 'fwd.terms').write_text(''.join(f'{t}\n' for t in kept_terms))
    (idx / 'fwd.documents').write_text(''.join(f'{d}\n' for d in ids))
    _pisathon.build_binlex(str(idx / 'fwd.terms'), str(idx / 'fwd.termlex'))
    _pisathon.build_binlex(str(idx / 'fwd.documents'), str(idx / 'fwd.doclex'))
    ctxt = pisa_context(idx, a)
    del ctxt
    # what querying needs: lexicons, block-max data, compressed index (not the inv.* collection)
    return [p for p in idx.iterdir() if p.name.startswith('quantized.') or p.name.endswith('lex')]


def pisa_context(idx, a):
    from pyterrier_pisa import _pisathon
    ctxt = _pisathon.RetrievalContext()
    _pisathon.prepare_index(ctxt, str(idx), a.pisa_encoding, 'quantized', '',
                            block_size=a.pisa_block, quantize=0, stop_fname='')
    return ctxt


def build_seismic(data, idx, a):
    import seismic
    ds = seismic.SeismicDataset()
    ids = data.doc_ids()
    for s, ip, ch in data.chunks(('terms', 'weights'), rows=100000):
        ds.add_documents_by_id(ids[s: s + ip.size - 1], ch['terms'].astype(np.int64),
                               ch['weights'], ip.astype(np.int64))
    index = seismic.SeismicIndex.build_from_dataset(
        ds, n_postings=a.seismic_n_postings, centroid_fraction=a.seismic_centroid_fraction,
        summary_energy=a.seismic_summary_energy, doc_cut=a.seismic_doc_cut, num_threads=1)
    del ds
    path = idx / 'index.seismic'
    index.save(str(path))
    # save() may add an extension
    return [p for p in idx.iterdir() if p.name.startswith('index.seismic')]


BUILDERS = {'bmp': build_bmp, 'pisa': build_pisa, 'seismic': build_seismic}


def cmd_build(a):
    data = Data(a.data)
    idx = Path(a.index)
    if idx.exists():
        shutil.rmtree(idx)
    idx.mkdir(parents=True)
    t0 = time.perf_counter()
    files = BUILDERS[a.engine](data, idx, a)
    secs = time.perf_counter() - t0
    info = {'engine': a.engine, 'build_seconds_inside': secs,
            'index_files': [str(p) for p in files], 'index_bytes': dir_bytes(files)}
    Path(a.out).write_text(json.dumps(info, indent=1))


# ----------------------------------------------------------------------------------------------
# searches (each in its own child process); per-query perf_counter around the search call only


def search_bmp(idx, queries, k, a):
    import bmp
    s = bmp.Searcher(str(Path(idx) / 'index.bmp'))
    qs = [{str(t): float(w) for t, w in zip(q['terms'], q['weights'])} for q in queries]

    def one(i, k):
        if not qs[i]:
            return []
        docnos, _ = s.search(qs[i], k=k, alpha=1.0, beta=1.0)
        return docnos
    return one


def search_pisa(algorithm):
    def make(idx, queries, k, a):
        from pyterrier_pisa import _pisathon
        ctxt = pisa_context(Path(idx), a)
        # PISA (via pyterrier-pisa) takes integer query weights by repeating a term; these are
        # the same integers BMP derives from the float weights, so both score identically
        qs = [[(0, {str(t): float(w) for t, w in zip(q['terms'], q['qint'])})] for q in queries]
        buf = {}

        def one(i, k):
            if k not in buf:
                buf[k] = (np.empty(k, dtype=np.int32), np.empty(k, dtype=object),
                          np.empty(k, dtype=np.int32), np.empty(k, dtype=np.float32))
            qi, dn, rk, sc = buf[k]
            size = _pisathon.retrieve(ctxt, algorithm, qs[i], k=k, threads=1, pretokenised=True,
                                      query_weighted=1, result_qidxs=qi, result_docnos=dn,
                                      result_ranks=rk, result_scores=sc)
            return list(dn[:size])
        return one
    return make


def search_seismic(idx, queries, k, a):
    import seismic
    files = sorted(p for p in Path(idx).iterdir() if p.name.startswith('index.seismic'))
    index = seismic.SeismicIndex.load(str(files[0]))
    st = seismic.get_seismic_string()
    qs = [(q['id'], np.array([str(t) for t in q['terms']], dtype=st),
           np.array(q['weights'], dtype=np.float32)) for q in queries]

    def one(i, k):
        qid, c, v = qs[i]
        res = index.search(qid, c, v, k, a.seismic_query_cut, a.seismic_heap_factor)
        return [r[2] for r in res]  # (query id, score, doc id)
    return one


SEARCHERS = {'bmp': search_bmp, 'seismic': search_seismic}
PISA_ALGOS = ['maxscore', 'block_max_wand', 'block_max_maxscore', 'wand', 'ranked_or']
for _alg in PISA_ALGOS:
    SEARCHERS['pisa-' + _alg] = search_pisa(_alg)


def cmd_search(a):
    data = Data(a.data)
    queries = data.queries()
    ks = [int(k) for k in a.ks.split(',')]
    one = SEARCHERS[a.engine](a.index, queries, max(ks), a)
    for _ in range(a.warmup):
        for i in range(len(queries)):
            one(i, ks[0])
    out = {}
    for k in ks:
        lat, runs = [], {}
        for i, q in enumerate(queries):
            t0 = time.perf_counter()
            r = one(i, k)
            lat.append((time.perf_counter() - t0) * 1000.0)
            runs[q['id']] = [str(x) for x in r]
        out[str(k)] = {'latency': latency_stats(lat), 'runs': runs}
    Path(a.out).write_text(json.dumps(out))


# ----------------------------------------------------------------------------------------------
# exact scores computed in numpy, and how every run compares with them


def cmd_exact(a):
    data = Data(a.data)
    queries = data.queries()
    ids = data.doc_ids()
    pos = {d: i for i, d in enumerate(ids)}
    ptr = read_bin(data.d / 'inv_indptr.bin', np.int64)
    inv_docs = read_bin(data.d / 'inv_docs.bin', np.int32)
    inv_w = read_bin(data.d / 'inv_weights.bin', np.float32)
    inv_q8 = read_bin(data.d / 'inv_q8.bin', np.uint8)
    ks = [int(k) for k in a.ks.split(',')]
    runs = json.loads(Path(a.runs).read_text())  # {system: {k: {qid: [docids]}}, 'own': {system: 'f32'|'q8'}}
    own = runs.pop('_scoring')
    acc = {s: {str(k): {'overlap10': [], 'overlapk': [], 'own_exact': []} for k in runs[s]}
           for s in runs}
    f32 = np.zeros(data.n, dtype=np.float64)
    qsc = np.zeros(data.n, dtype=np.int64)
    exact_runs = {str(k): {} for k in ks}
    for q in queries:
        f32[:] = 0
        qsc[:] = 0
        for t, w, qi in zip(q['terms'], q['weights'], q['qint']):
            lo, hi = int(ptr[t]), int(ptr[t + 1])
            if hi > lo:
                d = inv_docs[lo:hi]
                f32[d] += np.float64(np.float32(w)) * inv_w[lo:hi].astype(np.float64)
                qsc[d] += int(qi) * inv_q8[lo:hi].astype(np.int64)
        kmax = min(max(ks), data.n)
        # exact f32 order: score desc, then document order (spladescope's tie rule)
        top = np.argpartition(-f32, kmax - 1)[:kmax]
        top = top[np.lexsort((top, -f32[top]))]
        top = top[f32[top] > 0]
        for k in ks:
            exact_runs[str(k)][q['id']] = [ids[i] for i in top[:k]]
        kth_cache = {}
        for s in runs:
            scores = f32 if own[s] == 'f32' else qsc
            for ks_, rr in runs[s].items():
                k = int(ks_)
                got = [pos[d] for d in rr.get(q['id'], []) if d in pos]
                ex10 = set(top[:10].tolist())
                exk = set(top[:k].tolist())
                n10 = min(10, len(ex10)) or 1
                acc[s][ks_]['overlap10'].append(len(ex10 & set(got[:10])) / n10)
                acc[s][ks_]['overlapk'].append(len(exk & set(got)) / (min(k, len(exk)) or 1))
                # own-exact: is this a correct top-k under the engine's own scoring (ties allowed)?
                kk = min(k, int((scores > 0).sum()))
                if kk == 0:
                    acc[s][ks_]['own_exact'].append(1.0 if not got else 0.0)
                    continue
                if (own[s], kk) not in kth_cache:
                    kth_cache[(own[s], kk)] = np.partition(scores, scores.size - kk)[scores.size - kk]
                kth = kth_cache[(own[s], kk)]
                ok = len(got) == kk and len(set(got)) == kk
                if ok:
                    g = scores[np.array(got)]
                    eps = 1e-4 * max(1.0, float(kth)) if own[s] == 'f32' else 0
                    ok = bool((g >= kth - eps).all())
                acc[s][ks_]['own_exact'].append(1.0 if ok else 0.0)
    res = {s: {ks_: {m: float(np.mean(v)) if v else None for m, v in mm.items()}
               for ks_, mm in acc[s].items()} for s in acc}
    Path(a.out).write_text(json.dumps(res, indent=1))
    Path(a.out).with_name('exact-f32-runs.json').write_text(json.dumps(exact_runs))


# ----------------------------------------------------------------------------------------------
# orchestration


def timed_child(args, log_path, cpu):
    """Run a child under /usr/bin/time -v (and taskset when asked); return wall s, peak RSS."""
    cmd = ['/usr/bin/time', '-v'] + args
    if cpu:
        cmd = ['taskset', '-c', cpu] + cmd
    env = dict(os.environ, RAYON_NUM_THREADS='1', OMP_NUM_THREADS='1', TBB_NUM_THREADS='1',
               OPENBLAS_NUM_THREADS='1', MKL_NUM_THREADS='1')
    t0 = time.perf_counter()
    with open(log_path, 'w') as lf:
        rc = subprocess.run(cmd, stdout=lf, stderr=subprocess.STDOUT, env=env).returncode
    wall = time.perf_counter() - t0
    text = Path(log_path).read_text(errors='replace')
    m = re.search(r'Maximum resident set size \(kbytes\): (\d+)', text)
    rss = int(m.group(1)) * 1024 if m else None
    return rc, wall, rss


def read_trec(path):
    runs = {}
    for line in open(path):
        p = line.split()
        if len(p) >= 4:
            runs.setdefault(p[0], []).append((int(p[3]), p[2]))
    return {q: [d for _, d in sorted(v)] for q, v in runs.items()}


def run_shape(a, shape):
    src = Path(a.data_root.replace('{shape}', shape))
    tag = f'{shape}-{a.docs if a.docs > 0 else "all"}'
    base = Path(a.work) / tag
    base.mkdir(parents=True, exist_ok=True)
    ddir = base / 'data'
    me = [sys.executable, str(Path(__file__).resolve())]
    common = ['--bmp-bsize', str(a.bmp_bsize), '--pisa-encoding', a.pisa_encoding,
              '--pisa-block', str(a.pisa_block),
              '--seismic-n-postings', str(a.seismic_n_postings),
              '--seismic-centroid-fraction', str(a.seismic_centroid_fraction),
              '--seismic-summary-energy', str(a.seismic_summary_energy),
              '--seismic-doc-cut', str(a.seismic_doc_cut),
              '--seismic-query-cut', str(a.seismic_query_cut),
              '--seismic-heap-factor', str(a.seismic_heap_factor)]
    ks = a.ks
    if not (ddir / 'meta.json').exists() or a.fresh:
        log(f'[{tag}] preparing data from {src}')
        rc, wall, rss = timed_child(me + ['_prepare', '--src', str(src), '--out', str(ddir),
                                          '--docs', str(a.docs)], base / 'prepare.log', a.cpu)
        if rc != 0:
            raise SystemExit(f'prepare failed, see {base / "prepare.log"}')
    data = Data(ddir)
    log(f'[{tag}] {data.n} documents, {data.meta["postings"]} postings, '
        f'{data.meta["queries"]} queries')
    rows = []  # one per (system, k)
    runs_for_eval = {'_scoring': {}}
    engines = a.engines.split(',')
    sysinfo = {}

    # spladescope ------------------------------------------------------------------------------
    if 'spladescope' in engines:
        sdir = base / 'spladescope'
        sdir.mkdir(exist_ok=True)
        idx = Path(a.spladescope_index) if a.spladescope_index else sdir / 'idx'
        build = {'build_seconds': None, 'build_peak_rss': None, 'note': ''}
        if a.spladescope_index:
            build['note'] = f'prebuilt index {idx}'
        elif not (idx / 'manifest.json').exists() or a.fresh:
            log(f'[{tag}] spladescope index')
            rc, wall, rss = timed_child(
                [a.spladescope, 'index', '--vectors', str(ddir / 'docs.jsonl'), '--vector-keys',
                 'ids', '--out', str(idx), '--model', a.model, '--threads', '1', '--force'],
                sdir / 'build.log', a.cpu)
            if rc != 0:
                raise SystemExit(f'spladescope index failed, see {sdir / "build.log"}')
            build.update(build_seconds=wall, build_peak_rss=rss)
            (sdir / 'build.json').write_text(json.dumps(build))
        else:
            build = json.loads((sdir / 'build.json').read_text())
        ibytes = dir_bytes([idx])
        for k in ks.split(','):
            base_cmd = [a.spladescope, 'retrieve', str(idx), '--query-vectors', str(src / 'queries.jsonl'),
                        '--vector-keys', 'ids', '-k', k, '--threads', '1']
            if a.warmup:
                timed_child(base_cmd + ['--json', '--run-out', str(sdir / 'warm.trec')],
                            sdir / 'warm.log', a.cpu)
            rundir = sdir / f'runs-k{k}'
            if rundir.exists():
                shutil.rmtree(rundir)
            cmd = base_cmd + ['--versus-exhaustive', '--json', '--run-out', str(rundir)]
            cpu_prefix = ['taskset', '-c', a.cpu] if a.cpu else []
            p = subprocess.run(cpu_prefix + cmd, capture_output=True, text=True)
            if p.returncode != 0:
                log(f'spladescope retrieve failed: {p.stderr[-2000:]}')
                continue
            (sdir / f'retrieve-k{k}.json').write_text(p.stdout)
            js = json.loads(p.stdout)
            for sysj in js['systems']:
                name = {'splade': 'spladescope/pruned', 'splade-exhaustive': 'spladescope/exhaustive'}[sysj['system']]
                runs_for_eval.setdefault(name, {})[k] = read_trec(sysj['run_file'])
                runs_for_eval['_scoring'][name] = 'f32'
                rows.append({'system': name, 'k': int(k), 'latency': sysj['latency'],
                             'index_bytes': ibytes, 'build_seconds': build['build_seconds'],
                             'build_peak_rss': build['build_peak_rss'],
                             'impacts': 'f32 (as parsed)', 'note': build.get('note', '')})

    # other engines -----------------------------------------------------------------------------
    groups = {'bmp': ['bmp'], 'pisa': ['pisa-' + x for x in a.pisa_algorithms.split(',')],
              'seismic': ['seismic']}
    impacts = {'bmp': f'u8 linear (x255/{data.meta["max_weight"]:.4g}); query ceil(x32/max q)',
               'pisa': 'same u8 impacts and integer query weights as BMP',
               'seismic': 'f32 in (stored f16 by SeismicIndex)'}
    for eng in ('bmp', 'pisa', 'seismic'):
        if eng not in engines:
            continue
        edir = base / eng
        idx = edir / 'index'
        edir.mkdir(exist_ok=True)
        log(f'[{tag}] build {eng}')
        rc, wall, rss = timed_child(me + ['_build', '--engine', eng, '--data', str(ddir), '--index',
                                          str(idx), '--out', str(edir / 'build.json')] + common,
                                    edir / 'build.log', a.cpu)
        if rc != 0:
            log(f'  {eng} build FAILED (rc {rc}), see {edir / "build.log"}')
            sysinfo[eng] = f'build failed rc={rc}'
            continue
        binfo = json.loads((edir / 'build.json').read_text())
        for sysname in groups[eng]:
            log(f'[{tag}] search {sysname}')
            out = edir / f'search-{sysname}.json'
            rc2, _, srss = timed_child(me + ['_search', '--engine', sysname, '--data', str(ddir),
                                             '--index', str(idx), '--ks', ks, '--out', str(out),
                                             '--warmup', str(a.warmup)] + common,
                                       edir / f'search-{sysname}.log', a.cpu)
            if rc2 != 0:
                log(f'  {sysname} search FAILED (rc {rc2}), see {edir}/search-{sysname}.log')
                sysinfo[sysname] = f'search failed rc={rc2}'
                continue
            sres = json.loads(out.read_text())
            label = sysname.replace('pisa-', 'pisa/')
            runs_for_eval['_scoring'][label] = 'f32' if eng == 'seismic' else 'q8'
            for k, v in sres.items():
                runs_for_eval.setdefault(label, {})[k] = v['runs']
                rows.append({'system': label, 'k': int(k), 'latency': v['latency'],
                             'index_bytes': binfo['index_bytes'], 'build_seconds': wall,
                             'build_peak_rss': rss, 'search_peak_rss': srss,
                             'impacts': impacts[eng], 'note': ''})

    # exactness ---------------------------------------------------------------------------------
    (base / 'runs.json').write_text(json.dumps(runs_for_eval))
    log(f'[{tag}] exact scores (numpy) and overlaps')
    rc, _, _ = timed_child(me + ['_exact', '--data', str(ddir), '--runs', str(base / 'runs.json'),
                                 '--ks', ks, '--out', str(base / 'exact.json')],
                           base / 'exact.log', a.cpu)
    ev = json.loads((base / 'exact.json').read_text()) if rc == 0 else {}
    for r in rows:
        r.update(ev.get(r['system'], {}).get(str(r['k']), {}))
    result = {'shape': shape, 'source': str(src), 'documents': data.n,
              'postings': data.meta['postings'], 'queries': data.meta['queries'],
              'prepare_seconds': data.meta['prepare_seconds'], 'failures': sysinfo, 'rows': rows}
    (base / 'results.json').write_text(json.dumps(result, indent=1))
    return result


def fmt_bytes(b):
    return '—' if b is None else f'{b / 1e6:,.0f} MB' if b >= 1e6 else f'{b / 1e3:,.0f} kB'


def markdown(results):
    out = []
    for res in results:
        out.append(f'\n### shape {res["shape"]}: {res["documents"]:,} documents, '
                   f'{res["postings"]:,} postings, {res["queries"]} queries ({res["source"]})\n')
        out.append('| system | k | mean ms | p50 ms | p99 ms | overlap@10 vs exact f32 | '
                   'overlap@k vs exact f32 | exact top-k on own impacts | index on disk | '
                   'build s | build peak RSS |')
        out.append('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
        for r in sorted(res['rows'], key=lambda r: (r['k'], r['system'])):
            L = r['latency']
            f = lambda x: '—' if x is None else f'{x:.3f}'
            out.append(
                f"| {r['system']} | {r['k']} | {L['mean_ms']:.3f} | {L['p50_ms']:.3f} | "
                f"{L['p99_ms']:.3f} | {f(r.get('overlap10'))} | {f(r.get('overlapk'))} | "
                f"{f(r.get('own_exact'))} | {fmt_bytes(r['index_bytes'])} | "
                f"{'—' if r['build_seconds'] is None else format(r['build_seconds'], '.1f')} | "
                f"{fmt_bytes(r['build_peak_rss'])} |")
        notes = sorted({f"{r['system'].split('/')[0]}: {r['note']}" for r in res['rows'] if r.get('note')})
        out.append(f"\nparsing the JSONL once for BMP/PISA/Seismic (not in their build s): "
                   f"{res['prepare_seconds']:.1f} s" + ''.join(f'; {n}' for n in notes))
        if res['failures']:
            out.append(f'\nfailures: {res["failures"]}')
    return '\n'.join(out)


def cmd_run(a):
    shapes = ['ind', 'top'] if a.shape == 'both' else [a.shape]
    results = []
    for shape in shapes:
        results.append(run_shape(a, shape))
    vers = {}
    for pkg in ('bmp', 'pyterrier-pisa', 'pyseismic-lsr', 'numpy'):
        try:
            from importlib.metadata import version
            vers[pkg] = version(pkg)
        except Exception:
            vers[pkg] = None
    sv = subprocess.run([a.spladescope, '--version'], capture_output=True, text=True).stdout.strip()
    vers['spladescope'] = sv
    md = markdown(results)
    print(f'\nEngines benchmark: shapes {shapes}, documents {a.docs if a.docs > 0 else "all"}, '
          f'k {a.ks}, one thread{" (taskset -c " + a.cpu + ")" if a.cpu else ""}, '
          f'warm-up passes {a.warmup}')
    print(f'versions: {vers}')
    print('settings: BMP block %d, alpha=beta=1 (exact); PISA %s, fixed blocks of %d postings, '
          'scorer quantized; Seismic n_postings=%d centroid_fraction=%g summary_energy=%g '
          'doc_cut=%d query_cut=%d heap_factor=%g' % (
              a.bmp_bsize, a.pisa_encoding, a.pisa_block, a.seismic_n_postings,
              a.seismic_centroid_fraction, a.seismic_summary_energy, a.seismic_doc_cut,
              a.seismic_query_cut, a.seismic_heap_factor))
    print(md)
    out = Path(a.json_out or Path(a.work) / 'engines-results.json')
    out.write_text(json.dumps({'versions': vers, 'args': vars(a), 'results': results}, indent=1))
    print(f'\nJSON: {out}')


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest='cmd', required=True)

    def engine_opts(q):
        q.add_argument('--bmp-bsize', type=int, default=32)
        q.add_argument('--pisa-encoding', default='block_simdbp')
        q.add_argument('--pisa-block', type=int, default=64)
        q.add_argument('--seismic-n-postings', type=int, default=3500)
        q.add_argument('--seismic-centroid-fraction', type=float, default=0.1)
        q.add_argument('--seismic-summary-energy', type=float, default=0.4)
        q.add_argument('--seismic-doc-cut', type=int, default=15)
        q.add_argument('--seismic-query-cut', type=int, default=10)
        q.add_argument('--seismic-heap-factor', type=float, default=0.7)

    r = sub.add_parser('run')
    r.add_argument('--shape', choices=['ind', 'top', 'both'], default='both')
    r.add_argument('--docs', type=int, default=0, help='first N documents (0 = all)')
    r.add_argument('--work', default='/tmp/engines-work')
    r.add_argument('--data-root', default='/tmp/scale-{shape}',
                   help='folder with docs.jsonl and queries.jsonl; {shape} is ind or top')
    r.add_argument('--spladescope', default='target/release/spladescope')
    r.add_argument('--spladescope-index', default=None,
                   help='use this prebuilt index instead of building one (must hold the same documents)')
    r.add_argument('--model', default=str(HERE.parent.parent.parent / 'shared/models/splade-tiny'),
                   help='model folder recorded in the spladescope index (no encoding happens)')
    r.add_argument('--engines', default='spladescope,bmp,pisa,seismic')
    r.add_argument('--pisa-algorithms', default='maxscore,block_max_wand,block_max_maxscore')
    r.add_argument('--ks', default='10,1000')
    r.add_argument('--warmup', type=int, default=1, help='untimed passes over the queries first')
    r.add_argument('--cpu', default='0', help='pin every step to this CPU list (taskset); "" = no pinning')
    r.add_argument('--fresh', action='store_true', help='re-parse data and rebuild the spladescope index')
    r.add_argument('--json-out', default=None)
    engine_opts(r)

    q = sub.add_parser('_prepare')
    q.add_argument('--src', required=True)
    q.add_argument('--out', required=True)
    q.add_argument('--docs', type=int, default=0)

    q = sub.add_parser('_build')
    q.add_argument('--engine', required=True)
    q.add_argument('--data', required=True)
    q.add_argument('--index', required=True)
    q.add_argument('--out', required=True)
    engine_opts(q)

    q = sub.add_parser('_search')
    q.add_argument('--engine', required=True)
    q.add_argument('--data', required=True)
    q.add_argument('--index', required=True)
    q.add_argument('--ks', default='10,1000')
    q.add_argument('--out', required=True)
    q.add_argument('--warmup', type=int, default=1)
    engine_opts(q)

    q = sub.add_parser('_exact')
    q.add_argument('--data', required=True)
    q.add_argument('--runs', required=True)
    q.add_argument('--ks', default='10,1000')
    q.add_argument('--out', required=True)

    a = p.parse_args()
    {'run': cmd_run, '_prepare': cmd_prepare, '_build': cmd_build, '_search': cmd_search,
     '_exact': cmd_exact}[a.cmd](a)


if __name__ == '__main__':
    main()
