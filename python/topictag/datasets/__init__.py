"""Small datasets shipped with topictag, and readers for your own labelled files.

* :func:`load_starter`: the starter corpus, short news paragraphs in English and Spanish
  about conflict and diplomacy, each tagged with one or more of seven topics. Written for
  this project (fictional places, people and groups); see ``load_starter().DESCR``.
* :func:`load_demo`: a few unseen paragraphs to try a trained model on.
* :func:`load_articles`: article-length news (3-8 paragraphs, several topics each) in
  English and Spanish, with per-paragraph topics and a train / held-out split.
* :func:`load_csv`, :func:`load_jsonl`, :func:`load_parquet`: read ``(texts, labels)`` from
  your own files; nothing is dropped silently, a bad row is an error naming its line.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Tuple

from ._readers import format_from_path, load_csv, load_file, load_jsonl, load_parquet

__all__ = [
    "Bunch",
    "load_starter",
    "load_demo",
    "load_articles",
    "load_csv",
    "load_jsonl",
    "load_parquet",
    "load_file",
    "format_from_path",
]

_LANGUAGES = ("en", "es")


class Bunch(dict):
    """A dict whose keys are also attributes (``b.data`` is ``b["data"]``), like
    scikit-learn's ``Bunch``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(kwargs)

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None

    def __setattr__(self, key: str, value: Any) -> None:
        self[key] = value

    def __delattr__(self, key: str) -> None:
        try:
            del self[key]
        except KeyError:
            raise AttributeError(key) from None

    def __dir__(self):
        return list(self.keys()) + list(super().__dir__())

    # pickling: the instance __dict__ is unused, everything lives in the dict itself
    def __getstate__(self):
        return {}

    def __setstate__(self, state):
        pass


def _data_dir():
    from importlib.resources import files

    return files(__name__).joinpath("data")


def _read_packaged(name: str) -> List[Dict[str, Any]]:
    res = _data_dir().joinpath(name)
    try:
        raw = res.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FileNotFoundError(
            f"the packaged data file {name!r} is missing from this installation of topictag "
            "(a broken or partial install?); reinstall the package"
        ) from None
    out = []
    for lineno, line in enumerate(raw.splitlines(), start=1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as e:  # would be a packaging bug, say where
                raise ValueError(f"packaged data file {name}, line {lineno}: {e}") from None
    return out


def _descr() -> str:
    try:
        return _data_dir().joinpath("DATA_CARD.md").read_text(encoding="utf-8")
    except FileNotFoundError:
        return "Starter corpus of topictag (the data card is missing from this installation)."


def _read_card(name: str) -> str:
    try:
        return _data_dir().joinpath(name).read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


def _check_language(language: Optional[str]) -> Tuple[str, ...]:
    if language is None:
        return _LANGUAGES
    if language not in _LANGUAGES:
        raise ValueError(f"language must be one of {_LANGUAGES!r} or None, got {language!r}")
    return (language,)


def _load(prefix: str, return_X_y: bool, as_frame: bool, language: Optional[str]):
    langs = _check_language(language)
    records: List[Dict[str, Any]] = []
    for lang in langs:
        records.extend(_read_packaged(f"{prefix}_{lang}.jsonl"))
    ids = [r["id"] for r in records]
    texts = [r["text"] for r in records]
    topics = [list(r.get("topics") or []) for r in records]
    langs_col = [r["language"] for r in records]
    all_topics = sorted({t for ts in topics for t in ts})
    frame = None
    if as_frame:
        try:
            import pandas as pd
        except ImportError:
            raise ImportError("as_frame=True needs pandas: pip install pandas") from None
        frame = pd.DataFrame(
            {"id": ids, "language": langs_col, "text": texts, "topics": topics}
        )
    if return_X_y:
        if as_frame:
            return frame["text"], frame["topics"]
        return texts, topics
    return Bunch(
        data=texts,
        target=topics,
        language=langs_col,
        ids=ids,
        topics=all_topics,
        target_names=all_topics,
        frame=frame,
        DESCR=_descr(),
    )


def load_starter(
    *, return_X_y: bool = False, as_frame: bool = False, language: Optional[str] = None
):
    """Load the starter corpus: news paragraphs on conflict and diplomacy in English and
    Spanish, each tagged with one or more of seven topics (multi-label).

    It is small and synthetic, written for this project to try the library in minutes; it is
    not a benchmark. Read ``DESCR`` (the data card) for how it was made and its limits.

    Parameters
    ----------
    return_X_y : bool
        Return ``(texts, topics)`` instead of a Bunch.
    as_frame : bool
        Also build a pandas DataFrame with columns ``id``, ``language``, ``text``, ``topics``
        (``Bunch.frame``); with ``return_X_y`` return the ``text`` and ``topics`` Series.
    language : {"en", "es"}, optional
        Keep only the paragraphs in this language.

    Returns
    -------
    Bunch
        ``data`` (texts), ``target`` (a list of topics per text), ``language`` ("en"/"es" per
        text), ``ids``, ``topics`` (the sorted topic names; also as ``target_names``),
        ``frame`` (a DataFrame or None) and ``DESCR`` (the data card).

    Examples
    --------
    >>> from topictag.datasets import load_starter
    >>> texts, topics = load_starter(return_X_y=True)
    """
    return _load("starter", return_X_y, as_frame, language)


def load_demo(
    *, return_X_y: bool = False, as_frame: bool = False, language: Optional[str] = None
):
    """Load the demo paragraphs: a few English and Spanish news paragraphs that are not in the
    starter corpus, with the topics a reader would give them, to try a trained model on.

    Same parameters and return value as :func:`load_starter`.
    """
    return _load("demo", return_X_y, as_frame, language)


_SPLITS = ("train", "heldout")
_LEVELS = ("article", "paragraph")


def load_articles(
    language: Optional[str] = None,
    split: Optional[str] = None,
    *,
    return_X_y: bool = False,
    as_frame: bool = False,
    level: str = "article",
):
    """Load the articles: fictional multi-paragraph news articles about conflict and
    diplomacy in English and Spanish, each paragraph tagged with its topics; an article's
    topics are the union of its paragraphs' topics (see ``DESCR``).

    Parameters
    ----------
    language : {"en", "es"}, optional
        Keep only the articles in this language.
    split : {"train", "heldout"}, optional
        Keep only the training or the held-out articles (every fifth article is held out;
        keep those out of training to measure a model on unseen articles).
    return_X_y : bool
        Return ``(texts, topics)`` instead of a Bunch.
    as_frame : bool
        Also build a pandas DataFrame (``Bunch.frame``) with columns ``id``, ``language``,
        ``split``, ``text``, ``topics`` (plus ``style``, ``title`` for articles and
        ``article_id``, ``paragraph`` for paragraphs); with ``return_X_y`` return the
        ``text`` and ``topics`` Series.
    level : {"article", "paragraph"}, default "article"
        ``"article"``: one text per article, its paragraphs joined by blank lines.
        ``"paragraph"``: one text per paragraph with the paragraph's own topics (ids
        ``<article id>-p<n>``, n from 1).

    Returns
    -------
    Bunch
        ``data``, ``target`` (a list of topics per text), ``language``, ``split``, ``ids``,
        ``topics`` / ``target_names`` (sorted topic names), ``frame`` and ``DESCR``; at
        article level also ``titles``, ``styles`` and ``paragraphs`` (per article the list of
        ``{"text", "topics"}``); at paragraph level also ``article_ids``.

    Examples
    --------
    >>> from topictag.datasets import load_articles
    >>> X, y = load_articles(split="train", return_X_y=True)
    >>> P, q = load_articles(split="train", level="paragraph", return_X_y=True)
    """
    langs = _check_language(language)
    if split is not None and split not in _SPLITS:
        raise ValueError(f"split must be one of {_SPLITS!r} or None, got {split!r}")
    if level not in _LEVELS:
        raise ValueError(f"level must be one of {_LEVELS!r}, got {level!r}")
    records: List[Dict[str, Any]] = []
    for lang in langs:
        records.extend(_read_packaged(f"articles_{lang}.jsonl"))
    if split is not None:
        records = [r for r in records if r["split"] == split]
    cols: Dict[str, List[Any]] = {k: [] for k in ("id", "language", "split", "text", "topics")}
    extra: Dict[str, List[Any]] = {}
    if level == "article":
        extra = {"style": [], "title": []}
        paragraphs = []
        for r in records:
            paras = [{"text": p["text"], "topics": list(p["topics"])} for p in r["paragraphs"]]
            paragraphs.append(paras)
            cols["id"].append(r["id"])
            cols["language"].append(r["language"])
            cols["split"].append(r["split"])
            cols["text"].append("\n\n".join(p["text"] for p in paras))
            cols["topics"].append(list(r["topics"]))
            extra["style"].append(r.get("style"))
            extra["title"].append(r.get("title"))
    else:
        extra = {"article_id": [], "paragraph": []}
        for r in records:
            for i, p in enumerate(r["paragraphs"], start=1):
                cols["id"].append(f"{r['id']}-p{i}")
                cols["language"].append(r["language"])
                cols["split"].append(r["split"])
                cols["text"].append(p["text"])
                cols["topics"].append(list(p["topics"]))
                extra["article_id"].append(r["id"])
                extra["paragraph"].append(i)
    all_topics = sorted({t for ts in cols["topics"] for t in ts})
    frame = None
    if as_frame:
        try:
            import pandas as pd
        except ImportError:
            raise ImportError("as_frame=True needs pandas: pip install pandas") from None
        frame = pd.DataFrame({**cols, **extra})
    if return_X_y:
        if as_frame:
            return frame["text"], frame["topics"]
        return cols["text"], cols["topics"]
    b = Bunch(
        data=cols["text"],
        target=cols["topics"],
        language=cols["language"],
        split=cols["split"],
        ids=cols["id"],
        topics=all_topics,
        target_names=all_topics,
        frame=frame,
        DESCR=_descr() + "\n\n" + _read_card("DATA_CARD_articles_es.md"),
    )
    if level == "article":
        b.titles = extra["title"]
        b.styles = extra["style"]
        b.paragraphs = paragraphs
    else:
        b.article_ids = extra["article_id"]
    return b
