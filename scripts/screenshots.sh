#!/usr/bin/env bash
# Regenerates screenshots/*.png: every view of the explorer over the demo collection,
# driven by keys headlessly (examples/screenshots.rs), rendered to PNG by
# scripts/render_screenshot.py (Pillow, DejaVu fonts). Repeatable: same code, same images.
#
#   scripts/screenshots.sh            # needs ../shared/models (splade-tiny and -nfcorpus)
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/screenshot-venv
if ! "$venv/bin/python" -c 'import PIL' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet pillow fonttools
fi
if ! fc-list 2>/dev/null | grep -qi 'DejaVuSansMono'; then
    echo "needs the DejaVu fonts: apt-get install fonts-dejavu-core" >&2
    exit 1
fi
dumps=target/screenshot-dumps
rm -rf "$dumps"
cargo run --release --quiet --example screenshots -- "$dumps"
mkdir -p screenshots
for f in "$dumps"/*.json; do
    name=$(basename "$f" .json)
    "$venv/bin/python" scripts/render_screenshot.py "$f" "screenshots/$name.png" --title "spladescope"
    echo "screenshots/$name.png"
done
