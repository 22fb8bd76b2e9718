#!/usr/bin/env bash
# Fixtures of tests/engine_parity.rs: SciFact's vectors and test queries exported with
# `spladescope export`, loaded into the real engines that run here, and their top 10 per query.
#
#   scripts/reference/engines_reference.sh [INDEX]
#
# INDEX: the test index of SciFact (default target/tmp/scifact-splade-tiny-256, which the
# tests build; built here with the same settings if missing). Writes tests/fixtures/engines/:
#   es.trec            Lucene FeatureField, Elasticsearch sparse_vector (prune: false)
#   es-prune.trec      the same with Elasticsearch's pruning_config 5 / 0.4
#   os-two-phase.trec  OpenSearch's two-phase processor 0.4 / 5 (window 50 at k = 10)
#   anserini.trec      Anserini (impact index of the anserini export, TsvString queries)
#   pisa.trec bmp.trec qdrant.trec seismic.trec   (engines_reference.py)
#   manifest.json      sha256 of every export file the engines read, and the versions
# Needs: Java 21+ ($JAVA_HOME, default Temurin 25 at /usr/lib/jvm/temurin-25-jdk-amd64);
# a virtualenv with pyserini (for Anserini's fatjar, which also carries Lucene 9.9.1),
# pyterrier-pisa, bmp, pyseismic-lsr, qdrant-client and ciff-toolkit ($ENGINES_VENV, default
# /opt/engines/venv; created with the versions below if missing, about 400 MB without
# pyserini's optional torch). Takes about 3 minutes on two cores.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
INDEX="${1:-target/tmp/scifact-splade-tiny-256}"
SHARED="${SPLADESCOPE_SHARED:-$ROOT/../shared}"
BEIR="$SHARED/data/scifact"
VENV="${ENGINES_VENV:-/opt/engines/venv}"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
K=10
WORK="$(mktemp -d /tmp/engines-reference.XXXXXX)"
OUT="$ROOT/tests/fixtures/engines"
mkdir -p "$OUT"

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --no-deps pyserini==1.6.0
  "$VENV/bin/pip" install -q pyjnius numpy pandas tqdm pyterrier-pisa==0.4.9 bmp==0.2.8 \
    pyseismic-lsr==0.5.4 qdrant-client==1.20.0 ciff-toolkit==0.2.2
fi
JAR="$(ls "$VENV"/lib/python3*/site-packages/pyserini/resources/jars/anserini-*-fatjar.jar | head -1)"
JAVA="$JAVA_HOME/bin/java"

cargo build --release --locked -q
BIN="$ROOT/target/release/spladescope"
if [ ! -d "$INDEX" ]; then
  "$BIN" index "$BEIR" --out "$INDEX" --model "$SHARED/models/splade-tiny" --max-length 256
fi

echo "[engines] exports in $WORK" >&2
"$BIN" export "$INDEX" --to elasticsearch --beir "$BEIR" -k $K --out "$WORK/elasticsearch"
"$BIN" export "$INDEX" --to opensearch --beir "$BEIR" -k $K --out "$WORK/opensearch"
"$BIN" export "$INDEX" --to anserini --beir "$BEIR" -k $K --out "$WORK/anserini"
"$BIN" export "$INDEX" --to ciff --beir "$BEIR" -k $K --out "$WORK/ciff"
"$BIN" export "$INDEX" --to qdrant --beir "$BEIR" -k $K --out "$WORK/qdrant"
"$BIN" export "$INDEX" --to seismic --beir "$BEIR" -k $K --out "$WORK/seismic"

echo "[engines] Lucene FeatureField" >&2
mkdir -p "$WORK/classes"
"$JAVA_HOME/bin/javac" -nowarn -cp "$JAR" -d "$WORK/classes" scripts/reference/FeatureFieldReference.java
FF=("$JAVA" -cp "$JAR:$WORK/classes" FeatureFieldReference)
"${FF[@]}" "$WORK/elasticsearch" "$OUT/es.trec" $K plain
"${FF[@]}" "$WORK/elasticsearch" "$OUT/es-prune.trec" $K prune 5 0.4
"${FF[@]}" "$WORK/opensearch" "$OUT/os-two-phase.trec" $K two-phase 0.4 5

echo "[engines] Anserini" >&2
AN=("$JAVA" --add-modules=jdk.incubator.vector -cp "$JAR")
"${AN[@]}" io.anserini.index.IndexCollection -collection JsonVectorCollection \
  -input "$WORK/anserini/corpus" -index "$WORK/anserini-index" \
  -generator DefaultLuceneDocumentGenerator -threads 1 -impact -pretokenized > "$WORK/anserini-index.log" 2>&1
"${AN[@]}" io.anserini.search.SearchCollection -index "$WORK/anserini-index" \
  -topics "$WORK/anserini/queries.tsv" -topicReader TsvString -output "$OUT/anserini.trec" \
  -impact -pretokenized -hits $K -threads 1 > "$WORK/anserini-search.log" 2>&1

echo "[engines] PISA, BMP, Qdrant, Seismic" >&2
"$VENV/bin/python" scripts/reference/engines_reference.py "$WORK" "$OUT" $K

"$VENV/bin/python" - "$WORK" "$OUT" "$VENV" "$JAR" <<'EOF'
import hashlib, json, os, subprocess, sys
work, out, venv, jar = sys.argv[1:5]
files = {}
for target in ["elasticsearch", "opensearch", "anserini", "ciff", "qdrant", "seismic"]:
    root = os.path.join(work, target)
    for dirpath, _, names in os.walk(root):
        for n in sorted(names):
            if n in ("README.md", "export.json"):
                continue
            p = os.path.join(dirpath, n)
            files[os.path.relpath(p, work)] = hashlib.sha256(open(p, "rb").read()).hexdigest()
from importlib.metadata import version
versions = {p: version(p) for p in
            ("pyserini", "pyterrier-pisa", "bmp", "pyseismic-lsr", "qdrant-client", "ciff-toolkit")}
versions["anserini-fatjar"] = os.path.basename(jar)
versions["java"] = subprocess.run([os.path.join(os.environ["JAVA_HOME"], "bin", "java"), "-version"],
                                  capture_output=True, text=True).stderr.splitlines()[0]
json.dump({"k": 10, "exports": files, "versions": versions}, open(os.path.join(out, "manifest.json"), "w"),
          indent=1, sort_keys=True)
EOF
rm -rf "$WORK"
echo "[engines] wrote $OUT" >&2
