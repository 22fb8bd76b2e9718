#!/usr/bin/env bash
# Compare spladescope's `retrieve` with other learned-sparse engines on the same vectors.
#
# Engines (PyPI wheels, versions pinned in scripts/bench/requirements.txt):
#   spladescope  exact pruned (`retrieve --algorithm pruned`) and exhaustive, f32 impacts,
#                from `retrieve --versus-exhaustive --json --threads 1`
#   BMP          (`bmp`) block-max pruning, block size 32, alpha = beta = 1 (exact on its input)
#   PISA         (`pyterrier-pisa`, PISA's C++ through its Python module; no JVM is started)
#                maxscore, block_max_wand, block_max_maxscore over block_simdbp postings,
#                fixed block-max blocks of 64 postings, the `quantized` (dot product) scorer
#   Seismic      (`pyseismic-lsr`) approximate; recall against the exact f32 top-k
#
# The same vectors go to every engine: documents are parsed once from docs.jsonl
# (f32 weights, zeros dropped). spladescope indexes the JSONL itself (its first N lines).
# Seismic gets the f32 weights (it stores values as f16). BMP stores 8-bit impacts and
# rescales query weights to at most 32, so BMP and PISA both get the same 8-bit document
# impacts round(w * 255 / max w) and the same integer query weights ceil(q * 32 / max q)
# (BMP's own query rule; PISA takes integer query weights). They are exact on those impacts,
# which is what the "exact top-k on own impacts" column checks (ties allowed); overlap with
# the exact f32 top-k (computed in numpy, spladescope's tie rule) shows the quantisation loss.
#
# Timing: every query is timed alone with time.perf_counter() around the engine's search call
# (spladescope: its own per-query search timing), one thread, each step pinned to one CPU with
# taskset (--cpu ''  to disable), after one untimed warm-up pass (--warmup 0 to disable).
# Build time and peak RSS are those of the build process under /usr/bin/time -v. For BMP,
# PISA and Seismic the build starts from the parsed binary arrays (parsing the JSONL is the
# "prepare" step, reported separately); spladescope's build parses the JSONL itself.
# Index bytes: BMP's index file; PISA's compressed index + block-max data + lexicons (not the
# uncompressed collection it is built from); Seismic's saved index; spladescope's whole index
# directory (forward index and document records included).
#
# Usage:
#   scripts/bench/engines.sh [--shape ind|top|both] [--docs N] [--work DIR]
#                            [--spladescope BIN] [--spladescope-index DIR] [--ks 10,1000]
#                            [--engines spladescope,bmp,pisa,seismic] [more: engines.py run -h]
#   e.g. quick:  scripts/bench/engines.sh --docs 50000 --shape both --spladescope /tmp/spladescope-bin
#        full:   scripts/bench/engines.sh --shape ind --spladescope /tmp/spladescope-bin
#
# Needs: python3 (3.11 tested) with venv, /usr/bin/time, taskset, network access to PyPI the
# first time (virtualenv at $ENGINES_VENV, default /tmp/engines-venv, ~1 GB), a built
# spladescope binary, and the model folder the index records (--model, default
# ../shared/models/splade-tiny beside the repository; nothing is encoded). Input: /tmp/scale-{ind,top}/
# {docs,queries}.jsonl (see README "Scale"; --data-root to change).
# Disk and time for 1M documents (250 M postings) per shape, measured single-core on a busy
# 2-core machine: parsing the JSONL ("prepare") 17 min and 8.4 GB peak RSS, once per shape and
# then cached in the work dir (~5.3 GB of arrays); spladescope's index 3.2 GB (or reuse one with
# --spladescope-index); Seismic's build alone took 5.3 min at 50k documents and grows with N, and
# each system searches the 623 queries three times (warm-up, k=10, k=1000), which at 1M is
# minutes per system for the slower ones (pass --engines/--pisa-algorithms/--warmup 0 to trim).
# Plan on 15-20 GB of disk and a few hours for a full 1M run of all engines per shape.
# With --docs 50000: about 1.5 GB and 10-12 minutes per shape (5 of them Seismic's build).
# Output: a Markdown table on stdout, JSON in <work>/engines-results.json (--json-out), and per
# shape <work>/<shape>-<N>/results.json with logs of every step.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
VENV="${ENGINES_VENV:-/tmp/engines-venv}"
if [ ! -x "$VENV/bin/python" ]; then
  echo "[engines] creating virtualenv $VENV" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip
fi
if ! "$VENV/bin/python" -c "import bmp, seismic, pyterrier_pisa" 2>/dev/null; then
  echo "[engines] installing $HERE/requirements.txt into $VENV" >&2
  "$VENV/bin/pip" install -q -r "$HERE/requirements.txt"
fi
cd "$ROOT"
has_bin=0
for a in "$@"; do [ "$a" = "--spladescope" ] && has_bin=1; done
extra=()
[ "$has_bin" = 0 ] && extra=(--spladescope "$ROOT/target/release/spladescope")
exec "$VENV/bin/python" "$HERE/engines.py" run "${extra[@]}" "$@"
