"""topictag vs scikit-learn vectorizers on 20 Newsgroups (train 11,314 / test 7,532 documents).

Cases (same parameters on both sides):
  bigram fit_transform   TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
  unigram fit_transform  TfidfVectorizer()
  bigram transform       the bigram model (fitted on train, not timed) on the test split

Each (library, case) runs in fresh subprocesses, ``--rounds`` of them per library (default 2),
the two libraries' processes alternating (scikit-learn, topictag, scikit-learn, topictag, ...)
so that both meet the same spells of load on a shared machine, where the speed of the same
code drifts by a third or more over minutes. Per library: the best wall time over all runs
(3 per process), the CPU time of that run (user + system of the process, all threads), the
ratio of each round printed beside the overall one, and peak memory: the largest over the
rounds of the peak during a process's FIRST run = peak RSS during it minus RSS just before it. The kernel's
peak-RSS counter is reset before the run (``/proc/self/clear_refs`` = 5, then ``VmHWM`` from
``/proc/self/status``), so loading the documents does not count; for transform the model is
fitted in another process and pickled, and only unpickled here (then one one-document transform,
for both libraries, so the model is ready). (Later runs would under-count:
allocators keep freed memory. Without /proc, ``ru_maxrss`` minus the RSS after loading.)
topictag runs with all cores and its default output dtype, or the one ``--dtype`` names
(``float32`` or ``float64``); scikit-learn always with its default float64 (float32 would
not make it faster).

Usage: ``python benchmarks/bench_vectorize.py [--runs 3] [--rounds 2] [--dtype float32]
[--write]`` (``--write`` saves the table to benchmarks/results/vectorize.md).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import reset_peak, status_mb  # noqa: E402

CASES = {
    "bigram fit_transform": ("fit_transform", dict(ngram_range=(1, 2), min_df=2, sublinear_tf=True)),
    "unigram fit_transform": ("fit_transform", {}),
    "bigram transform": ("transform", dict(ngram_range=(1, 2), min_df=2, sublinear_tf=True)),
}


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _params(lib: str, params: dict, dtype: str) -> dict:
    """The case's parameters, plus ``dtype`` for topictag unless it is "default"."""
    if lib == "topictag" and dtype != "default":
        import numpy as np

        return {**params, "dtype": getattr(np, dtype)}
    return dict(params)


def worker(lib: str, case: str, runs: int, dtype: str = "default") -> dict:
    import datasets_shared as ds

    train, _ = ds.load_20newsgroups("train")
    test, _ = ds.load_20newsgroups("test")
    if lib == "topictag":
        from topictag import TfidfVectorizer
    else:
        from sklearn.feature_extraction.text import TfidfVectorizer
    what, params = CASES[case]
    params = _params(lib, params, dtype)
    base = _rss_mb()
    docs = train if what == "fit_transform" else test
    mb = sum(len(d.encode("utf-8")) for d in docs) / 1e6
    fitted = None
    if what == "transform":
        import pickle

        with open(model_path(lib), "rb") as f:
            fitted = pickle.load(f)
        fitted.transform(docs[:1])  # model ready (topictag builds its lookup table lazily)
        base = _rss_mb()
    best, cpu, shape, nnz, peak = float("inf"), 0.0, None, None, 0.0
    for _ in range(runs):
        import gc

        gc.collect()
        hwm = reset_peak()
        before = status_mb("VmRSS") if hwm else None
        c0, t0 = time.process_time(), time.perf_counter()
        if what == "fit_transform":
            X = TfidfVectorizer(**params).fit_transform(docs)
        else:
            X = fitted.transform(docs)
        t, c = time.perf_counter() - t0, time.process_time() - c0
        if peak == 0.0:
            peak = (status_mb("VmHWM") - before) if hwm else (_rss_mb() - base)
        if t < best:
            best, cpu = t, c
        shape, nnz, out_dtype = X.shape, X.nnz, X.dtype.name
        del X
    return dict(seconds=best, cpu=cpu, mb=mb, peak_mb=peak, shape=shape, nnz=nnz,
                dtype=out_dtype)


def model_path(lib: str) -> str:
    import tempfile

    return os.path.join(tempfile.gettempdir(), f"bench_vectorize_{lib}_{os.getppid() if WORKER else os.getpid()}_{DTYPE}.pkl")


WORKER = False
DTYPE = "default"


def prepare(lib: str, dtype: str = "default") -> None:
    import pickle

    import datasets_shared as ds

    train, _ = ds.load_20newsgroups("train")
    if lib == "topictag":
        from topictag import TfidfVectorizer
    else:
        from sklearn.feature_extraction.text import TfidfVectorizer
    v = TfidfVectorizer(**_params(lib, CASES["bigram transform"][1], dtype)).fit(train)
    with open(model_path(lib), "wb") as f:
        pickle.dump(v, f)


def run_one(lib: str, case: str, runs: int) -> dict:
    if CASES[case][0] == "transform" and not os.path.exists(model_path(lib)):
        subprocess.run([sys.executable, __file__, "--prepare", lib, "--dtype", DTYPE], check=True)
    out = subprocess.run(
        [sys.executable, __file__, "--worker", lib, case, "--runs", str(runs), "--dtype", DTYPE],
        capture_output=True, text=True, check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def machine() -> str:
    from _common import cpu_model

    cpu = cpu_model(platform.processor() or "unknown CPU")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{os.cpu_count()} cores (nproc), {cpu}; load average before the run: {load}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--worker", nargs=2)
    ap.add_argument("--prepare")
    ap.add_argument("--only", default="", help="run only the cases whose name contains this")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--dtype", default="default", choices=["default", "float32", "float64"],
                    help="topictag's output dtype (default: its own default)")
    a = ap.parse_args()
    global WORKER, DTYPE
    DTYPE = a.dtype
    if a.worker or a.prepare:
        WORKER = True
    if a.prepare:
        prepare(a.prepare, a.dtype)
        return
    if a.worker:
        print(json.dumps(worker(a.worker[0], a.worker[1], a.runs, a.dtype)))
        return
    import sklearn

    import topictag

    header = (
        f"# Vectorizer benchmark: topictag {topictag.__version__} vs scikit-learn {sklearn.__version__}\n\n"
        f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC; {machine()}.\n"
        f"20 Newsgroups by-date (train 11,314 docs, test 7,532). Per case and library, {a.rounds} fresh "
        f"processes of {a.runs} runs each, the two libraries' processes alternating; the best run counts "
        "(the ratio of each round in brackets).\nSeconds = wall time; CPU s = user+system CPU "
        "of that run (all threads); peak MB = the largest over the processes of the peak RSS during the "
        "first run minus RSS just before it (kernel peak counter reset; for transform the model was fitted "
        "and pickled by another process).\n"
        f"topictag's output dtype: {'its default' if a.dtype == 'default' else a.dtype} "
        "(shown beside each library).\n\n"
    )
    rows = [
        "| case | library | seconds | CPU s | MB/s | peak MB | shape | nnz | speed-up (sklearn/topictag) |",
        "|---|---|---:|---:|---:|---:|---|---:|---:|",
    ]
    print(header, end="", flush=True)
    print("\n".join(rows), flush=True)
    summary = []
    for case in [c for c in CASES if a.only in c]:
        per: dict = {"scikit-learn": [], "topictag": []}
        for _ in range(a.rounds):
            for lib in per:
                per[lib].append(run_one(lib, case, a.runs))
        res = {}
        for lib, rs in per.items():
            res[lib] = dict(min(rs, key=lambda r: r["seconds"]))
            res[lib]["peak_mb"] = max(r["peak_mb"] for r in rs)
        rounds = ", ".join(
            f"{sk['seconds'] / tt['seconds']:.1f}x" for sk, tt in zip(per["scikit-learn"], per["topictag"])
        )
        ratio = res["scikit-learn"]["seconds"] / res["topictag"]["seconds"]
        cpu_ratio = res["scikit-learn"]["cpu"] / res["topictag"]["cpu"]
        mem_ratio = res["scikit-learn"]["peak_mb"] / max(res["topictag"]["peak_mb"], 1e-9)
        for lib, r in res.items():
            line = (
                f"| {case} | {lib} ({r.get('dtype', '?')}) | {r['seconds']:.3f} | {r['cpu']:.3f} | {r['mb'] / r['seconds']:.1f} | "
                f"{r['peak_mb']:.0f} | {tuple(r['shape'])} | {r['nnz']:,} | "
                + (
                    f"**{ratio:.1f}x** [{rounds}] (CPU {cpu_ratio:.1f}x, memory {mem_ratio:.1f}x less)"
                    if lib == "topictag"
                    else ""
                )
                + " |"
            )
            rows.append(line)
            print(line, flush=True)
        summary.append((case, ratio, res["topictag"]["peak_mb"] <= res["scikit-learn"]["peak_mb"]))
    targets = {"bigram fit_transform": 20, "bigram transform": 20, "unigram fit_transform": 10}
    tail = ["", "Targets (issue): >= 20x for bigram fit_transform and transform, >= 10x for unigrams, peak memory no higher.", ""]
    for case, ratio, mem_ok in summary:
        t = targets[case]
        tail.append(
            f"- {case}: {ratio:.1f}x (target {t}x: {'met' if ratio >= t else 'NOT met'}); "
            f"peak memory {'not higher' if mem_ok else 'HIGHER'} than scikit-learn's"
        )
    print("\n".join(tail), flush=True)
    for lib in ("scikit-learn", "topictag"):
        try:
            os.remove(model_path(lib))
        except OSError:
            pass
    if a.write:
        out = HERE / "results" / "vectorize.md"
        out.parent.mkdir(exist_ok=True)
        out.write_text(header + "\n".join(rows) + "\n" + "\n".join(tail) + "\n")
        print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
