"""Topics from keywords (issue 23): the Python side of ``TopicClassifier.from_keywords``,
``suggest_keywords`` and ``uncertain``, and the keyword file reader of the CLI.

The work is the core's (``src/pipeline/keywords.rs``): keyword matching after the features'
analysis, labelling with abstention, self-training, margins. This module checks the Python
input, turns the core's report into warnings and reads keyword files.
"""

from __future__ import annotations

import json
import os
import time
import warnings
from collections.abc import Mapping
from numbers import Integral, Real
from typing import Any, Dict, List

import numpy as np

from . import _core
from ._input import as_documents, n_documents

# What ``from_keywords`` changes in TopicClassifier's defaults (unless given): keywords
# are matched after stemming and stop-word removal in each text's own language, so that
# "negociaciones" matches "negociación" and "truces" matches "truce".
KEYWORD_DEFAULTS = {"language": "auto", "stop_words": "auto", "stemmer": "auto"}

# Written forms kept per topic for suggest_keywords after save/load (model metadata).
_SURFACE_PER_TOPIC = 200


def check_keywords(keywords) -> Dict[Any, List[str]]:
    """``{topic: [keyword, ...]}`` from a mapping of topics to lists of strings."""
    if not isinstance(keywords, Mapping):
        raise TypeError(
            "keywords must be a mapping of topic -> list of keywords, got "
            f"{type(keywords).__name__}"
        )
    if len(keywords) < 2:
        raise ValueError(f"keywords must name at least two topics; got {len(keywords)}")
    out: Dict[Any, List[str]] = {}
    for topic, words in keywords.items():
        if isinstance(words, (str, bytes)) or not hasattr(words, "__iter__"):
            raise TypeError(
                f"the keywords of topic {topic!r} must be a list of strings, got "
                f"{type(words).__name__}"
            )
        words = list(words)
        if not words:
            raise ValueError(f"topic {topic!r} has no keywords; give at least one")
        for w in words:
            if not isinstance(w, str):
                raise TypeError(
                    f"keywords must be strings; topic {topic!r} has {type(w).__name__} {w!r}"
                )
        out[topic] = words
    return out


def _labelled(labels, classes, n: int, multilabel: bool):
    """``[(text index, [topic index])]`` from ``{text index: topic or [topics]}``."""
    if labels is None:
        return []
    if not isinstance(labels, Mapping):
        raise TypeError(f"labels must be a dict text index -> topic(s), got {type(labels).__name__}")
    index = {c: i for i, c in enumerate(classes)}
    out = []
    for i, topics in labels.items():
        if isinstance(i, bool) or not isinstance(i, (Integral, np.integer)) or not 0 <= i < n:
            raise ValueError(f"labels: {i!r} is not the index of one of the {n} texts")
        if isinstance(topics, (str, bytes)) or not hasattr(topics, "__iter__"):
            topics = [topics]
        topics = list(topics)
        unknown = [t for t in topics if t not in index]
        if unknown or not topics:
            raise ValueError(f"labels[{i}]: {topics!r} must name topics of the keywords "
                             f"({', '.join(map(str, classes))})")
        if not multilabel and len(topics) != 1:
            raise ValueError(f"labels[{i}]: one topic per text (or multilabel=True), got {topics!r}")
        out.append((int(i), [index[t] for t in topics]))
    return out


def fit_from_keywords(model, keywords, texts, multilabel, rounds, coverage, min_keywords,
                      labels=None):
    """Fit ``model`` (an unfitted TopicClassifier) from keywords and unlabelled texts."""
    kws = check_keywords(keywords)
    # Types here; the value rules (rounds >= 0, coverage in (0, 1], min_keywords >= 1) are
    # the core's (KeywordOptions::from_values in src/pipeline/keywords.rs).
    for name, value, kind, what in (("rounds", rounds, Integral, "an int"),
                                    ("coverage", coverage, Real, "a number"),
                                    ("min_keywords", min_keywords, Integral, "an int")):
        if isinstance(value, bool) or not isinstance(value, kind):
            raise TypeError(f"{name} must be {what}, got {type(value).__name__} {value!r}")
    if not isinstance(multilabel, bool):
        raise TypeError(f"multilabel must be a bool, got {type(multilabel).__name__}")
    model._validate_params()
    docs = as_documents(texts)
    if n_documents(docs) == 0:
        raise ValueError("from_keywords needs unlabelled texts; got an empty collection")
    classes = list(kws)
    names = [str(c) for c in classes]
    if len(set(names)) != len(names):
        raise ValueError(f"topic names must be distinct as strings; got {names!r}")
    article_params = model._article_params() if multilabel else None
    linear_params = model._linear_params(classes)
    if article_params is not None and article_params["calibration"] is not None:
        linear_params["probability"] = False
    keyword_params = {"rounds": int(rounds), "coverage": float(coverage),
                      "min_keywords": int(min_keywords), "multilabel": multilabel,
                      "labelled": _labelled(labels, classes, n_documents(docs), multilabel)}
    t0 = time.perf_counter()
    core, report = _core.TopicModel.fit_keywords(
        docs, [kws[c] for c in classes], names, model._vectorizer_params(), linear_params,
        keyword_params, model.n_jobs, article_params,
    )
    elapsed = time.perf_counter() - t0
    for t, i, other in report["shared"]:
        if t < other:
            warnings.warn(
                f"keyword {kws[classes[t]][i]!r} of topic {classes[t]!r} is also a keyword of "
                f"topic {classes[other]!r} (after normalisation and stemming); it is ignored "
                "for both",
                UserWarning,
                stacklevel=3,
            )
    surface = {} if model._articles() else core.keyword_surface(docs, _SURFACE_PER_TOPIC, model.n_jobs)
    summary = {**model._core_summary(core, elapsed), "n_labelled_from_keywords": int(report["n_seed"])}
    model._set_fitted(
        core, classes, multilabel, summary=summary,
        keywords_={c: list(kws[c]) for c in classes},
        keyword_report_={
            "matches": {c: dict(zip(kws[c], report["matches"][t])) for t, c in enumerate(classes)},
            "seeds": dict(zip(classes, report["seeds"])),
            "n_seed": int(report["n_seed"]),
            "n_labelled": int(report["n_labelled"]),
            "n_texts": int(n_documents(docs)),
        },
        _keyword_surface=surface,
    )
    return model


def suggest_keywords(model, topic, n: int) -> List[str]:
    """See ``TopicClassifier.suggest_keywords``."""
    core = model._fitted_core()
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}")
    k = model._topic_index(topic)
    have = (getattr(model, "keywords_", None) or {}).get(model._class_list[k], [])
    pairs = core.suggest_keywords(k, int(n), list(have), dict(model.__dict__.get("_keyword_surface") or {}))
    return [t for t, _ in pairs]


def uncertain(model, texts, n: int) -> np.ndarray:
    """See ``TopicClassifier.uncertain``."""
    core = model._fitted_core()
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}")
    docs = as_documents(texts)
    idx, _ = core.uncertain(docs, int(n), bool(model.segments), model.n_jobs)
    return np.asarray(idx, dtype=np.int64)


def read_keywords(path) -> Dict[str, List[str]]:
    """A keywords file: JSON, YAML (when PyYAML is installed) or TOML (``tomllib``, or
    ``tomli`` before Python 3.11), chosen by the file's extension; a mapping of topic ->
    list of keywords."""
    path = os.fspath(path)
    ext = os.path.splitext(path)[1].lower()
    with open(path, "rb") as f:
        raw = f.read()
    if ext == ".json":
        data = json.loads(raw.decode("utf-8"))
    elif ext in (".yaml", ".yml"):
        try:
            import yaml
        except ImportError:
            raise ValueError(
                f"{path}: reading YAML needs PyYAML (pip install pyyaml); or give JSON or TOML"
            ) from None
        data = yaml.safe_load(raw.decode("utf-8"))
    elif ext == ".toml":
        try:
            import tomllib
        except ImportError:
            try:
                import tomli as tomllib
            except ImportError:
                raise ValueError(
                    f"{path}: reading TOML on Python < 3.11 needs tomli (pip install tomli); "
                    "or give JSON"
                ) from None
        data = tomllib.loads(raw.decode("utf-8"))
    else:
        raise ValueError(f"{path}: keywords files are .json, .yaml/.yml or .toml; got {ext or 'no extension'!r}")
    return check_keywords(data)
