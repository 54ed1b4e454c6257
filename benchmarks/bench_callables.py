"""Cost of Python callables in topictag's vectorizers, beside scikit-learn, on 20 Newsgroups.

topictag runs its analysis in Rust; a Python ``analyzer``, ``tokenizer`` or ``preprocessor``
runs per document in Python and the rest (vocabulary, counting, idf, norms) stays in Rust
(see ``_vectorizers.py``). This measures ``TfidfVectorizer(...).fit_transform`` on the
training split (11,314 messages) for:

  rust          the default analysis (token_pattern in Rust)
  tokenizer     tokenizer=<a compiled regex's findall> (the default pattern, in Python)
  preprocessor  preprocessor=str.lower (then Rust tokenizing)
  analyzer      analyzer=<lowercase + findall>, a complete word analyzer in Python

each for topictag and scikit-learn, best of ``--runs`` in one process per library (the two
alternate ``--rounds`` times). Wall and CPU seconds; the machine is shared, so compare
ratios within a run. Usage: ``python benchmarks/bench_callables.py [--runs 3] [--rounds 2]``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

_WORD = re.compile(r"(?u)\b\w\w+\b")


def find_words(doc):
    return _WORD.findall(doc)


def lower_words(doc):
    return _WORD.findall(doc.lower())


CASES = {
    "rust": {},
    "tokenizer": {"tokenizer": find_words, "token_pattern": None},
    "preprocessor": {"preprocessor": str.lower},
    "analyzer": {"analyzer": lower_words},
}


def worker(lib: str, runs: int) -> dict:
    import datasets_shared as ds

    train, _ = ds.load_20newsgroups("train")
    if lib == "topictag":
        from topictag import TfidfVectorizer
    else:
        from sklearn.feature_extraction.text import TfidfVectorizer
    out = {}
    for case, params in CASES.items():
        best = (float("inf"), 0.0, 0)
        for _ in range(runs):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                c0, t0 = time.process_time(), time.perf_counter()
                X = TfidfVectorizer(**params).fit_transform(train)
                t, c = time.perf_counter() - t0, time.process_time() - c0
            if t < best[0]:
                best = (t, c, X.shape[1])
        out[case] = best
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--worker")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=2)
    a = ap.parse_args()
    if a.worker:
        print(json.dumps(worker(a.worker, a.runs)))
        return
    res: dict = {"scikit-learn": [], "topictag": []}
    for _ in range(a.rounds):
        for lib in res:
            p = subprocess.run([sys.executable, __file__, "--worker", lib, "--runs", str(a.runs)],
                               capture_output=True, text=True, check=True)
            res[lib].append(json.loads(p.stdout.strip().splitlines()[-1]))
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"TfidfVectorizer().fit_transform on 20 Newsgroups train; load average {load}")
    print("| analysis | scikit-learn s (CPU) | topictag s (CPU) | speed-up | columns |")
    print("|---|---:|---:|---:|---:|")
    for case in CASES:
        sk = min((r[case] for r in res["scikit-learn"]), key=lambda v: v[0])
        tt = min((r[case] for r in res["topictag"]), key=lambda v: v[0])
        print(f"| {case} | {sk[0]:.2f} ({sk[1]:.2f}) | {tt[0]:.2f} ({tt[1]:.2f}) | "
              f"{sk[0] / tt[0]:.1f}x | {tt[2]:,} (sklearn {sk[2]:,}) |")


if __name__ == "__main__":
    main()
