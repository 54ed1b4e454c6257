"""The ``topictag`` command line: train, predict, evaluate, inspect, and a demo.

Run ``topictag --help`` or ``topictag COMMAND --help``. Every error is one line on stderr
(``topictag: error: ...``) with exit status 2 for a usage mistake and 1 for anything else;
``TOPICTAG_DEBUG=1`` shows the full traceback instead.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import random
import sys
import tempfile
import time
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ._progress import progress

PROG = "topictag"


class CLIError(Exception):
    """A runtime problem to report as one line (exit status 1)."""


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors printed as one line and exit status 2."""

    def error(self, message: str):  # noqa: D401 - argparse's hook
        hint = f"see '{self.prog} --help'"
        self.exit(2, f"{PROG}: error: {message} ({hint})\n")


# --------------------------------------------------------------------------------------- I/O


def _read_labelled(args) -> Tuple[List[str], List[Any]]:
    from .datasets import load_file

    _check_input_file(args.data)
    with progress(f"reading {args.data}"):
        texts, labels = load_file(
            args.data,
            text_col=args.text_col,
            label_col=args.label_col,
            label_sep=args.label_sep,
            format=args.format,
        )
    if not texts:
        raise CLIError(f"{args.data}: no documents")
    return texts, labels


def _check_input_file(path: str) -> None:
    if path == "-":
        return
    if not os.path.exists(path):
        raise CLIError(f"{path}: no such file")
    if os.path.isdir(path):
        raise CLIError(f"{path}: is a directory, expected a file")


def _read_stdin_text() -> str:
    data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read()
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise CLIError(f"<stdin>: not valid UTF-8 text (byte {e.start})") from None
    return data


def _text_lines(content: str) -> Tuple[List[str], List[int]]:
    texts, ids = [], []
    for lineno, line in enumerate(content.splitlines(), start=1):
        if line.strip():
            texts.append(line)
            ids.append(lineno)
    return texts, ids


def _looks_like_jsonl(content: str, text_col: str) -> bool:
    for line in content.splitlines():
        if line.strip():
            try:
                rec = json.loads(line)
            except ValueError:
                return False
            return isinstance(rec, dict) and text_col in rec
    return False


def _read_unlabelled(path: Optional[str], fmt: Optional[str], text_col: str, id_col: Optional[str]):
    """(texts, ids) of the documents to tag: CSV/TSV/JSONL/Parquet by extension or ``fmt``,
    else one document per non-blank line; ``None``/``"-"`` is stdin (JSONL when its first
    line is a JSON object with the text field, else text lines)."""
    from .datasets import format_from_path, load_file

    stdin = path is None or path == "-"
    if not stdin:
        _check_input_file(path)
    if fmt is None and not stdin:
        fmt = format_from_path(path) or "text"
    if stdin:
        content = _read_stdin_text()
        if fmt is None:
            fmt = "jsonl" if _looks_like_jsonl(content, text_col) else "text"
        if fmt == "text":
            return _text_lines(content)
        if fmt == "parquet":
            raise CLIError("Parquet cannot be read from stdin; give the file name")
        stream = io.StringIO(content)
        stream.name = "<stdin>"
        src: Any = stream
    else:
        if fmt == "text":
            try:
                with open(path, encoding="utf-8-sig") as f:
                    return _text_lines(f.read())
            except UnicodeDecodeError as e:
                raise CLIError(f"{path}: not valid UTF-8 text (byte {e.start})") from None
        src = path
    texts, _, ids = load_file(
        src,
        text_col=text_col,
        label_col=None,
        format=fmt,
        id_col=id_col or "id",
        _ids_optional=id_col is None,
    )
    return texts, ids


class _Output:
    """stdout, or a file written only once everything succeeded (no half-written outputs)."""

    def __init__(self, path: Optional[str]):
        self.path = path if path not in (None, "-") else None
        self.buf = io.StringIO() if self.path else None

    def __enter__(self):
        return self.buf if self.buf is not None else sys.stdout

    def __exit__(self, exc_type, *_):
        if self.buf is not None and exc_type is None:
            try:
                with open(self.path, "w", encoding="utf-8", newline="") as f:
                    f.write(self.buf.getvalue())
            except OSError as e:
                raise CLIError(f"{self.path}: cannot write ({e.strerror or e})") from None


# ------------------------------------------------------------------------------------ model


def _load_model(path: str):
    import topictag

    _check_input_file(path)
    try:
        model = topictag.load(path)
    except topictag.ModelFormatError as e:
        raise CLIError(f"{path}: not a usable topictag model file ({_one_line(e)})") from None
    if not hasattr(model, "predict"):
        raise CLIError(
            f"{path}: holds a {type(model).__name__}, not a topic classifier; "
            "train one with 'topictag train'"
        )
    return model


def _classifier_class():
    import topictag

    cls = getattr(topictag, "TopicClassifier", None)
    if cls is None:
        raise CLIError("this build of topictag has no TopicClassifier")
    return cls


def _scores(model, texts: List[str]):
    """(classes, score matrix) with probabilities when the model has them."""
    import numpy as np

    if hasattr(model, "predict_proba"):
        try:
            return list(model.classes_), np.asarray(model.predict_proba(texts))
        except (AttributeError, NotImplementedError):
            pass
    return list(model.classes_), np.asarray(model.decision_function(texts))


def _as_topic_list(pred: Any) -> List[str]:
    if isinstance(pred, str):
        return [pred]
    if pred is None:
        return []
    return [str(p) for p in pred]


def _fmt_score(x: float) -> float:
    return round(float(x), 4)


# ---------------------------------------------------------------------------------- commands


def cmd_train(args) -> int:
    texts, labels = _read_labelled(args)
    cls = _classifier_class()
    params: Dict[str, Any] = {"model": args.model}
    optional = {
        "C": args.C,
        "language": args.language,
        "min_df": args.min_df,
        "max_features": args.max_features,
        "threshold": args.threshold,
    }
    if args.ngram_max is not None:
        if args.ngram_max < 1:
            raise CLIError(f"--ngram-max must be >= 1, got {args.ngram_max}")
        optional["ngram_range"] = (1, args.ngram_max)
    accepted = set(cls().get_params(deep=False))
    for name, value in optional.items():
        if value is None:
            continue
        if name not in accepted:
            flag = "--ngram-max" if name == "ngram_range" else "--" + name.replace("_", "-")
            raise CLIError(f"{flag} is not supported by this version of TopicClassifier")
        params[name] = value
    model = cls(**params)
    t0 = time.perf_counter()
    with progress(f"training on {len(texts):,} documents"):
        model.fit(texts, labels)
    elapsed = time.perf_counter() - t0
    _save(model, args.output)
    kind = "multi-label" if getattr(model, "multilabel_", False) else "single-label"
    print(
        f"trained a {args.model} model on {len(texts):,} documents, "
        f"{len(model.classes_)} topics ({kind}) in {elapsed:.2f} s; saved to {args.output}"
    )
    return 0


def _save(model, path: str) -> None:
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise CLIError(f"{path}: the folder {parent} does not exist")
    try:
        model.save(path)
    except OSError as e:
        raise CLIError(f"{path}: cannot write the model ({e.strerror or e})") from None


def cmd_predict(args) -> int:
    if args.top_k < 0:
        raise CLIError(f"--top-k must be >= 0, got {args.top_k}")
    model = _load_model(args.model)
    texts, ids = _read_unlabelled(args.input, args.input_format, args.text_col, args.id_col)
    if not texts:
        raise CLIError(f"{args.input or '<stdin>'}: no documents to tag")
    with progress(f"tagging {len(texts):,} documents"):
        classes, scores = _scores(model, texts)
        if args.threshold is not None:
            preds = None
        else:
            preds = model.predict(texts)
    k = min(args.top_k, len(classes))
    rows = []
    for i, doc_id in enumerate(ids):
        row = scores[i]
        if scores.ndim == 1:  # a binary decision function: one column for classes[1]
            row = [-row, row]
        order = sorted(range(len(classes)), key=lambda j: -float(row[j]))
        if preds is None:
            topics = [classes[j] for j in order if float(row[j]) >= args.threshold]
        else:
            topics = _as_topic_list(preds[i])
        top = [(str(classes[j]), _fmt_score(row[j])) for j in order[:k]]
        rows.append((doc_id, [str(t) for t in topics], top))
    with _Output(args.output) as out:
        if args.format == "csv":
            w = csv.writer(out, lineterminator="\n")
            header = ["id", "topics"]
            for j in range(1, k + 1):
                header += [f"topic_{j}", f"score_{j}"]
            w.writerow(header)
            for doc_id, topics, top in rows:
                line = [doc_id, "|".join(topics)]
                for t, s in top:
                    line += [t, s]
                w.writerow(line)
        else:
            for doc_id, topics, top in rows:
                rec: Dict[str, Any] = {"id": doc_id, "topics": topics}
                if k:
                    rec["scores"] = dict(top)
                out.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return 0


def cmd_evaluate(args) -> int:
    model = _load_model(args.model)
    texts, labels = _read_labelled(args)
    with progress(f"evaluating on {len(texts):,} documents"):
        report = model.evaluate(texts, labels)
    if args.json:
        print(json.dumps(_jsonable(report.to_dict()), indent=2, ensure_ascii=False))
    else:
        print(report)
    return 0


def _jsonable(x: Any) -> Any:
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if hasattr(x, "tolist"):
        return _jsonable(x.tolist())
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def _terms_of(model, topic: Optional[str], n: int) -> Dict[str, List[Tuple[str, float]]]:
    """{topic: [(term, weight), ...]} from ``top_terms``, whatever container it returns."""
    res = model.top_terms(topic=topic, n=n)
    if hasattr(res, "columns"):  # a DataFrame: columns topic, term, weight (in some order)
        res = res.to_dict("records")
    if isinstance(res, dict):
        return {str(t): [(str(a), float(b)) for a, b in v] for t, v in res.items()}
    res = list(res)
    if res and isinstance(res[0], dict):
        out: Dict[str, List[Tuple[str, float]]] = {}
        for r in res:
            t = str(r.get("topic", topic))
            w = r.get("weight", r.get("coef", r.get("score")))
            out.setdefault(t, []).append((str(r["term"]), float(w)))
        return out
    return {str(topic): [(str(a), float(b)) for a, b in res]}


def cmd_top_terms(args) -> int:
    if args.n < 1:
        raise CLIError(f"-n must be >= 1, got {args.n}")
    model = _load_model(args.model)
    classes = [str(c) for c in model.classes_]
    if args.topic is not None and args.topic not in classes:
        raise CLIError(f"unknown topic {args.topic!r}; the model's topics are: {', '.join(classes)}")
    terms = _terms_of(model, args.topic, args.n)
    for topic, pairs in terms.items():
        print(f"{topic}:")
        width = max((len(t) for t, _ in pairs), default=0)
        for term, weight in pairs:
            print(f"  {term:<{width}}  {weight:+.3f}")
    return 0


def cmd_explain(args) -> int:
    model = _load_model(args.model)
    text = _read_stdin_text() if args.text == "-" else args.text
    if not text.strip():
        raise CLIError("the text to explain is empty")
    if args.topic is not None:
        classes = [str(c) for c in model.classes_]
        if args.topic not in classes:
            raise CLIError(
                f"unknown topic {args.topic!r}; the model's topics are: {', '.join(classes)}"
            )
    print(model.explain(text, topic=args.topic, n=args.n))
    return 0


# -------------------------------------------------------------------------------------- demo


def _folds(labels: Sequence[Sequence[str]], k: int, seed: int) -> List[List[int]]:
    """k folds, each holding about the same share of every topic (greedy: documents of the
    rarest topics first, each to the fold that most lacks its topics; ties by fold size)."""
    n = len(labels)
    rng = random.Random(seed)
    order = list(range(n))
    rng.shuffle(order)
    count: Dict[str, int] = {}
    for ls in labels:
        for t in ls:
            count[t] = count.get(t, 0) + 1
    order.sort(key=lambda i: min((count[t] for t in labels[i]), default=n))
    folds: List[List[int]] = [[] for _ in range(k)]
    have = [dict() for _ in range(k)]  # type: List[Dict[str, int]]
    for i in order:
        def need(f):
            return sum(count[t] / k - have[f].get(t, 0) for t in labels[i])
        best = max(range(k), key=lambda f: (need(f), -len(folds[f])))
        folds[best].append(i)
        for t in labels[i]:
            have[best][t] = have[best].get(t, 0) + 1
    return [sorted(f) for f in folds]


def _per_topic(truth: List[List[str]], pred: List[List[str]], topics: List[str]):
    rows = []
    for t in topics:
        tp = sum(1 for a, b in zip(truth, pred) if t in a and t in b)
        fp = sum(1 for a, b in zip(truth, pred) if t not in a and t in b)
        fn = sum(1 for a, b in zip(truth, pred) if t in a and t not in b)
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        rows.append((t, p, r, f, tp + fn))
    return rows


def _wrap(text: str, width: int, indent: str) -> str:
    import textwrap

    return textwrap.fill(" ".join(text.split()), width=width, initial_indent=indent,
                         subsequent_indent=indent)


def _drivers(model, text: str, topic: str, n: int = 5) -> List[str]:
    try:
        exp = model.explain(text, topic=topic, n=n * 2)
    except Exception:  # an explanation is a bonus in the demo; never fail the run for it
        return []
    words = [str(term) for term, c in exp.contributions if float(c) > 0]
    return words[:n]


def _default_model_path() -> str:
    path = os.path.abspath("starter-model.ttm")
    if os.access(os.path.dirname(path), os.W_OK):
        return path
    return os.path.join(tempfile.mkdtemp(prefix="topictag-"), "starter-model.ttm")


def cmd_demo(args) -> int:
    from .datasets import load_demo, load_starter

    if args.cv < 2:
        raise CLIError(f"--cv must be at least 2, got {args.cv}")
    cls = _classifier_class()
    starter = load_starter()
    texts, labels = starter.data, starter.target
    topics = list(starter.topics)
    n_en = sum(1 for x in starter.language if x == "en")
    print(
        f"Starter corpus: {len(texts)} news paragraphs ({n_en} English, {len(texts) - n_en} "
        f"Spanish), {len(topics)} topics, multi-label."
    )
    print(f"Topics: {', '.join(topics)}")
    if args.cv > len(texts):
        raise CLIError(f"--cv {args.cv} is more folds than the {len(texts)} documents")

    # 1. cross-validation: every paragraph tagged by a model that never saw it
    folds = _folds(labels, args.cv, seed=0)
    pred: List[List[str]] = [[] for _ in texts]
    t0 = time.perf_counter()
    fit_time = 0.0
    with progress(f"{args.cv}-fold cross-validation") as p:
        for f, test in enumerate(folds):
            p.update(f"fold {f + 1}/{args.cv}")
            test_set = set(test)
            train = [i for i in range(len(texts)) if i not in test_set]
            m = cls()
            t1 = time.perf_counter()
            m.fit([texts[i] for i in train], [labels[i] for i in train])
            fit_time += time.perf_counter() - t1
            out = m.predict([texts[i] for i in test])
            for i, y in zip(test, out):
                pred[i] = _as_topic_list(y)
    cv_time = time.perf_counter() - t0
    rows = _per_topic(labels, pred, topics)
    macro = sum(r[3] for r in rows) / len(rows)
    print()
    print(f"{args.cv}-fold cross-validation ({cv_time:.2f} s in all, "
          f"{fit_time / args.cv * 1000:.0f} ms per training):")
    width = max(len(t) for t in topics + ["topic"])
    print(f"  {'topic':<{width}}  precision  recall    F1  support")
    for t, pr, rc, f1, sup in rows:
        print(f"  {t:<{width}}  {pr:9.2f}  {rc:6.2f}  {f1:4.2f}  {sup:7d}")
    print(f"cross-validated macro-F1: {macro:.2f}")

    # 2. the final model, on all the paragraphs
    model = cls()
    with progress("training on the whole corpus"):
        model.fit(texts, labels)

    # 3. new paragraphs, English and Spanish
    demo = load_demo()
    print()
    print(f"Tagging {len(demo.data)} new paragraphs (not in the training data):")
    preds = model.predict(demo.data)
    tops = model.predict_top(demo.data, 3)
    for i, text in enumerate(demo.data):
        lang = demo.language[i]
        print()
        print(f"[{i + 1}] ({'English' if lang == 'en' else 'Spanish' if lang == 'es' else lang})")
        snippet = " ".join(text.split())
        if len(snippet) > 240:
            snippet = snippet[:237].rsplit(" ", 1)[0] + "..."
        print(_wrap(snippet, 92, "    "))
        got = _as_topic_list(preds[i])
        score_of = {str(t): float(s) for t, s in tops[i]}
        shown = got if got else [str(t) for t, _ in tops[i][:1]]
        expected = demo.target[i]
        tag_line = ", ".join(
            f"{t} ({score_of[t]:.2f})" if t in score_of else t for t in got
        ) or "(none above the threshold)"
        print(f"    topics: {tag_line}")
        if expected:
            print(f"    expected: {', '.join(expected)}")
        for t in shown:
            words = _drivers(model, text, t)
            if words:
                print(f"    {t} <- {', '.join(words)}")

    # 4. save it for the other commands
    path = args.save or _default_model_path()
    _save(model, path)
    print()
    print(f"Model saved to {path}")
    print(f"Try: echo 'Rebels and the army agreed to a truce' | {PROG} predict {path}")
    return 0


# ---------------------------------------------------------------------------------- parser


def _add_data_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--text-col", default="text", metavar="NAME",
                   help="column (CSV/Parquet) or field (JSONL) holding the text (default: text)")
    p.add_argument("--label-col", default="label", metavar="NAME",
                   help="column or field holding the topic(s) (default: label)")
    p.add_argument("--label-sep", default=None, metavar="SEP",
                   help="separator of several topics in one label, e.g. '|' (multi-label data); "
                        "a JSONL label may also be a list")
    p.add_argument("--format", choices=("csv", "tsv", "jsonl", "parquet"), default=None,
                   help="input format (default: from the file extension)")


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = _Parser(
        prog=PROG,
        description="Tag news documents with topics: TF-IDF and linear classifiers, fast.",
        epilog="Start with 'topictag demo'. Details of a command: topictag COMMAND --help.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("train", help="train a model on labelled documents and save it",
                       description="Train a topic classifier on a labelled CSV, TSV, JSONL or "
                                   "Parquet file and save it to a model file.")
    p.add_argument("data", metavar="DATA", help="labelled documents (.csv, .tsv, .jsonl, .parquet)")
    p.add_argument("-o", "--output", required=True, metavar="MODEL", help="model file to write")
    _add_data_options(p)
    p.add_argument("--model", choices=("logistic", "svm"), default="logistic",
                   help="classifier (default: logistic)")
    p.add_argument("--C", type=float, default=None, help="inverse regularisation strength")
    p.add_argument("--ngram-max", type=int, default=None, metavar="N",
                   help="use word n-grams of 1 to N words")
    p.add_argument("--language", default=None,
                   help="text language: en, es, or auto (default: the classifier's default)")
    p.add_argument("--min-df", type=_number, default=None, metavar="N",
                   help="ignore terms in fewer documents than this (an int) or share (a float)")
    p.add_argument("--max-features", type=int, default=None, metavar="N",
                   help="keep only the N most frequent terms")
    p.add_argument("--threshold", type=float, default=None,
                   help="score a topic needs to be predicted (multi-label)")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("predict", help="tag documents with a trained model",
                       description="Tag documents: one JSON record (or CSV row) per document "
                                   "with its topics and top scores.")
    p.add_argument("model", metavar="MODEL", help="model file from 'topictag train'")
    p.add_argument("input", metavar="INPUT", nargs="?", default=None,
                   help="CSV, TSV, JSONL, Parquet, or plain text with one document per line; "
                        "stdin when absent or '-'")
    p.add_argument("--text-col", default="text", metavar="NAME",
                   help="column or field holding the text (default: text)")
    p.add_argument("--id-col", default=None, metavar="NAME",
                   help="column or field to copy as each record's id (default: 'id' when "
                        "present, else the line or row number)")
    p.add_argument("--input-format", choices=("csv", "tsv", "jsonl", "parquet", "text"),
                   default=None, help="input format (default: from the extension; stdin: "
                                      "JSONL if it looks like it, else text lines)")
    p.add_argument("--format", choices=("jsonl", "csv"), default="jsonl",
                   help="output format (default: jsonl)")
    p.add_argument("-o", "--output", default=None, metavar="FILE",
                   help="write here instead of stdout")
    p.add_argument("-k", "--top-k", type=int, default=3, metavar="K",
                   help="how many top-scoring topics to list with their scores (default: 3)")
    p.add_argument("--threshold", type=float, default=None,
                   help="predict every topic whose score reaches this value, instead of the "
                        "model's own decision")
    p.set_defaults(func=cmd_predict)

    p = sub.add_parser("evaluate", help="score a model on labelled documents",
                       description="Per-topic precision, recall and F1 of a model on labelled "
                                   "documents, with micro and macro averages.")
    p.add_argument("model", metavar="MODEL", help="model file")
    p.add_argument("data", metavar="DATA", help="labelled documents (.csv, .tsv, .jsonl, .parquet)")
    _add_data_options(p)
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("top-terms", help="the words that weigh most for each topic",
                       description="The terms with the largest weights for one topic or all.")
    p.add_argument("model", metavar="MODEL", help="model file")
    p.add_argument("topic", metavar="TOPIC", nargs="?", default=None,
                   help="one topic (default: every topic)")
    p.add_argument("-n", type=int, default=10, help="terms per topic (default: 10)")
    p.set_defaults(func=cmd_top_terms)

    p = sub.add_parser("explain", help="why a text gets a topic",
                       description="The words of TEXT that push its score for a topic up or "
                                   "down.")
    p.add_argument("model", metavar="MODEL", help="model file")
    p.add_argument("text", metavar="TEXT", help="the text ('-' reads it from stdin)")
    p.add_argument("--topic", default=None, help="topic to explain (default: the top one)")
    p.add_argument("-n", type=int, default=10, help="words to show (default: 10)")
    p.set_defaults(func=cmd_explain)

    p = sub.add_parser("demo", help="train on the built-in starter corpus and tag new paragraphs",
                       description="Cross-validate and train a model on the starter corpus "
                                   "(English and Spanish news paragraphs), tag unseen "
                                   "paragraphs showing the words behind each topic, and save "
                                   "the model.")
    p.add_argument("--cv", type=int, default=5, metavar="K",
                   help="cross-validation folds (default: 5)")
    p.add_argument("--save", default=None, metavar="PATH",
                   help="where to save the model (default: ./starter-model.ttm, or a temporary "
                        "folder when the current one is not writable)")
    p.set_defaults(func=cmd_demo)
    return parser


def _number(s: str):
    try:
        return int(s)
    except ValueError:
        pass
    try:
        return float(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {s!r}") from None


def _one_line(e: BaseException) -> str:
    msg = " ".join(str(e).split())
    if isinstance(e, KeyError) and msg.startswith("'"):
        msg = f"missing key {msg}"
    return msg or type(e).__name__


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of the ``topictag`` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.error("a command is required: train, predict, evaluate, top-terms, explain, demo")
    debug = os.environ.get("TOPICTAG_DEBUG", "") not in ("", "0")
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        if debug:
            raise
        sys.stderr.write(f"{PROG}: interrupted\n")
        return 130
    except BrokenPipeError:
        # the reader went away (e.g. `| head`): stop quietly, as command line tools do
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return 0
    except Exception as e:  # one line, never a traceback (unless TOPICTAG_DEBUG=1)
        if debug:
            raise
        if isinstance(e, (CLIError, ValueError, TypeError, OSError, ImportError, LookupError)):
            msg = _one_line(e)
            if isinstance(e, FileNotFoundError) and e.filename and str(e.filename) not in msg:
                msg = f"{e.filename}: {msg}"
        else:
            msg = (f"unexpected {type(e).__name__}: {_one_line(e)} "
                   "(run with TOPICTAG_DEBUG=1 for the traceback)")
        sys.stderr.write(f"{PROG}: error: {msg}\n")
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
