"""Two builds of topictag side by side: the same workloads in fresh processes, alternating.

For a change that should not move speed (a refactor, a dependency bump), run the three hot
paths of the other benchmarks -- bigram TF-IDF fit_transform and transform (bench_vectorize),
LinearSVC fit (bench_linear), raw-text prediction with a TopicClassifier (bench_predict) --
under two Python environments that each have a build of topictag installed, A B A B ...,
and print each build's median and the per-round ratio B/A.

Usage::

    python benchmarks/bench_ab.py --a /path/to/venv-a/bin/python --b .venv/bin/python \
        [--rounds 5] [--out benchmarks/results/NAME.md]

Data: 20 Newsgroups by-date from ``../shared/data`` (or ``TOPICTAG_SHARED_DATA``).
"""

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORKLOADS = ["tfidf_fit_transform", "tfidf_transform", "linearsvc_fit", "topic_predict"]


def worker(name: str) -> None:
    sys.path.insert(0, str(HERE))
    import topictag as tt
    from datasets_shared import load_20newsgroups

    train, y = load_20newsgroups("train")
    test, _ = load_20newsgroups("test")
    vec = tt.TfidfVectorizer(ngram_range=(1, 2), dtype="float32")
    if name == "tfidf_fit_transform":
        t0 = time.perf_counter()
        vec.fit_transform(train)
    elif name == "tfidf_transform":
        vec.fit(train)
        t0 = time.perf_counter()
        vec.transform(test)
    elif name == "linearsvc_fit":
        X = vec.fit_transform(train)
        t0 = time.perf_counter()
        tt.LinearSVC().fit(X, y)
    elif name == "topic_predict":
        clf = tt.TopicClassifier().fit(train, y)
        t0 = time.perf_counter()
        clf.predict(test)
    else:
        raise SystemExit(f"unknown workload {name!r}")
    print(json.dumps({"seconds": time.perf_counter() - t0, "version": tt.__version__}))


def run(python: str, name: str) -> float:
    out = subprocess.run([python, __file__, "--worker", name], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])["seconds"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--a", help="Python of build A (the reference)")
    ap.add_argument("--b", help="Python of build B (the change)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--only", default="", help="run only the workloads whose name contains this")
    ap.add_argument("--out", default="")
    ap.add_argument("--worker")
    args = ap.parse_args()
    if args.worker:
        worker(args.worker)
        return
    if not (args.a and args.b):
        ap.error("--a and --b are required")
    rows = []
    for name in [w for w in WORKLOADS if args.only in w]:
        a_s, b_s = [], []
        for _ in range(args.rounds):
            a_s.append(run(args.a, name))
            b_s.append(run(args.b, name))
        ratios = [b / a for a, b in zip(a_s, b_s)]
        rows.append((name, statistics.median(a_s), statistics.median(b_s), ratios))
        print(f"{name}: A {statistics.median(a_s):.3f}s  B {statistics.median(b_s):.3f}s  "
              f"B/A median {statistics.median(ratios):.3f} "
              f"[{', '.join(f'{r:.2f}' for r in ratios)}]", flush=True)
    if args.out:
        with open(args.out, "w") as f:
            f.write("# topictag build A vs build B, same workloads, alternating fresh processes\n\n")
            f.write(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; A = `{args.a}`, "
                    f"B = `{args.b}`; {args.rounds} rounds; wall seconds of the timed call.\n\n")
            f.write("| workload | A median s | B median s | B/A median | B/A per round |\n")
            f.write("|---|---:|---:|---:|---|\n")
            for name, a, b, r in rows:
                f.write(f"| {name} | {a:.3f} | {b:.3f} | {statistics.median(r):.3f} | "
                        f"{', '.join(f'{x:.2f}' for x in r)} |\n")


if __name__ == "__main__":
    main()
