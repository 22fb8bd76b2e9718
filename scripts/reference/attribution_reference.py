#!/usr/bin/env python3
"""PyTorch / transformers reference for SPLADE attribution: which input position gives each
term its weight.

For each of the 25 golden splade-tiny cases (tests/fixtures/golden/splade-tiny/NN_*.json:
text, max_length, token_ids), this script:

1. tokenizes the text alone, truncated on the right to the case's max_length ([CLS]/[SEP]
   counted), token_type_ids 0, no padding, and asserts the ids equal the golden ones;
2. runs AutoModelForMaskedLM (float32, CPU, eval mode) and computes
   act[t, v] = log(1 + relu(logits[t, v])), w[v] = max over t of act[t, v];
3. for every term with w[v] > 0 records the argmax position (torch.max over positions; the
   first maximal position is taken explicitly), how many positions reach the maximum exactly
   (`ties`, 1 when unique) and the gap between the best and second-best activations
   (`margin`, in float32 after the activation);
4. writes tests/fixtures/attribution/splade-tiny.json:
   {"model", "torch", "transformers", "cases": {name: {"max_length", "token_ids",
    "terms": [[id, position, ties, margin], ...] sorted by id}}, "tied_terms", "terms"}
   with margins rounded to 3 significant digits.

The model is loaded from its local directory only (HF_HUB_OFFLINE=1); nothing is downloaded.

Setup and run (a virtualenv outside the repo; PyPI serves the CUDA build of torch, which runs
on the CPU here, see dense_reference.md):

    python3 -m venv /work/venv-torch
    /work/venv-torch/bin/pip install torch==2.15.0 transformers==5.24.0 numpy==2.4.6
    /work/venv-torch/bin/python scripts/reference/attribution_reference.py \
        --model ../shared/models/splade-tiny --golden tests/fixtures/golden/splade-tiny \
        --out tests/fixtures/attribution/splade-tiny.json
"""

import argparse
import glob
import json
import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import torch  # noqa: E402
import transformers  # noqa: E402
from transformers import AutoModelForMaskedLM, AutoTokenizer  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--golden", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    torch.set_num_threads(2)
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    model = AutoModelForMaskedLM.from_pretrained(args.model, dtype=torch.float32).eval()

    cases = {}
    tied_terms = 0
    all_terms = 0
    for path in sorted(glob.glob(os.path.join(args.golden, "[0-9]*.json"))):
        name = os.path.splitext(os.path.basename(path))[0]
        golden = json.load(open(path, encoding="utf-8"))
        enc = tokenizer(
            golden["text"],
            truncation=True,
            max_length=golden["max_length"],
            return_tensors="pt",
        )
        ids = enc["input_ids"][0].tolist()
        assert ids == golden["token_ids"], f"{name}: token ids differ from the golden case"
        with torch.no_grad():
            logits = model(
                input_ids=enc["input_ids"],
                attention_mask=enc["attention_mask"],
                token_type_ids=torch.zeros_like(enc["input_ids"]),
            ).logits[0]
        act = torch.log1p(torch.relu(logits))  # [T, V]
        weights, _ = act.max(dim=0)
        nonzero = torch.nonzero(weights > 0).flatten().tolist()
        terms = []
        for v in nonzero:
            column = act[:, v]
            best = column.max()
            at_max = torch.nonzero(column == best).flatten().tolist()
            position = at_max[0]
            others = torch.cat([column[:position], column[position + 1:]])
            margin = float(best - others.max()) if others.numel() else float("inf")
            ties = len(at_max)
            tied_terms += ties > 1
            all_terms += 1
            terms.append([v, position, ties, float(f"{margin:.3g}")])
        cases[name] = {
            "max_length": golden["max_length"],
            "token_ids": ids,
            "terms": terms,
        }
        print(f"{name}: {len(terms)} terms, {sum(t[2] > 1 for t in terms)} tied")

    out = {
        "model": os.path.basename(os.path.normpath(args.model)),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "terms": all_terms,
        "tied_terms": tied_terms,
        "cases": cases,
    }
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print(f"{all_terms} terms in {len(cases)} cases, {tied_terms} with tied positions -> {args.out}")


if __name__ == "__main__":
    main()
