#!/usr/bin/env python3
"""Dump `word<TAB>stem` pairs from NLTK's Porter stemmer (MARTIN_EXTENSIONS mode).

Words: all distinct lowercase ASCII-alphabetic words of the given BEIR corpora (title + text).
Usage: dump_porter_pairs.py OUT.tsv CORPUS.jsonl [CORPUS.jsonl ...]
The Rust test `tests/porter_nltk.rs` reads OUT (env SPLADESCOPE_PORTER_PAIRS, default
/tmp/spladescope_porter_pairs.tsv) and compares it with `analysis::porter::stem`.
"""
import json
import re
import sys

from nltk.stem.porter import PorterStemmer


def main() -> None:
    out, corpora = sys.argv[1], sys.argv[2:]
    words = set()
    for path in corpora:
        with open(path, encoding="utf-8") as f:
            for line in f:
                doc = json.loads(line)
                text = (doc.get("title") or "") + " " + (doc.get("text") or "")
                words.update(re.findall(r"[a-z]+", text.lower()))
    stemmer = PorterStemmer(mode=PorterStemmer.MARTIN_EXTENSIONS)
    with open(out, "w", encoding="utf-8") as f:
        for w in sorted(words):
            f.write(f"{w}\t{stemmer.stem(w, to_lowercase=False)}\n")
    print(f"wrote {len(words)} pairs to {out}")


if __name__ == "__main__":
    main()
