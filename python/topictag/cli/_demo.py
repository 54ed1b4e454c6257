"""``topictag demo``: cross-validate and train on the starter corpus, tag new paragraphs."""

from __future__ import annotations

import os
import tempfile
from typing import Any, List

from .._progress import progress
from ._commands import _as_topic_list, _classifier_class
from ._io import PROG, CLIError, save_model


def _wrap(text: str, width: int, indent: str) -> str:
    import textwrap

    return textwrap.fill(" ".join(text.split()), width=width, initial_indent=indent,
                         subsequent_indent=indent)


def _drivers(model, text: str, topic: Any, n: int = 5) -> List[str]:
    """The words that pushed ``text`` most towards ``topic``, as written in the text (a
    stemmed term such as "negoti" is shown as the word it came from, "negotiated")."""
    exp = model.explain(text, topic=topic, n=n)
    spans = getattr(exp, "spans", None) or {}
    words: List[str] = []
    seen = set()
    for c in exp.contributions:
        if float(c.contribution) <= 0:
            continue
        where = spans.get(c.term)
        word = text[where[0][0]:where[0][1]] if where else str(c.term)
        word = " ".join(word.split())
        if word.lower() not in seen:
            seen.add(word.lower())
            words.append(word)
        if len(words) == n:
            break
    return words


def _default_model_path() -> str:
    path = os.path.abspath("starter-model.ttm")
    if os.access(os.path.dirname(path), os.W_OK):
        return path
    return os.path.join(tempfile.mkdtemp(prefix="topictag-"), "starter-model.ttm")


def _demo_model(cls):
    """The model the demo trains: TopicClassifier's defaults plus two settings, both printed."""
    # model="logistic" so that the scores shown read as probabilities. class_weight="balanced"
    # because the starter corpus is multi-label, where each topic is a minority of its
    # one-vs-rest problem. language/stop_words/stemmer="auto" because the corpus mixes English
    # and Spanish paragraphs: each one gets its own language's stop words and Snowball stemmer,
    # which also keeps function words ("de la", "their") out of the explanations. The
    # cross-validated scores of each step are in benchmarks/results/defaults.md.
    return cls(model="logistic", class_weight="balanced", language="auto", stop_words="auto",
               stemmer="auto")


def cmd_demo(args) -> int:
    import numpy as np

    from .._evaluate import cross_validate
    from ..datasets import load_demo, load_starter

    if args.cv < 2:
        raise CLIError(f"--cv must be at least 2, got {args.cv}")
    cls = _classifier_class()
    starter = load_starter()
    texts, labels = starter.data, starter.target
    topics = list(starter.topics)
    n_en = sum(1 for x in starter.language if x == "en")
    n_multi = sum(1 for ls in labels if len(ls) > 1)
    print(
        f"Starter corpus: {len(texts)} news paragraphs ({n_en} English, {len(texts) - n_en} "
        f"Spanish), {len(topics)} topics; {n_multi} paragraphs carry more than one topic."
    )
    print(f"Topics: {', '.join(topics)}")
    if args.cv > len(texts):
        raise CLIError(f"--cv {args.cv} is more folds than the {len(texts)} documents")

    # 1. cross-validation: each fold is tagged by a model trained on the other folds
    model = _demo_model(cls)
    print()
    print(f"Model: {model!r}")
    print("  (TopicClassifier's defaults, with logistic regression so that scores are "
          "probabilities,\n   balanced class weights, which help rare topics in multi-label "
          "data, and each\n   paragraph's own language (English or Spanish) for stop words "
          "and stemming)")
    with progress(f"{args.cv}-fold cross-validation"):
        cv = cross_validate(model, texts, labels, cv=args.cv, random_state=0)
    reports = cv.reports
    names = [str(c) for c in reports[0].classes]
    prec = np.mean([r.precision for r in reports], axis=0)
    rec = np.mean([r.recall for r in reports], axis=0)
    f1 = np.mean([r.f1 for r in reports], axis=0)
    support = np.sum([r.support for r in reports], axis=0)
    macro = float(np.mean(cv["test_f1_macro"]))
    micro = float(np.mean(cv["test_f1_micro"]))
    print(f"{args.cv}-fold cross-validation (mean over folds; training "
          f"{np.mean(cv['fit_time']) * 1000:.0f} ms per fold):")
    width = max(len(t) for t in names + ["topic"])
    print(f"  {'topic':<{width}}  precision  recall    F1  support")
    for i, t in enumerate(names):
        print(f"  {t:<{width}}  {prec[i]:9.2f}  {rec[i]:6.2f}  {f1[i]:4.2f}  {int(support[i]):7d}")
    print(f"cross-validated micro-F1: {micro:.2f}")
    print(f"cross-validated macro-F1: {macro:.2f}")

    # 2. the final model, on all the paragraphs
    with progress("training on the whole corpus"):
        model.fit(texts, labels)

    # 3. new paragraphs, English and Spanish
    demo = load_demo()
    print()
    print(f"Tagging {len(demo.data)} new paragraphs (not in the training data); each topic is "
          "followed by its probability and the words that weighed most for it:")
    preds = model.predict(demo.data)
    tops = model.predict_top(demo.data, 3)
    for i, text in enumerate(demo.data):
        lang = demo.language[i]
        print()
        print(f"[{i + 1}] {'English' if lang == 'en' else 'Spanish' if lang == 'es' else lang}")
        snippet = " ".join(text.split())
        if len(snippet) > 300:
            snippet = snippet[:297].rsplit(" ", 1)[0] + " ..."
        print(_wrap(snippet, 92, "    "))
        score_of = {str(t): float(s) for t, s in tops[i]}
        got = _as_topic_list(preds[i])
        if not got:
            best, best_score = tops[i][0]
            print(f"    topics: none above the threshold (best: {best} {best_score:.2f})")
        else:
            print("    topics:")
        for t in got:
            score = score_of.get(str(t))
            if score is None:
                score = float(model.predict_proba([text])[0][list(model.classes_).index(t)])
            words = _drivers(model, text, t)
            print(f"      {str(t):<{width}} {score:.2f}   <- {', '.join(words)}")
        if demo.target[i]:
            print(f"    expected: {', '.join(demo.target[i])}")

    # 4. save it for the other commands
    path = args.save or _default_model_path()
    save_model(model, path)
    print()
    print(f"Model saved to {path}")
    print(f"Next: echo 'Rebels and the army agreed to a truce' | {PROG} predict {path}")
    print(f"      {PROG} top-terms {path} ceasefire")
    return 0
