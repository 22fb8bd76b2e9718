#!/usr/bin/env python3
"""Random mixed-script strings for differential tests of the tokenizer against Lucene.

Usage: fuzz_strings.py SEED COUNT > IN.txt
then:  java ... LuceneReference --strings IN.txt OUT.tsv
       SPLADESCOPE_LUCENE_STRINGS=OUT.tsv cargo test --release --test lucene_tokens
"""
import json
import random
import sys

POOLS = [
    "abcxyzABC", "0189", " \t\r\n", ".,'’‘:;-_/@#&*()\"!?·\uff07\u2024\ufe52\uff0e\u05f4\u2027\uff1a\u066c",
    "αβΣσ", "éñçİß", "漢字", "かな", "カタナー", "한국", "ภาษาไทย", "ລາວ", "ကမ္ဘာ\u1039",
    "שלום\u05f3", "مرحبا", "हिन्दी", "\u0301\u0308\u200d\ufe0f\ufe0e\u00ad\u200b\u2060\ufeff",
    "©®™↔😀👍🏻🏽❤☺🔥🏴\U000E0067\U000E007F", "\U0001F1FA\U0001F1F8", "#*\u20e3", "\u202f_\u203f",
    "１２ＡＢ", "²½①", "\U0001d431\U00020000",
]


def main() -> None:
    rng = random.Random(int(sys.argv[1]))
    for _ in range(int(sys.argv[2])):
        s = "".join(rng.choice(rng.choice(POOLS)) for _ in range(rng.randint(1, 30)))
        if rng.random() < 0.1:
            s = (s * rng.randint(10, 40))[:1200]
        print(json.dumps(s)[1:-1])


if __name__ == "__main__":
    main()
