#!/usr/bin/env bash
# Peak resident memory and time of `spladescope index` on one long document: 33.5 MB of
# English words, and 33 MB of Chinese without spaces (the numbers in the README).
#
#   scripts/long-document-memory.sh [BINARY] [MODEL]
#   defaults: target/release/spladescope, ../shared/models/splade-tiny
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/spladescope}
model=${2:-${SPLADESCOPE_SHARED:-../shared}/models/splade-tiny}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$work" <<'PY'
import json, sys
out = sys.argv[1]
words = ["reset", "login", "password", "engine", "sparse", "query", "1234", "e-mail"]
parts, n, i = [], 0, 0
while n < 32 << 20:
    w = words[i % 8]; parts.append(w); n += len(w) + 1; i += 1
with open(f"{out}/english.jsonl", "w") as f:
    f.write(json.dumps({"_id": "long", "title": "A long one", "text": " ".join(parts)}) + "\n")
    f.write(json.dumps({"_id": "short", "text": "reset my login"}) + "\n")
text = ("东京塔很高。我们在北京学习中文，今天天气很好。" * 800000)[:11_000_000]
with open(f"{out}/chinese.jsonl", "w") as f:
    f.write(json.dumps({"_id": "cjk", "text": text}, ensure_ascii=False) + "\n")
PY
for corpus in english chinese; do
    python3 - "$bin" "$work/$corpus.jsonl" "$work/$corpus.idx" "$model" <<'PY'
import os, resource, subprocess, sys, time
bin, corpus, out, model = sys.argv[1:]
start = time.time()
r = subprocess.run([bin, "index", corpus, "--out", out, "--model", model, "--max-length", "256"],
                   capture_output=True, text=True)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(f"{os.path.basename(corpus)}: {os.path.getsize(corpus) / 1e6:.1f} MB, exit {r.returncode}, "
      f"peak RSS {peak:.0f} MB, {time.time() - start:.1f} s")
if r.returncode:
    print(r.stderr, file=sys.stderr)
PY
done
