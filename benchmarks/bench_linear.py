"""Linear classifiers side by side: topictag vs scikit-learn (and fastText for the whole
text-to-prediction pipeline) on 20 Newsgroups (by-date split).

Features: scikit-learn's ``TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)``
fitted on the training texts (11,314 x ~385k), the test texts transformed with it; both
libraries get the very same matrices (float64 CSR). Every measurement runs in its own
subprocess, so peak memory (``VmHWM``, the process's peak resident set) is per side; it includes loading the feature
matrices (about the same for both sides).

Usage::

    python benchmarks/bench_linear.py            # everything (~6-8 minutes on 2 cores, plus ~5-10 for the L1 rows)
    python benchmarks/bench_linear.py --quick    # skip scikit-learn's lbfgs multinomial (~100 s)
    python benchmarks/bench_linear.py --worker tt_pipe   # one whole-pipeline run, its steps timed

Writes ``benchmarks/results/linear.md``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

VEC_PARAMS = dict(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
PREDICT_CALLS = 5


# ------------------------------------------------------------------------------- workers


def _load(tmp):
    import numpy as np
    import scipy.sparse as sp

    Xtr = sp.load_npz(os.path.join(tmp, "Xtr.npz"))
    Xte = sp.load_npz(os.path.join(tmp, "Xte.npz"))
    ytr = np.load(os.path.join(tmp, "ytr.npy"), allow_pickle=False)
    yte = np.load(os.path.join(tmp, "yte.npy"), allow_pickle=False)
    return Xtr, Xte, ytr, yte


def _model(name):
    import topictag

    if name == "sk_svc":
        from sklearn.svm import LinearSVC

        return LinearSVC(C=0.5)
    if name == "tt_svc":
        return topictag.LinearSVC(C=0.5)
    if name == "sk_lr_ovr":
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier

        return OneVsRestClassifier(LogisticRegression(C=10, solver="liblinear"))
    if name == "tt_lr_ovr":
        return topictag.LogisticRegression(C=10, multi_class="ovr")
    if name == "sk_lr_mn":
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=10)
    if name == "tt_lr_mn":
        return topictag.LogisticRegression(C=10)
    if name == "sk_lr_l1":
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier

        return OneVsRestClassifier(LogisticRegression(C=10, l1_ratio=1, solver="liblinear"))
    if name == "tt_lr_l1":
        return topictag.LogisticRegression(C=10, l1_ratio=1, solver="liblinear")
    if name == "sk_svc_l1":
        from sklearn.svm import LinearSVC

        return LinearSVC(C=0.5, penalty="l1", dual=False)
    if name == "tt_svc_l1":
        return topictag.LinearSVC(C=0.5, penalty="l1", dual=False)
    raise ValueError(name)


def worker_features(name, tmp):
    import warnings

    import numpy as np

    Xtr, Xte, ytr, yte = _load(tmp)
    clf = _model(name)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        t0 = time.perf_counter()
        clf.fit(Xtr, ytr)
        fit_s = time.perf_counter() - t0
    # Prediction: the first call after fit, then four more; the median of the five is the
    # figure compared (the first call alone is also reported).
    times = []
    for _ in range(PREDICT_CALLS):
        t0 = time.perf_counter()
        pred = clf.predict(Xte)
        times.append(time.perf_counter() - t0)
    predict_first_s = times[0]
    predict_s = sorted(times)[len(times) // 2]
    n_iter = getattr(clf, "n_iter_", None)
    if n_iter is None and hasattr(clf, "estimators_"):
        n_iter = max(int(np.max(e.n_iter_)) for e in clf.estimators_)
    coef = (np.vstack([e.coef_ for e in clf.estimators_]) if hasattr(clf, "estimators_")
            else clf.coef_)
    return {
        "fit_s": fit_s,
        "predict_s": predict_s,
        "predict_first_s": predict_first_s,
        "accuracy": float(np.mean(pred == yte)),
        "n_iter": int(np.max(n_iter)) if n_iter is not None else None,
        "nonzero": int(np.count_nonzero(coef)),
        "warnings": sorted({type(x.message).__name__ for x in w}),
    }


def worker_pipeline(name, tmp):
    import numpy as np

    import datasets_shared as ds

    tr, ytr = ds.load_20newsgroups("train")
    te, yte = ds.load_20newsgroups("test")
    note = ""
    # Each step's wall time (the imports, scipy's included, count as a step).
    stages = {}
    t0 = t_lap = time.perf_counter()

    def lap(step):
        nonlocal t_lap
        now = time.perf_counter()
        stages[step] = now - t_lap
        t_lap = now

    if name in ("sk_pipe", "tt_pipe"):
        if name == "sk_pipe":
            from sklearn.feature_extraction.text import TfidfVectorizer
            from sklearn.svm import LinearSVC
        else:
            from topictag import LinearSVC, TfidfVectorizer

            note = "topictag.TfidfVectorizer"
        lap("import")
        vec = TfidfVectorizer(**VEC_PARAMS)
        Xtr = vec.fit_transform(tr)
        lap("fit_transform")
        clf = LinearSVC(C=0.5).fit(Xtr, ytr)
        lap("fit")
        Xte = vec.transform(te)
        lap("transform")
        pred = clf.predict(Xte)
        lap("predict")
    elif name.startswith("fasttext"):
        import fasttext

        epoch, lr = (5, 0.1) if name == "fasttext_e5" else (25, 1.0)

        def clean(s):
            return " ".join(s.lower().split())

        # fastText's SGD reads the file in order, and 20 Newsgroups comes sorted by group:
        # shuffle (fixed seed) or it learns mostly the last groups it reads.
        order = list(range(len(tr)))
        random.Random(0).shuffle(order)
        path = os.path.join(tmp, "ft_train.txt")
        with open(path, "w", encoding="utf-8") as f:
            for i in order:
                f.write(f"__label__{ytr[i]} {clean(tr[i])}\n")
        model = fasttext.train_supervised(
            input=path, wordNgrams=2, epoch=epoch, lr=lr, verbose=0, thread=os.cpu_count() or 1
        )
        labels, _ = model.predict([clean(t) for t in te])
        pred = np.array([ls[0][len("__label__"):] for ls in labels])
        note = f"epoch={epoch}, lr={lr}, wordNgrams=2, dim=100, thread={os.cpu_count()}"
    else:
        raise ValueError(name)
    total = time.perf_counter() - t0
    return {"total_s": total, "accuracy": float(np.mean(pred == np.asarray(yte))), "note": note,
            "stages": stages}


def peak_rss_mb():
    """Peak resident memory of this process. ``VmHWM`` belongs to the process image, so
    unlike ``ru_maxrss`` it does not inherit the parent's peak across fork/exec."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def worker_main(name, tmp):
    if name.endswith("_pipe") or name.startswith("fasttext"):
        out = worker_pipeline(name, tmp)
    else:
        out = worker_features(name, tmp)
    out["max_rss_mb"] = peak_rss_mb()
    print("RESULT " + json.dumps(out))


# ------------------------------------------------------------------------------- driver


def run(name, tmp):
    p = subprocess.run(
        [sys.executable, __file__, "--worker", name, "--tmp", tmp],
        capture_output=True,
        text=True,
    )
    for line in p.stdout.splitlines():
        if line.startswith("RESULT "):
            r = json.loads(line[len("RESULT "):])
            print(f"  {name}: {r}", flush=True)
            return r
    print(p.stdout[-2000:], p.stderr[-4000:], file=sys.stderr)
    raise RuntimeError(f"worker {name} failed")


def machine():
    from _common import cpu_model

    cpu = cpu_model(platform.processor() or "")
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            mem = f"{int(f.readline().split()[1]) / 1024 / 1024:.0f} GiB RAM"
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {mem}, {platform.system()} {platform.release()}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="skip sklearn's lbfgs multinomial")
    ap.add_argument("--worker")
    ap.add_argument("--tmp")
    ap.add_argument("--out", default=str(HERE / "results" / "linear.md"))
    ap.add_argument(
        "--svc-rounds",
        type=int,
        default=3,
        help="LinearSVC: rounds of one scikit-learn run then one topictag run (fresh processes); "
        "the median of the rounds' fit ratios is reported",
    )
    ap.add_argument("--pipe-rounds", type=int, default=3,
                    help="whole pipeline: alternating rounds, the median ratio is reported")
    args = ap.parse_args()
    if args.worker:
        worker_main(args.worker, args.tmp)
        return

    import numpy as np
    import scipy.sparse as sp
    import sklearn
    from sklearn.feature_extraction.text import TfidfVectorizer

    import datasets_shared as ds
    import topictag

    load_start = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        tr, ytr = ds.load_20newsgroups("train")
        te, yte = ds.load_20newsgroups("test")
        t0 = time.perf_counter()
        vec = TfidfVectorizer(**VEC_PARAMS)
        Xtr = vec.fit_transform(tr)
        Xte = vec.transform(te)
        vec_s = time.perf_counter() - t0
        print(f"features: {Xtr.shape}, nnz {Xtr.nnz}, {vec_s:.1f} s", flush=True)
        sp.save_npz(os.path.join(tmp, "Xtr.npz"), Xtr)
        sp.save_npz(os.path.join(tmp, "Xte.npz"), Xte)
        np.save(os.path.join(tmp, "ytr.npy"), np.asarray(ytr))
        np.save(os.path.join(tmp, "yte.npy"), np.asarray(yte))

        pairs = [("LinearSVC(C=0.5)", "sk_svc", "tt_svc"),
                 ("Logistic OvR, C=10 (sklearn: OneVsRest(liblinear))", "sk_lr_ovr", "tt_lr_ovr"),
                 ("Logistic multinomial, C=10 (lbfgs, max_iter=100)", "sk_lr_mn", "tt_lr_mn"),
                 ("L1 logistic OvR, C=10 (sklearn: OneVsRest(liblinear))", "sk_lr_l1", "tt_lr_l1"),
                 ("L1 LinearSVC(C=0.5, dual=False)", "sk_svc_l1", "tt_svc_l1")]
        res = {}
        svc_rounds = []
        for _ in range(max(1, args.svc_rounds)):
            svc_rounds.append((run("sk_svc", tmp), run("tt_svc", tmp)))
        # The table shows the round whose fit ratio is the median of the rounds.
        by_ratio = sorted(svc_rounds, key=lambda r: r[0]["fit_s"] / r[1]["fit_s"])
        res["sk_svc"], res["tt_svc"] = by_ratio[len(by_ratio) // 2]
        for _, a, b in pairs:
            if a == "sk_svc":
                continue
            if a == "sk_lr_mn" and args.quick:
                res[a] = None
            else:
                res[a] = run(a, tmp)
            res[b] = run(b, tmp)
        # The pipelines in alternating rounds too (scikit-learn, then topictag); the table
        # shows the round with the median ratio.
        pipe_rounds = [(run("sk_pipe", tmp), run("tt_pipe", tmp)) for _ in range(max(1, args.pipe_rounds))]
        by_ratio = sorted(pipe_rounds, key=lambda r: r[0]["total_s"] / r[1]["total_s"])
        res["sk_pipe"], res["tt_pipe"] = by_ratio[len(by_ratio) // 2]
        try:
            import fasttext  # noqa: F401  (the `bench` extra: fasttext-wheel)
        except ImportError:
            print("fastText is not installed (pip install 'topictag[bench]'): its rows are skipped",
                  flush=True)
        else:
            for name in ("fasttext_e5", "fasttext_e25"):
                res[name] = run(name, tmp)
    load_end = os.getloadavg()

    def ratio(a, b):
        return f"{a / b:.1f}x" if a and b else "n/a"

    lines = [
        "# Linear classifiers: topictag vs scikit-learn (and fastText)",
        "",
        f"- Date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {machine()}",
        f"- Load average (1/5/15 min) at start {load_start[0]:.1f}/{load_start[1]:.1f}/{load_start[2]:.1f}, "
        f"at end {load_end[0]:.1f}/{load_end[1]:.1f}/{load_end[2]:.1f} "
        "(the machine is shared: absolute times are noisy, ratios less so)",
        f"- Versions: topictag {topictag.__version__}, scikit-learn {sklearn.__version__}, "
        f"numpy {np.__version__}, Python {platform.python_version()}",
        f"- Data: 20 Newsgroups by-date, {Xtr.shape[0]} train / {Xte.shape[0]} test documents, "
        f"20 classes. Features: sklearn TfidfVectorizer(ngram_range=(1, 2), min_df=2, "
        f"sublinear_tf=True) on train: {Xtr.shape[1]} columns, {Xtr.nnz} stored values "
        f"({vec_s:.1f} s to build); both sides get the same float64 CSR matrices.",
        "- Command: `python benchmarks/bench_linear.py" + (" --quick" if args.quick else "")
        + (f" --svc-rounds {args.svc_rounds}" if args.svc_rounds != 3 else "") + "`; "
        "each row is one run in a fresh subprocess (one fit, then five predict calls on the test matrix: the median is compared, the first call is shown too); peak RSS includes loading the matrices. "
        f"LinearSVC runs {len(svc_rounds)} alternating rounds (scikit-learn, then topictag, each in a fresh "
        "process) so that both meet the same spells of load; its rows are the round with the median fit ratio.",
        "",
        "## Same features",
        "",
        "| model | side | fit (s) | predict, median of 5 (s) | predict, first call (s) | accuracy | iterations | non-zero weights | peak RSS (MB) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for title, a, b in pairs:
        for side, key in (("scikit-learn", a), ("topictag", b)):
            r = res[key]
            if r is None:
                lines.append(f"| {title} | {side} | skipped (--quick) | | | | | | |")
                continue
            warn = " (ConvergenceWarning)" if "ConvergenceWarning" in r.get("warnings", []) else ""
            lines.append(
                f"| {title} | {side} | {r['fit_s']:.2f} | {r['predict_s']:.4f} | {r['predict_first_s']:.4f} | "
                f"{r['accuracy']:.4f} | {r['n_iter']}{warn} | {r.get('nonzero', '')} | {r['max_rss_mb']:.0f} |"
            )
    lines += [
        "",
        "LinearSVC(C=0.5) fit, every round (scikit-learn s / topictag s = ratio): "
        + "; ".join(
            f"{a['fit_s']:.2f} / {b['fit_s']:.2f} = {a['fit_s'] / b['fit_s']:.1f}x" for a, b in svc_rounds
        ),
    ]
    lines += ["", "Speed-ups (scikit-learn time / topictag time):", ""]
    for title, a, b in pairs:
        ra, rb = res[a], res[b]
        if ra is None:
            lines.append(f"- {title}: scikit-learn side skipped")
            continue
        lines.append(
            f"- {title}: fit {ratio(ra['fit_s'], rb['fit_s'])}, "
            f"predict {ratio(ra['predict_s'], rb['predict_s'])} "
            f"(first call {ratio(ra['predict_first_s'], rb['predict_first_s'])}), "
            f"accuracy {100 * (rb['accuracy'] - ra['accuracy']):+.2f} points"
        )
    best_sk_lr = min(x["fit_s"] for x in (res["sk_lr_ovr"], res["sk_lr_mn"]) if x)
    lines.append(
        f"- Logistic regression, fastest scikit-learn fit ({best_sk_lr:.1f} s) vs topictag OvR "
        f"({res['tt_lr_ovr']['fit_s']:.1f} s): {ratio(best_sk_lr, res['tt_lr_ovr']['fit_s'])}; "
        f"vs topictag multinomial ({res['tt_lr_mn']['fit_s']:.1f} s): "
        f"{ratio(best_sk_lr, res['tt_lr_mn']['fit_s'])}"
    )
    lines += [
        "",
        "## Whole pipeline: raw text -> vectorize + fit + predict test",
        "",
        "| pipeline | total (s) | accuracy | peak RSS (MB) | notes |",
        "|---|---:|---:|---:|---|",
    ]
    names = {"sk_pipe": "scikit-learn TfidfVectorizer + LinearSVC(C=0.5)",
             "tt_pipe": "topictag TfidfVectorizer + LinearSVC(C=0.5)",
             "fasttext_e5": "fastText supervised (defaults, wordNgrams=2)",
             "fasttext_e25": "fastText supervised (epoch=25, lr=1.0, wordNgrams=2)"}
    for k, title in names.items():
        r = res.get(k)
        if r is None:
            lines.append(f"| {title} | | | | not installed: skipped |")
            continue
        lines.append(
            f"| {title} | {r['total_s']:.2f} | {r['accuracy']:.4f} | {r['max_rss_mb']:.0f} | {r['note']} |"
        )
    lines.append("")
    lines.append(
        "Whole pipeline, every round (scikit-learn s / topictag s = ratio): "
        + "; ".join(f"{a['total_s']:.2f} / {b['total_s']:.2f} = {a['total_s'] / b['total_s']:.1f}x"
                    for a, b in pipe_rounds)
    )
    for k in ("sk_pipe", "tt_pipe"):
        st = res[k]["stages"]
        lines.append(f"- {names[k]}, steps of the median round (s): "
                     + ", ".join(f"{step} {v:.3f}" for step, v in st.items()))
    lines.append("")
    lines.append(
        f"Pipeline speed-up vs scikit-learn: {ratio(res['sk_pipe']['total_s'], res['tt_pipe']['total_s'])}; "
        f"vs fastText (epoch 25): "
        f"{ratio(res['fasttext_e25']['total_s'], res['tt_pipe']['total_s']) if res.get('fasttext_e25') else 'not run'}."
    )
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
