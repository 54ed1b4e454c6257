"""Readers for the real labelled datasets in ``../shared/data`` (see its README).

Used by the benchmarks and the tests. Each loader returns ``(texts, labels)`` lists; for
multi-label sets ``labels`` is a list of label lists. Nothing here is shipped with the package.
"""

from __future__ import annotations

import gzip
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import List, Tuple

ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    env = os.environ.get("TOPICTAG_SHARED_DATA")
    if env:
        return Path(env)
    return ROOT.parent / "shared" / "data"


def _jsonl_gz(path: Path):
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def _tsv_gz(path: Path):
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line:
                yield line.split("\t")


@lru_cache(maxsize=None)
def load_20newsgroups(split: str = "train") -> Tuple[List[str], List[str]]:
    """20 Newsgroups by-date, full messages with headers (11,314 train / 7,532 test)."""
    rows = list(_jsonl_gz(data_dir() / "20newsgroups" / f"20news_bydate_{split}.jsonl.gz"))
    return [r["text"] for r in rows], [r["label"] for r in rows]


@lru_cache(maxsize=None)
def load_bbc() -> Tuple[List[str], List[str]]:
    """BBC News, 2,225 articles in 5 classes (no official split)."""
    rows = list(_jsonl_gz(data_dir() / "bbc_news" / "bbc_news.jsonl.gz"))
    return [r["text"] for r in rows], [r["label"] for r in rows]


CAMEO_PENTA = {
    "0": "neutral_statement",
    "1": "verbal_cooperation",
    "2": "material_cooperation",
    "3": "verbal_conflict",
    "4": "material_conflict",
}


@lru_cache(maxsize=None)
def load_cameo_class(split: str = "train") -> Tuple[List[str], List[str]]:
    """ConfliBERT CAMEO PentaClass sentences (1,349 train / 451 test), named labels."""
    rows = list(_tsv_gz(data_dir() / "conflibert_eval" / "cameo_class" / f"{split}.tsv.gz"))
    return [r[0] for r in rows], [CAMEO_PENTA[r[1].strip()] for r in rows]


@lru_cache(maxsize=None)
def load_reuters(split: str = "train", min_docs_each_split: bool = True):
    """Reuters-21578 ModApte, multi-label. With ``min_docs_each_split`` (the usual "R90"
    setting) only the 90 topics with a document in both splits are kept, and documents left
    with no topic are dropped (7,770 train / 3,019 test)."""
    def read(s):
        rows = list(_jsonl_gz(data_dir() / "reuters21578" / f"modapte_{s}.jsonl.gz"))
        return [((r.get("title") or "") + "\n" + (r.get("body") or "")).strip() for r in rows], [
            list(r["topics"]) for r in rows
        ]

    texts, labels = read(split)
    if not min_docs_each_split:
        return texts, labels
    _, tr = read("train")
    _, te = read("test")
    keep = {t for ls in tr for t in ls} & {t for ls in te for t in ls}
    out_t, out_l = [], []
    for t, ls in zip(texts, labels):
        ls = [x for x in ls if x in keep]
        if ls:
            out_t.append(t)
            out_l.append(ls)
    return out_t, out_l


@lru_cache(maxsize=None)
def load_spanish_cameo() -> Tuple[List[str], List[List[str]]]:
    """312 Spanish sentences on the Colombian conflict with CAMEO root codes (may be empty)."""
    path = data_dir() / "cameo_es_universalpetrarch" / "es_fight_validation.jsonl"
    texts, labels = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                texts.append(r["text"])
                labels.append(list(r.get("cameo_roots") or []))
    return texts, labels


# ConfliBERT's multi-label sets: text, then one 0/1 column per label (names unpublished for
# satp_relevant and insightCrime, see ../shared/data/README.md).
_CONFLIBERT_LABELS = {
    "satp_relevant": ["l0", "l1", "l2", "l3"],
    "insightCrime": [f"l{i}" for i in range(7)],
    "IndiaPoliceEvents_docs": ["KILL", "ARREST", "ANY_ACTION", "FAIL", "FORCE"],
    "IndiaPoliceEvents_sents": ["KILL", "ARREST", "ANY_ACTION", "FAIL", "FORCE"],
}


@lru_cache(maxsize=None)
def load_conflibert_multilabel(name: str, split: str = "train") -> Tuple[List[str], List[List[str]]]:
    """A ConfliBERT multi-label set (``satp_relevant``, ``insightCrime``,
    ``IndiaPoliceEvents_docs``, ``IndiaPoliceEvents_sents``): texts and label-name lists
    (possibly empty)."""
    names = _CONFLIBERT_LABELS[name]
    texts, labels = [], []
    for row in _tsv_gz(data_dir() / "conflibert_eval" / name / f"{split}.tsv.gz"):
        texts.append(row[0])
        flags = row[1:1 + len(names)]
        labels.append([n for n, v in zip(names, flags) if v.strip() == "1"])
    return texts, labels


AG_NEWS_CLASSES = ("World", "Sports", "Business", "Sci/Tech")


@lru_cache(maxsize=None)
def load_ag_news() -> Tuple[List[str], List[str]]:
    """AG News test split (7,600 rows, 1,900 per class): ``title. description`` with the
    file's escapes undone (a backslash stands for a line break, `` #36;`` for ``$``)."""
    import csv

    texts, labels = [], []
    with open(data_dir() / "ag_news" / "test.csv", encoding="utf-8", newline="") as f:
        for cls, title, desc in csv.reader(f):
            text = f"{title}. {desc}".replace(" #36;", " $").replace("#36;", "$").replace("\\", "\n")
            texts.append(text)
            labels.append(AG_NEWS_CLASSES[int(cls) - 1])
    return texts, labels


def ag_news_keyword_split(seed: int = 0):
    """(train texts, test texts, test labels, train labels): 6,000 documents for training
    without their labels (issue 23) and the other 1,600 for evaluation, by a fixed shuffle."""
    import numpy as np

    texts, labels = load_ag_news()
    perm = np.random.RandomState(seed).permutation(len(texts))
    tr, te = perm[:6000], perm[6000:]
    return ([texts[i] for i in tr], [texts[i] for i in te], [labels[i] for i in te],
            [labels[i] for i in tr])
