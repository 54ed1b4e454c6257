"""How time and memory grow with the data: 11,314 to 1,000,000 documents (issue 21).

Data: "recombined 20 Newsgroups". The 11,314 training messages of 20 Newsgroups by-date are
cut into sentences; a synthetic document takes the topic and the sentence count of a random
message and draws that many sentences at random from the messages of that topic. Documents
average about 2.1 kB like the originals (11,314 docs = 24 MB, 90,000 = 188 MB, 360,000 = 758
MB, 1,000,000 = about 2.1 GB). The corpus is generated once, deterministically (seed 21), to a
JSONL file of ``max(--sizes)`` lines in the cache folder (``TOPICTAG_BENCH_CACHE``, default
``~/.cache/topictag-bench``); a size N is its first N lines (also written as a file of its own
for the configurations that read files). The 20 Newsgroups file is found like the other
benchmarks find it (``TOPICTAG_SHARED_DATA``, else ``../shared/data`` beside the checkout, else
the first ``shared/data`` found in a parent folder).

The issue's 196 MB JSONL file (its 700 MB target for ``topictag train``) is ``--sizes 99000``
(196.8 MB; the first 98,569 lines are 196.0 MB).

Configurations (each run is a fresh process; ``--configs`` picks some):
  tt-mem      topictag in memory: the texts as a list, TfidfVectorizer(ngram_range=(1, 2),
              min_df=2).fit_transform, then LinearSVC().fit (the issue's pipeline)
  tt-cli      ``topictag train FILE.jsonl --model svm --ngram-max 2 --min-df 2``
  tt-stream   ``TopicClassifier(model="svm", ngram_range=(1, 2), min_df=2).fit(path)``: the
              streaming fit from the JSONL file (skipped, with the reason, when this build
              has no streaming fit, ``topictag.Batches``)
  sklearn     scikit-learn TfidfVectorizer + LinearSVC, same parameters (sizes up to
              ``--sklearn-max``, default 90,000)
  daskml      dask-ml HashingVectorizer(2**20, 1-2 grams) + Incremental(SGDClassifier(hinge))
              on a LocalCluster of 2 worker processes x 1 thread (sizes up to ``--dask-max``)
  tt-dask     topictag.dask TopicClassifier on the same cluster (skipped when absent)

Measured: wall seconds of each phase (load = reading the texts into memory; vectorize; fit)
and of the whole, CPU seconds, and memory: for one-process configurations the kernel's peak
RSS of the process (``ru_maxrss`` via ``wait4``, exact) and per phase the peak above the RSS at
the phase's start (``/proc/self/clear_refs`` reset, then ``VmHWM``); for the Dask ones the
largest sum of RSS over the process tree, sampled every 50 ms. ``--perf`` also counts user-space
instructions (``perf stat``; only where perf works), the measure least disturbed by other
people's load on a shared machine. Per size the table prints each configuration's figures and
its ratios to the others, and per configuration the growth of time and memory per document
relative to the smallest size (the issue's target: flat within 1.5x).

Usage:
  python benchmarks/bench_scale.py [--sizes 11314,90000,360000,1000000] [--configs tt-mem,sklearn]
      [--rounds 1] [--perf] [--write] [--plot]
``--write`` saves the table to benchmarks/results/scale_table.md (and appends the raw runs to
benchmarks/results/scale_runs.jsonl); ``--plot`` draws benchmarks/results/scale.png from the
raw runs.
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import json
import os
import platform
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import reset_peak, status_mb  # noqa: E402
RESULTS = HERE / "results"
SEED = 21
CONFIGS = ["tt-mem", "tt-cli", "tt-stream", "sklearn", "daskml", "tt-dask"]
MULTIPROCESS = {"daskml", "tt-dask"}


# ---- data ---------------------------------------------------------------------------------

def shared_data() -> Path:
    import datasets_shared as ds

    d = ds.data_dir()
    if (d / "20newsgroups").is_dir():
        return d
    for p in HERE.resolve().parents:
        if (p / "shared" / "data" / "20newsgroups").is_dir():
            return p / "shared" / "data"
    raise SystemExit(f"20 Newsgroups not found under {d} nor in a parent's shared/data; set TOPICTAG_SHARED_DATA")


def cache_dir() -> Path:
    d = Path(os.environ.get("TOPICTAG_BENCH_CACHE") or Path.home() / ".cache" / "topictag-bench")
    d.mkdir(parents=True, exist_ok=True)
    return d


_SENT = re.compile(r"(?<=[.!?])\s+|\n\s*\n")


def _source(split: str = "train"):
    rows = []
    with gzip.open(shared_data() / "20newsgroups" / f"20news_bydate_{split}.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                rows.append((r["text"], r["label"]))
    return rows


def corpus_path(n: int) -> Path:
    """The JSONL file of the first ``n`` recombined documents (made on first use)."""
    p = cache_dir() / f"recombined_{n}.jsonl"
    if p.exists():
        return p
    # the largest file made so far that is long enough, else a new one of n lines
    bigger = sorted(
        (int(q.stem.split("_")[1]), q) for q in cache_dir().glob("recombined_*.jsonl") if q.stem.split("_")[1].isdigit()
    )
    src = next((q for m, q in bigger if m >= n), None)
    tmp = p.with_suffix(".tmp")
    if src is None:
        _generate(n, tmp)
    else:
        with open(src, "rb") as fi, open(tmp, "wb") as fo:
            for i, line in enumerate(fi):
                if i >= n:
                    break
                fo.write(line)
    tmp.rename(p)
    return p


def _generate(n: int, out: Path) -> None:
    """n recombined documents; the first m of any run are the same for every n >= m."""
    rows = _source()
    pools = {}
    counts = []
    for text, label in rows:
        sents = [s.strip() for s in _SENT.split(text) if s.strip()]
        pools.setdefault(label, []).extend(sents)
        counts.append((label, max(1, len(sents))))
    rng = random.Random(SEED)
    t0 = time.perf_counter()
    with open(out, "w", encoding="utf-8") as f:
        for i in range(n):
            label, k = counts[rng.randrange(len(counts))]
            pool = pools[label]
            text = " ".join(rng.choices(pool, k=k))
            f.write(json.dumps({"text": text, "label": label}, ensure_ascii=False))
            f.write("\n")
            if i and i % 200_000 == 0:
                print(f"  generated {i:,} documents ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)


def read_corpus(n: int):
    texts, labels = [], []
    with open(corpus_path(n), encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            texts.append(r["text"])
            labels.append(r["label"])
    return texts, labels


# ---- measuring inside a worker --------------------------------------------------------------


class Phases:
    """Wall, CPU and peak-above-start memory of consecutive phases of one process."""

    def __init__(self):
        self.out = {}

    def run(self, name, fn):
        import gc

        gc.collect()
        hwm = reset_peak()
        before = status_mb("VmRSS") or 0.0
        ru0 = resource.getrusage(resource.RUSAGE_SELF)
        base = ru0.ru_maxrss / 1024.0
        c0, t0 = time.process_time(), time.perf_counter()
        r = fn()
        t, c = time.perf_counter() - t0, time.process_time() - c0
        ru1 = resource.getrusage(resource.RUSAGE_SELF)
        peak = (status_mb("VmHWM") - before) if hwm else (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0 - base)
        self.out[name] = dict(
            s=round(t, 3), cpu=round(c, 3), sys=round(ru1.ru_stime - ru0.ru_stime, 3), peak_mb=round(peak, 1),
            rss_before_mb=round(before, 1), rss_after_mb=round(status_mb("VmRSS") or 0.0, 1),
            # page faults (minor: first touch of fresh memory; major: waited for I/O) and
            # context switches (voluntary: waited; involuntary: preempted by other load)
            minflt=ru1.ru_minflt - ru0.ru_minflt, majflt=ru1.ru_majflt - ru0.ru_majflt,
            nvcsw=ru1.ru_nvcsw - ru0.ru_nvcsw, nivcsw=ru1.ru_nivcsw - ru0.ru_nivcsw,
        )
        return r


def worker(config: str, n: int, stop_after: str) -> dict:
    ph = Phases()
    info = {}
    if config in ("tt-mem", "sklearn"):
        texts, labels = ph.run("load", lambda: read_corpus(n))
        info["mb"] = round(sum(len(t.encode("utf-8")) for t in texts) / 1e6, 1)
        if stop_after == "load":
            return dict(phases=ph.out, **info)
        if config == "tt-mem":
            from topictag import LinearSVC, TfidfVectorizer
        else:
            from sklearn.feature_extraction.text import TfidfVectorizer
            from sklearn.svm import LinearSVC
        vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2)
        X = ph.run("vectorize", lambda: vec.fit_transform(texts))
        info.update(shape=list(X.shape), nnz=int(X.nnz), dtype=str(X.dtype))
        if stop_after == "vectorize":
            return dict(phases=ph.out, **info)
        clf = LinearSVC()
        ph.run("fit", lambda: clf.fit(X, labels))
        info["train_acc_1k"] = round(float((clf.predict(X[:1000]) == labels[:1000]).mean()), 4)
    elif config == "tt-stream":
        import topictag

        if not hasattr(topictag, "Batches"):
            return dict(skipped="this build of topictag has no streaming fit (topictag.Batches)")
        path = str(corpus_path(n))
        model = topictag.TopicClassifier(model="svm", ngram_range=(1, 2), min_df=2)  # as tt-cli
        ph.run("train", lambda: model.fit(path))
        info["n_features"] = int(getattr(model, "vocabulary_size_", 0) or 0)
    elif config == "tt-cli":
        path = str(corpus_path(n))
        out = os.path.join(tempfile.mkdtemp(prefix="bench_scale_"), "m.ttm")
        # `python -m topictag` of this interpreter: a `topictag` script's shebang may name
        # another environment's Python (and so another build)
        cmd = [sys.executable, "-m", "topictag",
               "train", path, "-o", out, "--model", "svm", "--ngram-max", "2", "--min-df", "2"]
        ph.run("train", lambda: subprocess.run(cmd, check=True, capture_output=True))
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        info["child_maxrss_mb"] = round(ru.ru_maxrss / 1024.0, 1)
        info["child_cpu"] = round(ru.ru_utime + ru.ru_stime, 3)
        shutil.rmtree(os.path.dirname(out), ignore_errors=True)
    elif config in ("daskml", "tt-dask"):
        info.update(_dask_worker(config, n, ph))
    return dict(phases=ph.out, **info)


def _dask_worker(config: str, n: int, ph: Phases) -> dict:
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    path = str(corpus_path(n))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None, memory_limit=0) as cluster, Client(cluster) as client:
        # at most 64 MB of JSON per partition, and at least 4 partitions (2 per worker)
        ddf = dd.read_json(path, lines=True, blocksize=min(64 * 2**20, -(-os.path.getsize(path) // 4)))
        if config == "daskml":
            import numpy as np
            from dask_ml.feature_extraction.text import HashingVectorizer
            from dask_ml.wrappers import Incremental
            from sklearn.linear_model import SGDClassifier

            classes = np.array(sorted(ddf["label"].unique().compute()))
            vec = HashingVectorizer(n_features=2**20, ngram_range=(1, 2), alternate_sign=False)

            def go():
                X = vec.transform(ddf["text"].to_dask_array(lengths=True))
                y = ddf["label"].to_dask_array(lengths=True)
                inc = Incremental(SGDClassifier(loss="hinge", alpha=1e-5, max_iter=1, tol=None, random_state=0))
                inc.fit(X, y, classes=classes)
                return inc

            inc = ph.run("train", go)
            info = dict(partitions=ddf.npartitions)
            info.update(_holdout_acc(lambda texts: inc.predict(vec.transform(texts))))
            return info
        try:
            import topictag.dask as tdask
        except ImportError as e:
            return dict(skipped=f"topictag.dask not available ({e})")
        model = tdask.TopicClassifier(model="svm", ngram_range=(1, 2), min_df=2)
        ph.run("train", lambda: model.fit(ddf["text"], ddf["label"]))
        info = dict(partitions=ddf.npartitions, solver=getattr(model, "dask_stats_", None))
        info.update(_holdout_acc(lambda texts: model.predict(texts)))
        return info


def _holdout_acc(predict) -> dict:
    """Accuracy on the 20 Newsgroups by-date test messages (7,532 real documents, none of
    whose sentences the recombined training corpus uses), for the Dask rows."""
    rows = _source("test")
    import numpy as np

    pred = np.asarray(predict([t for t, _ in rows]))
    return dict(test_acc=round(float(np.mean(pred == np.asarray([l for _, l in rows], dtype=object))), 4))


# ---- driver ---------------------------------------------------------------------------------

class TreeSampler(threading.Thread):
    """The largest sum of RSS over a process and its descendants, sampled every 50 ms."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop = pid, 0, threading.Event()

    def run(self):
        import psutil

        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self.stop.is_set():
            total = 0
            try:
                for p in [root] + root.children(recursive=True):
                    try:
                        total += p.memory_info().rss
                    except psutil.Error:
                        pass
            except psutil.Error:
                break
            self.peak = max(self.peak, total)
            self.stop.wait(0.05)


def run_one(config: str, n: int, stop_after: str = "", perf: bool = False, timeout: float = 7200) -> dict:
    corpus_path(n)  # generate outside the measured process
    cmd = [sys.executable, __file__, "--worker", config, str(n)]
    if stop_after:
        cmd += ["--stop-after", stop_after]
    perf_out = None
    if perf and shutil.which("perf"):
        perf_out = tempfile.NamedTemporaryFile(suffix=".perf", delete=False).name
        cmd = ["perf", "stat", "-x,", "-e", "instructions:u", "-o", perf_out, "--"] + cmd
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = TreeSampler(proc.pid) if config in MULTIPROCESS else None
    if sampler:
        sampler.start()
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    out, err = proc.stdout.read(), proc.stderr.read()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if sampler:
        sampler.stop.set()
        sampler.join()
    if proc.returncode != 0:
        return dict(config=config, n=n, error=(err.strip().splitlines() or ["?"])[-1][:300], wall=round(wall, 2))
    r = json.loads(out.strip().splitlines()[-1])
    r.update(config=config, n=n, wall=round(wall, 2), maxrss_mb=round(ru.ru_maxrss / 1024.0, 1),
             cpu=round(ru.ru_utime + ru.ru_stime, 2))
    if "child_maxrss_mb" in r:  # tt-cli: the `topictag train` process is what counts
        r["maxrss_mb"] = r["child_maxrss_mb"]
    if sampler:
        r["tree_peak_mb"] = round(sampler.peak / 2**20, 1)
    if perf_out:
        try:
            for line in open(perf_out):
                parts = line.strip().split(",")
                if len(parts) > 2 and parts[2].startswith("instructions"):
                    r["instructions"] = int(parts[0])
        except (OSError, ValueError):
            pass
        os.unlink(perf_out)
    return r


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {mem:.0f} GiB, {cpu}; load average before the run: {load}"


def _phase(r, name, key="s"):
    return (r.get("phases") or {}).get(name, {}).get(key)


def total_s(r):
    ph = r.get("phases") or {}
    return sum(v["s"] for k, v in ph.items() if k != "load")


def peak_mb(r):
    """The process's peak RSS. The per-phase peak counter resets (clear_refs) also reset what
    wait4 reports as ru_maxrss, so for measured phases the peak is the largest RSS at a
    phase's start plus that phase's peak above it."""
    if r.get("tree_peak_mb"):
        return r["tree_peak_mb"]
    ph = [v for v in (r.get("phases") or {}).values() if v.get("peak_mb")]
    if ph and "child_maxrss_mb" not in r:
        return max(max(v["rss_before_mb"] + v["peak_mb"] for v in ph), r.get("maxrss_mb") or 0)
    return r.get("maxrss_mb")


def table(runs, sizes, configs) -> str:
    best = {}
    for r in runs:
        if "error" in r or "skipped" in r or not r.get("phases"):
            r.setdefault("skipped", "no phases measured")
            best.setdefault((r["config"], r["n"]), r)
            continue
        k = (r["config"], r["n"])
        if k not in best or "error" in best[k] or "skipped" in best[k] or total_s(r) < total_s(best[k]):
            best[k] = r
    rows = [
        "| docs | config | MB text | load s | vectorize s | fit s | total s (excl. load) | CPU s | peak RSS MB | "
        "vectorize peak MB | fit peak MB | µs/doc | kB/doc | vs tt-mem (time, memory) |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for n in sizes:
        ref = best.get(("tt-mem", n))
        for c in configs:
            r = best.get((c, n))
            if r is None:
                continue
            if "skipped" in r or "error" in r:
                rows.append(f"| {n:,} | {c} | | | | | {'skipped: ' + r['skipped'] if 'skipped' in r else 'error: ' + r['error']} | | | | | | | |")
                continue
            tot, pk = total_s(r), peak_mb(r)
            vs = ""
            if ref and ref is not r and "phases" in ref and c != "tt-mem":
                vs = f"{tot / max(total_s(ref), 1e-9):.2f}x, {pk / max(peak_mb(ref), 1e-9):.2f}x"
            f = lambda x: "" if x is None else f"{x:.2f}"  # noqa: E731
            g = lambda x: "" if x is None else f"{x:,.0f}"  # noqa: E731
            rows.append(
                f"| {n:,} | {c} | {r.get('mb', '')} | {f(_phase(r, 'load'))} | {f(_phase(r, 'vectorize'))} | "
                f"{f(_phase(r, 'fit') or _phase(r, 'train'))} | {tot:.2f} | {r.get('cpu', 0):.1f} | {g(pk)} | "
                f"{g(_phase(r, 'vectorize', 'peak_mb'))} | {g(_phase(r, 'fit', 'peak_mb'))} | "
                f"{1e6 * tot / n:.0f} | {1e3 * pk / n:.1f} | {vs} |"
            )
    # growth per document relative to the smallest size, per configuration
    rows += ["", "Per document, relative to the smallest size measured (target: within 1.5x):", "",
             "| config | " + " | ".join(f"{n:,}" for n in sizes) + " |", "|---|" + "---:|" * len(sizes)]
    for c in configs:
        base = None
        cells = []
        for n in sizes:
            r = best.get((c, n))
            if not r or not r.get("phases") or "skipped" in r:
                cells.append("")
                continue
            t, m, cp = total_s(r) / n, peak_mb(r) / n, r.get("cpu", 0) / n
            if base is None:
                base = (t, m, cp)
            cells.append(f"time {t / base[0]:.2f}x (CPU {cp / max(base[2], 1e-12):.2f}x), mem {m / base[1]:.2f}x")
        if any(cells):
            rows.append(f"| {c} | " + " | ".join(cells) + " |")
    return "\n".join(rows) + "\n"


def plot(runs, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    by = {}
    for r in runs:
        if r.get("phases") and "skipped" not in r:
            k = (r["config"], r["n"])
            if k not in by or total_s(r) < total_s(by[k]):
                by[k] = r
    names = [c for c in CONFIGS if any(cc == c for cc, _ in by)]
    names += sorted({cc for cc, _ in by} - set(names))
    for c in names:
        pts = sorted(((n, r) for (cc, n), r in by.items() if cc == c), key=lambda e: e[0])
        if not pts:
            continue
        ns = [n for n, _ in pts]
        axes[0].plot(ns, [1e6 * total_s(r) / n for n, r in pts], "o-", label=c)
        axes[1].plot(ns, [1e3 * peak_mb(r) / n for n, r in pts], "o-", label=c)
    for ax, t in zip(axes, ["time per document (µs, excl. reading)", "peak memory per document (kB)"]):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("documents")
        ax.set_title(t)
        ax.grid(True, which="both", alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--worker", nargs=2, metavar=("CONFIG", "N"))
    ap.add_argument("--stop-after", default="", choices=["", "load", "vectorize"])
    ap.add_argument("--sizes", default="11314,90000,360000,1000000")
    ap.add_argument("--configs", default="tt-mem,tt-cli,tt-stream,sklearn,daskml,tt-dask")
    ap.add_argument("--sklearn-max", type=int, default=90_000)
    ap.add_argument("--dask-max", type=int, default=360_000)
    ap.add_argument("--mem-max", type=int, default=1_000_000, help="largest size for tt-mem and tt-cli")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--perf", action="store_true")
    ap.add_argument("--make-data", type=int, default=0, help="only generate the corpus of this many docs")
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--plot", action="store_true", help="draw results/scale.png from results/scale_runs.jsonl")
    ap.add_argument("--before", default="", help="with --plot: runs before this UTC time ('YYYY-mm-dd HH:MM') are labelled (before)")
    a = ap.parse_args()
    if a.worker:
        print(json.dumps(worker(a.worker[0], int(a.worker[1]), a.stop_after)))
        return
    if a.make_data:
        print(corpus_path(a.make_data))
        return
    if a.plot and not a.write and a.sizes == ap.get_default("sizes") and a.configs == ap.get_default("configs"):
        runs = [json.loads(x) for x in open(RESULTS / "scale_runs.jsonl")]
        if a.before:
            # runs before this time are drawn as "<config> (before)"
            for r in runs:
                if r.get("when", "") < a.before and r["config"].startswith("tt-"):
                    r["config"] += " (before)"
        plot(runs, RESULTS / "scale.png")
        print(RESULTS / "scale.png")
        return
    sizes = [int(x) for x in a.sizes.split(",")]
    configs = [c for c in a.configs.split(",") if c]
    unknown = set(configs) - set(CONFIGS)
    if unknown:
        raise SystemExit(f"unknown configs {sorted(unknown)}; known: {CONFIGS}")
    corpus_path(max(sizes))
    header = (f"# Scaling benchmark (issue 21)\n\n{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC; "
              f"{machine()}.\n\n")
    print(header, flush=True)
    runs = []
    for _ in range(a.rounds):
        for n in sizes:
            for c in configs:
                if (c == "sklearn" and n > a.sklearn_max) or (c in MULTIPROCESS and n > a.dask_max) or (
                    c in ("tt-mem", "tt-cli") and n > a.mem_max
                ):
                    continue
                r = run_one(c, n, perf=a.perf)
                r["when"] = f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M}"
                runs.append(r)
                print(json.dumps(r), flush=True)
    text = header + table(runs, sizes, configs)
    print(text)
    if a.write:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "scale_table.md").write_text(text)
        with open(RESULTS / "scale_runs.jsonl", "a") as f:
            for r in runs:
                f.write(json.dumps(r) + "\n")
    if a.plot:
        allruns = [json.loads(x) for x in open(RESULTS / "scale_runs.jsonl")] if (RESULTS / "scale_runs.jsonl").exists() else runs
        plot(allruns, RESULTS / "scale.png")


if __name__ == "__main__":
    main()
