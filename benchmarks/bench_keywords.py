"""Issue 23 (topics from keywords): ``TopicClassifier.from_keywords`` on AG News.

The AG News test split in ``../shared/data`` (7,600 articles, 4 topics): 6,000 articles are
given to ``from_keywords`` without their labels, the other 1,600 are the evaluation set (a
fixed shuffle, ``datasets_shared.ag_news_keyword_split``). Two keyword lists (target:
macro-F1 >= 0.80): a blind one written from the class names alone, and one revised once
against the training texts' labels (see below). Side by side in one run:

- ``from_keywords`` with its defaults (5 self-training rounds), for each list;
- the same keywords without self-training (``rounds=0``: trained on the keyword labels only);
- the keyword labels alone as a classifier (each text's topic of most keywords; texts with
  none or a tie count as wrong), to show what the model adds;
- a supervised TopicClassifier on the same 6,000 articles with their labels (the ceiling).

Published keyword-only results on AG News (all with the 120,000 training texts): labelling
functions + TF-IDF model about 0.82 macro-F1, WeSTClass 0.823 micro-F1, Lbl2Vec 0.827.

Usage: python benchmarks/bench_keywords.py [--out benchmarks/results/keywords.md]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import datasets_shared as ds  # noqa: E402
from _common import cpu_model  # noqa: E402

import topictag  # noqa: E402

# Chosen once for the benchmark (and used by tests/test_keywords.py): ten per topic.
AG_NEWS_KEYWORDS = {
    "World": ["minister", "election", "iraq", "military", "troops", "killed",
              "united nations", "rebels", "palestinian", "nuclear"],
    "Sports": ["season", "coach", "championship", "league", "olympic", "cup",
               "tournament", "quarterback", "team", "game"],
    "Business": ["profit", "stock", "oil prices", "quarterly", "economy", "investors",
                 "earnings", "shares", "bank", "sales"],
    "Sci/Tech": ["software", "internet", "microsoft", "space", "scientists", "computer",
                 "linux", "nasa", "researchers", "technology"],
}


# Issue 23's re-measure: written from the four class names alone (World, Sports, Business,
# Sci/Tech), without looking at any AG News text or label, and committed before it was first
# run. (The list above was revised once against the training texts' labels.)
AG_NEWS_KEYWORDS_BLIND = {
    "World": ["government", "president", "minister", "war", "election", "foreign",
              "international", "country", "peace", "military"],
    "Sports": ["game", "team", "season", "player", "coach", "match", "championship",
               "league", "win", "score"],
    "Business": ["company", "market", "stock", "shares", "profit", "economy", "bank",
                 "sales", "investors", "prices"],
    "Sci/Tech": ["technology", "software", "computer", "internet", "science", "scientists",
                 "research", "space", "data", "online"],
}


def scores(y_true, y_pred):
    from sklearn.metrics import accuracy_score, f1_score

    return f1_score(y_true, y_pred, average="macro"), accuracy_score(y_true, y_pred)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    train, test, y_test, y_train = ds.ag_news_keyword_split()
    rows = []

    def run(name, make):
        t0 = time.perf_counter()
        model = make()
        secs = time.perf_counter() - t0
        f1, acc = scores(y_test, model.predict(test))
        rows.append((name, f1, acc, secs, model))
        print(f"{name}: macro-F1 {f1:.4f}, accuracy {acc:.4f}, train {secs:.2f} s", flush=True)
        return model

    blind, revised = AG_NEWS_KEYWORDS_BLIND, AG_NEWS_KEYWORDS
    m = run("blind list: from_keywords (defaults)", lambda: topictag.TopicClassifier.from_keywords(blind, train))
    run("blind list: rounds=0", lambda: topictag.TopicClassifier.from_keywords(blind, train, rounds=0))
    run("blind list: language='en'", lambda: topictag.TopicClassifier.from_keywords(blind, train, language="en"))
    run("revised list (after inspecting training labels): defaults", lambda: topictag.TopicClassifier.from_keywords(
        revised, train))
    run("revised list: language='en'", lambda: topictag.TopicClassifier.from_keywords(revised, train, language="en"))
    run("supervised TopicClassifier (6,000 labels)", lambda: topictag.TopicClassifier(
        language="en", stop_words="auto", stemmer="auto").fit(train, y_train))

    # The blind keyword labels alone on the evaluation set (abstentions count as wrong).
    kw_only = keyword_vote(m, test)
    f1, acc = scores(y_test, kw_only)
    print(f"keyword vote alone: macro-F1 {f1:.4f}, accuracy {acc:.4f}")
    rep = m.keyword_report_
    lines = [
        "# Topics from keywords (issue 23): AG News",
        "",
        f"Run {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC by `benchmarks/bench_keywords.py` on "
        f"{cpu_model(platform.machine())}, {os.cpu_count()} logical cores (shared with other jobs; "
        "times are indicative), topictag " + topictag.__version__ + ".",
        "",
        "AG News test split: 6,000 articles given to `from_keywords` without labels, 1,600 held "
        "out for evaluation (fixed shuffle, seed 0). Ten keywords per topic in each list "
        "(in the script). Target: macro-F1 >= 0.80.",
        "",
        "How the keywords were chosen. The blind list (`AG_NEWS_KEYWORDS_BLIND`) was written "
        "from the four class names alone, without looking at any AG News text or label, and "
        "committed before its first run: it is the figure to compare with published keyword-only "
        "results. The revised list (`AG_NEWS_KEYWORDS`, used by the tests) came from a first "
        "list of common words (with `government`, `country`, `company`, `market`, `game`, ..., "
        "0.80-0.81 in a prototype; that list was not kept) whose words hitting mostly texts of "
        "another topic (checked once against the labels of the 6,000 training texts, never the "
        "evaluation set) were replaced by more specific ones: read its figure as what a user gets "
        "after one round of inspecting keyword hits (`keyword_report_`, `suggest_keywords`).",
        "",
        "| model | macro-F1 | accuracy | time to train (s) |",
        "|---|---:|---:|---:|",
    ]
    for name, f1_, acc_, secs, _ in rows:
        lines.append(f"| {name} | {f1_:.4f} | {acc_:.4f} | {secs:.2f} |")
    lines.append(f"| keyword vote alone (no model; abstentions wrong) | {f1:.4f} | {acc:.4f} | - |")
    lines += [
        "",
        f"Keyword labels of the blind list: {rep['n_seed']:,} of {rep['n_texts']:,} training texts "
        f"({', '.join(f'{t} {n:,}' for t, n in rep['seeds'].items())}); the final model was trained "
        f"on {rep['n_labelled']:,} texts (keyword labels plus self-training).",
        "",
        "Published keyword-only results on AG News, all with the 120,000 training texts: "
        "labelling functions + TF-IDF model about 0.82 macro-F1, WeSTClass 0.823 micro-F1, "
        "Lbl2Vec 0.827.",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")


def keyword_vote(model, texts):
    """Each text's topic by from_keywords' keyword rule (most distinct keywords, ties and
    none abstain), with English stop words and stemming (the texts are English)."""
    an = topictag.TfidfVectorizer(stop_words="english", stemmer="english").build_analyzer()
    kws = {t: [tuple(an(k)) for k in ws] for t, ws in model.keywords_.items()}
    out = []
    for doc in texts:
        toks = an(doc)
        counts = {}
        for t, ks in kws.items():
            counts[t] = sum(1 for k in ks if any(tuple(toks[i:i + len(k)]) == k for i in range(len(toks))))
        best = sorted(counts.items(), key=lambda kv: -kv[1])
        out.append(best[0][0] if best[0][1] > 0 and best[0][1] > best[1][1] else "(none)")
    return out


if __name__ == "__main__":
    main()
