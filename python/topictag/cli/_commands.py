"""The commands that use a model file: train, predict, evaluate, top-terms, explain."""

from __future__ import annotations

import csv
import json
import math
import os
import time
from typing import Any, Dict, List, Optional, Tuple

import numpy as np

from .._progress import progress
from ._io import (CLIError, Output, _check_input_file, flag_of, iter_records, load_model,
                  read_labelled, read_stdin_text, read_unlabelled, report_skipped, save_model,
                  warn_label_sep)

# `train` holds a data file of at most this size in memory (an in-memory fit also learns the
# article-level state); larger inputs are streamed, a batch at a time. An in-memory fit peaks
# at ~10 bytes per byte of text (1.97 GB for issue 21's 196 MB file, whose target is 700 MB;
# streamed: 0.65 GB), so files above 64 MiB stream.
IN_MEMORY_BYTES = 64 * 2**20


def _classifier_class():
    from .._classifier import TopicClassifier

    return TopicClassifier


def _scores(model, texts: List[str]):
    """(classes, score matrix, are they probabilities, the model's own topic index lists or
    None): calibrated article probabilities for multi-label models fitted with calibration
    (and their predictions, from the same pass), probabilities for logistic models, decision
    values for SVMs (the scale of the model's own ``threshold`` and of ``predict_top``)."""

    classes = list(model.classes_)
    if getattr(model, "_calibrated", lambda: False)():
        sets, z = model._article_predictions(model._docs(texts))
        return classes, np.asarray(z), True, sets
    if getattr(model, "_articles", lambda: False)():
        sets, z = model._article_predictions(model._docs(texts))
        return classes, np.asarray(z), False, sets
    if getattr(model, "model", None) == "logistic":
        return classes, np.asarray(model.predict_proba(texts)), True, None
    d = np.asarray(model.decision_function(texts))
    if d.ndim == 1:  # two topics, one decision value: positive means classes_[1]
        d = np.stack([-d, d], axis=1)
    return classes, d, False, None


def _as_topic_list(pred: Any) -> List[str]:
    if isinstance(pred, str):
        return [pred]
    if pred is None:
        return []
    return [str(p) for p in pred]


def _fmt_score(x: float) -> float:
    return round(float(x), 4)


def cmd_train(args) -> int:
    # A data file of up to IN_MEMORY_BYTES (and stdin) is read into memory; a larger file is
    # streamed: read twice in batches, never held whole.
    source = None
    if args.data != "-":
        _check_input_file(args.data)
    if args.data == "-" or os.path.getsize(args.data) <= IN_MEMORY_BYTES:
        # an in-memory fit also learns the article-level state (segments, calibration,
        # per-topic thresholds) that a streamed fit cannot
        texts, labels = read_labelled(args)
        n_docs = len(texts)
    else:
        source, skipped = _streamed_source(args)
    cls = _classifier_class()
    params: Dict[str, Any] = {}
    optional = {
        "model": args.model,
        "C": args.C,
        "penalty": args.penalty,
        "language": args.language,
        "stemmer": "auto" if args.stem else None,
        "stop_words": "auto" if args.stop_words else None,
        "min_df": args.min_df,
        "max_features": args.max_features,
        "threshold": args.threshold,
        "class_weight": args.class_weight,
        "n_jobs": args.n_jobs,
        "random_state": args.seed,
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
            raise CLIError(f"{flag_of(name)} is not supported by this version of TopicClassifier")
        params[name] = value
    model = cls(**params)
    t0 = time.perf_counter()
    if source is None:
        with progress(f"training on {n_docs:,} documents"):
            model.fit(texts, labels)
    else:
        with progress(f"training on {args.data} (streamed)"):
            model.fit(source)
        report_skipped(args.data, skipped)
        n_docs = int(model.training_summary_["n_documents"])
    elapsed = time.perf_counter() - t0
    save_model(model, args.output)
    kind = "multi-label" if getattr(model, "multilabel_", False) else "single-label"
    print(
        f"trained a {model.model} model on {n_docs:,} documents, "
        f"{len(model.classes_)} topics ({kind}) in {elapsed:.2f} s; saved to {args.output}"
    )
    return 0


def _streamed_source(args):
    """(a Batches over a large DATA file read with the command's options, the set that
    collects its skipped blank lines)."""
    from ..datasets import format_from_path
    from .._stream import DEFAULT_BATCH_SIZE, Batches, _grouped

    fmt = args.format or format_from_path(args.data)
    if fmt is None:
        raise CLIError(f"{args.data}: cannot tell the file format from its name; give it with "
                       "--format csv, tsv, jsonl or parquet")
    skipped: set = set()
    if fmt == "parquet":
        source = Batches(args.data, text_col=args.text_col, label_col=args.label_col,
                         label_sep=args.label_sep, format=fmt, allow_empty_texts=True)
    else:
        def batches():
            recs = iter_records(args.data, fmt, args, args.label_col, skipped=skipped)
            return _grouped(recs, DEFAULT_BATCH_SIZE, True)

        source = Batches(batches)
    first = next(iter(source), None)
    if first is not None:
        warn_label_sep(first[1], args.label_sep)
    return source, skipped


def _with_n_jobs(model, args):
    """The loaded model with the command's --n-jobs, passed on as is."""
    if getattr(args, "n_jobs", None) is not None:
        model.set_params(n_jobs=args.n_jobs)
    return model


def cmd_predict(args) -> int:
    if args.top_k < 0:
        raise CLIError(f"--top-k must be >= 0, got {args.top_k}")
    model = _with_n_jobs(load_model(args.model), args)
    texts, ids = read_unlabelled(args.input, args.input_format, args, args.id_col)
    if not texts:
        raise CLIError(f"{args.input or '<stdin>'}: no documents to tag")

    with progress(f"tagging {len(texts):,} documents"):
        # one pass over the texts for everything
        classes, scores, are_probabilities, own = _scores(model, texts)
    names = [str(c) for c in classes]
    k = min(args.top_k, len(classes))
    order = np.argsort(-scores, axis=1, kind="stable")
    multilabel = bool(getattr(model, "multilabel_", False))
    if args.threshold is not None:
        chosen = scores >= args.threshold
    elif own is not None:
        # the model's own decision: per-topic thresholds (articles), at least one topic
        chosen = np.zeros(scores.shape, dtype=bool)
        for i, s in enumerate(own):
            chosen[i, s] = True
    elif multilabel:
        # the model's own rule (TopicClassifier's documented defaults): every topic whose score
        # reaches `threshold`; with allow_empty=False at least the best one
        chosen = scores >= model._threshold()
        if not getattr(model, "allow_empty", True):
            chosen[np.arange(len(scores)), order[:, 0]] = True
    else:
        chosen = np.zeros(scores.shape, dtype=bool)
        chosen[np.arange(len(scores)), order[:, 0]] = True
    evidence: List[Any] = [None] * len(texts)
    if args.evidence:
        if not getattr(model, "_articles", lambda: False)():
            raise CLIError(
                "--evidence needs a multi-label model trained with segments, calibration or "
                "tuned thresholds (the default of 'topictag train' on topic lists)"
            )
        with progress(f"collecting evidence for {len(texts):,} documents"):
            evidence = [_jsonable(model.explain(t).to_dict()["topics"]) for t in texts]
    # scores that are probabilities are labelled so ("probabilities", "probability_1")
    key = "probabilities" if are_probabilities else "scores"
    col = "probability" if are_probabilities else "score"
    rows = []
    for i, doc_id in enumerate(ids):
        oi = order[i]
        topics = [names[j] for j in oi if chosen[i, j]]
        top = [(names[j], _fmt_score(scores[i, j])) for j in oi[:k]]
        rows.append((doc_id, topics, top, evidence[i]))
    with Output(args.output) as out:
        if args.format == "csv":
            w = csv.writer(out, lineterminator="\n")
            header = ["id", "topics"]
            for j in range(1, k + 1):
                header += [f"topic_{j}", f"{col}_{j}"]
            if args.evidence:
                header.append("evidence")
            w.writerow(header)
            for doc_id, topics, top, ev in rows:
                line = [doc_id, "|".join(topics)]
                for t, s in top:
                    line += [t, s]
                if args.evidence:
                    line.append(json.dumps(ev, ensure_ascii=False))
                w.writerow(line)
        else:
            for doc_id, topics, top, ev in rows:
                rec: Dict[str, Any] = {"id": doc_id, "topics": topics}
                if k:
                    rec[key] = dict(top)
                if args.evidence:
                    rec["evidence"] = ev
                out.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return 0


def cmd_evaluate(args) -> int:
    if args.cv is not None and args.cv < 2:
        raise CLIError(f"--cv must be at least 2 (folds), got {args.cv}")
    model = _with_n_jobs(load_model(args.model), args)
    texts, labels = read_labelled(args)
    if args.cv is not None:
        return _cross_validate(model, texts, labels, args)
    with progress(f"evaluating on {len(texts):,} documents"):
        report = model.evaluate(texts, labels)
    if args.json:
        print(json.dumps(_jsonable(report.to_dict()), indent=2, ensure_ascii=False))
    else:
        print(report)
    return 0


def _cross_validate(model, texts, labels, args) -> int:
    from .._evaluate import cross_validate

    fresh = type(model)(**model.get_params(deep=False))  # MODEL's settings, unfitted
    with progress(f"cross-validating on {len(texts):,} documents ({args.cv} folds)"):
        res = cross_validate(fresh, texts, labels, cv=args.cv,
                             random_state=0 if args.seed is None else args.seed,
                             return_reports=False)
    if args.json:
        out = {k: {"mean": float(np.mean(v)), "std": float(np.std(v)),
                   "folds": [float(x) for x in v]} for k, v in res.items()}
        print(json.dumps({"cv": args.cv, "n_documents": len(texts), "scores": out}, indent=2))
    else:
        print(f"{args.cv}-fold cross-validation of {args.model}'s settings on "
              f"{len(texts):,} documents:")
        print(res)
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


def _terms_of(model, topic: Optional[str], n: int):
    """{topic: {"positive": [(term, weight), ...], "negative": [...]}}, topics in model order."""
    out: Dict[str, Dict[str, List[Tuple[str, float]]]] = {}
    for t, polarity, _rank, term, weight in model.top_terms(topic=topic, n=n, as_frame=False):
        d = out.setdefault(str(t), {"positive": [], "negative": []})
        d.setdefault(str(polarity), []).append((str(term), float(weight)))
    return out


def cmd_top_terms(args) -> int:
    if args.n < 1:
        raise CLIError(f"-n must be >= 1, got {args.n}")
    model = load_model(args.model)
    classes = [str(c) for c in model.classes_]
    if args.topic is not None and args.topic not in classes:
        raise CLIError(f"unknown topic {args.topic!r}; the model's topics are: {', '.join(classes)}")
    terms = _terms_of(model, args.topic, args.n)
    for topic, d in terms.items():
        print(f"{topic}:")
        pairs = d["positive"] + (d["negative"] if args.negative else [])
        width = max((len(t) for t, _ in pairs), default=0)
        for term, weight in d["positive"]:
            print(f"  {term:<{width}}  {weight:+.3f}")
        if args.negative and d["negative"]:
            print("  against:")
            for term, weight in d["negative"]:
                print(f"  {term:<{width}}  {weight:+.3f}")
    return 0


def cmd_explain(args) -> int:
    model = load_model(args.model)
    text = read_stdin_text() if args.text == "-" else args.text
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
