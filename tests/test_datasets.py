"""topictag.datasets: the packaged starter corpus and the CSV / JSONL / Parquet readers."""

from __future__ import annotations

import collections
import io
import json
import pickle

import pytest

from topictag import datasets
from topictag.datasets import Bunch, load_csv, load_demo, load_file, load_jsonl, load_starter

TOPICS_N = 7


# ------------------------------------------------------------------------------ the corpus


def test_starter_bunch_shapes_and_counts():
    b = load_starter()
    n = len(b.data)
    assert n == len(b.target) == len(b.language) == len(b.ids)
    assert b["data"] is b.data
    assert len(set(b.ids)) == n, "ids are unique"
    assert all(isinstance(t, str) and t.strip() for t in b.data)
    assert all(isinstance(ts, list) and ts for ts in b.target), "every paragraph has a topic"
    assert len(b.topics) == TOPICS_N and b.topics == sorted(b.topics)
    assert set(b.topics) == {t for ts in b.target for t in ts}
    assert set(b.language) == {"en", "es"}
    assert b.frame is None
    assert "Data card" in b.DESCR or "data card" in b.DESCR.lower()
    per_topic = collections.Counter(t for ts in b.target for t in ts)
    assert min(per_topic.values()) >= 60, per_topic
    n_en = b.language.count("en")
    assert 0.4 <= n_en / n <= 0.6, f"{n_en} English of {n}"
    # each language covers every topic
    for lang in ("en", "es"):
        topics = {t for ts, l in zip(b.target, b.language) if l == lang for t in ts}
        assert topics == set(b.topics), lang
    # multi-label: some paragraphs carry more than one topic, most carry one or two
    multi = sum(len(ts) > 1 for ts in b.target)
    assert 0 < multi < n


def test_starter_ids_match_language():
    b = load_starter()
    for i, lang in zip(b.ids, b.language):
        assert i.startswith(lang), (i, lang)


def test_starter_return_X_y():
    b = load_starter()
    X, y = load_starter(return_X_y=True)
    assert X == b.data and y == b.target


def test_starter_language_filter():
    full = load_starter()
    en = load_starter(language="en")
    es = load_starter(language="es")
    assert set(en.language) == {"en"} and set(es.language) == {"es"}
    assert len(en.data) + len(es.data) == len(full.data)
    assert en.data == [t for t, l in zip(full.data, full.language) if l == "en"]
    with pytest.raises(ValueError, match="language"):
        load_starter(language="fr")


def test_starter_as_frame():
    pd = pytest.importorskip("pandas")
    b = load_starter(as_frame=True)
    assert isinstance(b.frame, pd.DataFrame)
    assert list(b.frame.columns) == ["id", "language", "text", "topics"]
    assert len(b.frame) == len(b.data)
    assert b.frame["text"].tolist() == b.data
    X, y = load_starter(as_frame=True, return_X_y=True, language="es")
    assert isinstance(X, pd.Series) and isinstance(y, pd.Series)
    assert len(X) == len(y) == len(load_starter(language="es").data)


def test_demo():
    d = load_demo()
    assert len(d.data) >= 4
    assert {"en", "es"} <= set(d.language)
    starter = set(load_starter().data)
    assert not any(t in starter for t in d.data), "demo paragraphs are unseen"
    assert set(t for ts in d.target for t in ts) <= set(load_starter().topics)


def test_bunch():
    b = Bunch(a=1)
    b.c = 2
    assert b["c"] == 2 and b.a == 1
    with pytest.raises(AttributeError):
        b.missing
    del b.c
    assert "c" not in b
    assert pickle.loads(pickle.dumps(b)) == b
    assert "a" in dir(b)


def test_exported_from_package():
    import topictag

    assert topictag.datasets is datasets


# ------------------------------------------------------------------------------ the readers


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_happy_path(tmp_path):
    p = _write(tmp_path / "a.csv", 'id,text,label\n1,Rebels agreed to a truce,ceasefire\n'
               '2,"Talks, hosted in ""Orvel"", went on\nfor days",mediation\n')
    texts, labels = load_csv(p)
    assert texts == ["Rebels agreed to a truce", 'Talks, hosted in "Orvel", went on\nfor days']
    assert labels == ["ceasefire", "mediation"]
    texts, labels, ids = load_csv(p, id_col="id")
    assert ids == ["1", "2"]


def test_csv_label_sep_and_custom_columns(tmp_path):
    p = _write(tmp_path / "a.csv", "body;tags\nfirst;a|b\nsecond; c \n")
    texts, labels = load_csv(p, text_col="body", label_col="tags", label_sep="|", delimiter=";")
    assert texts == ["first", "second"]
    assert labels == [["a", "b"], ["c"]]


def test_csv_bom_and_tsv(tmp_path):
    p = tmp_path / "a.tsv"
    p.write_bytes("\ufefftext\tlabel\nuno\tx\n".encode("utf-8"))
    assert load_file(p) == (["uno"], ["x"])


def test_csv_missing_column_names_it(tmp_path):
    p = _write(tmp_path / "a.csv", "body,label\nx,y\n")
    with pytest.raises(ValueError) as e:
        load_csv(p)
    msg = str(e.value)
    assert "'text'" in msg and "'body'" in msg and "'label'" in msg
    with pytest.raises(ValueError, match="'topic'.*available columns"):
        load_csv(p, text_col="body", label_col="topic")


@pytest.mark.parametrize(
    "load, body, line, what",
    [
        (load_csv, "text,label\na,x\nb\n", 3, "fields"),
        (load_csv, "text,label\na,x\nb,x,extra\n", 3, "fields"),
        (load_csv, "text,label\na,x\n,x\n", 3, "empty text"),
        (load_csv, "text,label\na,x\n   ,x\n", 3, "empty text"),
        (load_csv, "text,label\na,x\nb,\n", 3, "missing label"),
        (load_csv, 'text,label\n"multi\nline",x\nb,\n', 4, "missing label"),
        (load_csv, 'text,label\na,x\n"never closed,x\n', 3, "malformed"),
        (load_jsonl, '{"text": "a", "label": "x"}\n{"text": "b", "label": \n', 2, "invalid JSON"),
        (load_jsonl, '{"text": "a", "label": "x"}\n\n[1, 2]\n', 3, "JSON object"),
        (load_jsonl, '{"text": "a", "label": "x"}\n{"label": "x"}\n', 2, "'text'"),
        (load_jsonl, '{"text": "a", "label": "x"}\n{"text": "", "label": "x"}\n', 2, "empty text"),
        (load_jsonl, '{"text": "a", "label": "x"}\n{"text": 3, "label": "x"}\n', 2, "expected a string"),
        (load_jsonl, '{"text": "a", "label": "x"}\n{"text": "b"}\n', 2, "missing label"),
        (load_jsonl, '{"text": "a", "label": "x"}\n{"text": "b", "label": null}\n', 2, "label"),
        (load_jsonl, '{"text": "a", "label": "x"}\n{"text": "b", "label": []}\n', 2, "missing label"),
        (load_jsonl, '{"text": "a", "label": "x"}\n{"text": "b", "label": ["x", 1.5]}\n', 2, "expected a string"),
    ],
)
def test_bad_rows_give_line_number(tmp_path, load, body, line, what):
    p = _write(tmp_path / ("bad.csv" if load is load_csv else "bad.jsonl"), body)
    with pytest.raises(ValueError) as e:
        load(p)
    msg = str(e.value)
    assert f"line {line}" in msg and what in msg, msg
    assert str(p) in msg


def test_csv_empty_file(tmp_path):
    with pytest.raises(ValueError, match="empty"):
        load_csv(_write(tmp_path / "e.csv", ""))


def test_csv_allow_empty_labels(tmp_path):
    p = _write(tmp_path / "a.csv", "text,label\na,x|y\nb,\n")
    assert load_csv(p, label_sep="|", allow_empty_labels=True) == (["a", "b"], [["x", "y"], []])


def test_csv_nothing_dropped(tmp_path):
    rows = [(f"document number {i}, with a comma", f"t{i % 3}") for i in range(500)]
    buf = io.StringIO()
    import csv

    w = csv.writer(buf)
    w.writerow(["text", "label"])
    w.writerows(rows)
    p = _write(tmp_path / "many.csv", buf.getvalue() + "\n\n")  # trailing blank lines
    texts, labels = load_csv(p)
    assert list(zip(texts, labels)) == rows


def test_csv_long_field(tmp_path):
    long = "word " * 60_000  # beyond csv's default 128 KiB field limit
    p = _write(tmp_path / "long.csv", f"text,label\n{long},x\n")
    texts, _ = load_csv(p)
    assert texts == [long]


def test_csv_texts_only(tmp_path):
    p = _write(tmp_path / "a.csv", "text\nfirst\nsecond\n")
    assert load_csv(p, label_col=None) == (["first", "second"], None)


def test_csv_not_utf8(tmp_path):
    p = tmp_path / "latin.csv"
    p.write_bytes("text,label\nacci\xf3n,x\n".encode("latin-1"))
    with pytest.raises(ValueError, match="encoding"):
        load_csv(p)
    assert load_csv(p, encoding="latin-1") == (["acción"], ["x"])


def test_jsonl_happy_path(tmp_path):
    recs = [
        {"id": "a", "text": "Truce agreed", "label": ["ceasefire", "mediation"]},
        {"id": "b", "text": "Shelling near the bridge", "label": "armed_clash"},
    ]
    p = _write(tmp_path / "a.jsonl", "\n".join(json.dumps(r) for r in recs) + "\n\n")
    texts, labels, ids = load_jsonl(p, id_col="id")
    assert texts == ["Truce agreed", "Shelling near the bridge"]
    # a list anywhere makes the data multi-label: every label becomes a list
    assert labels == [["ceasefire", "mediation"], ["armed_clash"]]
    assert ids == ["a", "b"]


def test_jsonl_label_sep_and_columns(tmp_path):
    p = _write(tmp_path / "a.jsonl", '{"body": "x", "topics": "a|b"}\n{"body": "y", "topics": "c"}\n')
    assert load_jsonl(p, text_col="body", label_col="topics", label_sep="|") == (
        ["x", "y"],
        [["a", "b"], ["c"]],
    )
    assert load_jsonl(p, text_col="body", label_col="topics") == (["x", "y"], ["a|b", "c"])


def test_jsonl_missing_column_names_it(tmp_path):
    p = _write(tmp_path / "a.jsonl", '{"body": "x", "label": "a"}\n')
    with pytest.raises(ValueError, match=r"'text'.*available columns: 'body', 'label'"):
        load_jsonl(p)


def test_jsonl_empty(tmp_path):
    with pytest.raises(ValueError, match="no records"):
        load_jsonl(_write(tmp_path / "e.jsonl", "\n\n"))


def test_parquet(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    p = tmp_path / "a.parquet"
    pq.write_table(pa.table({"text": ["x", "y"], "label": ["a|b", "c"], "n": [1, 2]}), p)
    assert load_file(p, label_sep="|") == (["x", "y"], [["a", "b"], ["c"]])
    texts, labels, ids = datasets.load_parquet(p, id_col="n")
    assert ids == [1, 2]
    p2 = tmp_path / "lists.parquet"
    pq.write_table(pa.table({"body": ["x", "y"], "topics": [["a", "b"], ["c"]]}), p2)
    assert datasets.load_parquet(p2, text_col="body", label_col="topics") == (
        ["x", "y"],
        [["a", "b"], ["c"]],
    )
    with pytest.raises(ValueError, match=r"'label'.*available columns: 'body', 'topics'"):
        datasets.load_parquet(p2, text_col="body")
    p3 = tmp_path / "bad.parquet"
    pq.write_table(pa.table({"text": ["x", None, "z"], "label": ["a", "b", "c"]}), p3)
    with pytest.raises(ValueError, match="row 2"):
        datasets.load_parquet(p3)
    p4 = tmp_path / "nolabel.parquet"
    pq.write_table(pa.table({"text": ["x", "y"], "label": ["a", None]}), p4)
    with pytest.raises(ValueError, match="row 2: missing label"):
        datasets.load_parquet(p4)


def test_parquet_without_pyarrow(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(ImportError, match="pip install pyarrow"):
        datasets.load_parquet(tmp_path / "x.parquet")


def test_load_file_dispatch(tmp_path):
    p = _write(tmp_path / "a.data", "text,label\na,x\n")
    with pytest.raises(ValueError, match="format"):
        load_file(p)
    assert load_file(p, format="csv") == (["a"], ["x"])
    with pytest.raises(ValueError, match="label_sep"):
        load_csv(p, label_sep="")


# ------------------------------------------------------------------------------ articles


def test_articles_counts_per_language_and_split():
    from topictag.datasets import load_articles

    expected = {("en", "train"): (66, 396), ("en", "heldout"): (16, 94),
                ("es", "train"): (68, 383), ("es", "heldout"): (16, 85)}
    for (lang, split), (n_art, n_par) in expected.items():
        a = load_articles(lang, split)
        p = load_articles(lang, split, level="paragraph")
        assert len(a.data) == n_art and len(p.data) == n_par, (lang, split)
        assert set(a.language) == {lang} and set(a.split) == {split}
    assert len(load_articles().data) == 166
    assert len(load_articles(level="paragraph").data) == 958
    # starter + articles: the totals of the data card
    assert len(load_starter().data) + 958 == 1255


def test_articles_text_is_paragraphs_joined_and_topics_are_their_union():
    from topictag.datasets import load_articles

    a = load_articles()
    p = load_articles(level="paragraph")
    by_article = collections.defaultdict(list)
    for aid, text, topics in zip(p.article_ids, p.data, p.target):
        by_article[aid].append((text, topics))
    assert len(a.ids) == len(set(a.ids)) == len(by_article)
    for aid, text, topics, paras in zip(a.ids, a.data, a.target, a.paragraphs):
        assert text == "\n\n".join(t for t, _ in by_article[aid])
        assert [q["text"] for q in paras] == [t for t, _ in by_article[aid]]
        assert set(topics) == {x for _, ts in by_article[aid] for x in ts}
    assert all(i.endswith(f"-p{n}") for i, n in zip(p.ids, (int(i.rsplit("p", 1)[1]) for i in p.ids)))
    assert set(a.topics) == set(load_starter().topics)
    # every fifth article is held out
    assert all((s == "heldout") == (int(i.rsplit("a", 1)[1]) % 5 == 0) for i, s in zip(a.ids, a.split))


def test_articles_return_X_y_frame_and_errors():
    pd = pytest.importorskip("pandas")
    from topictag.datasets import load_articles

    X, y = load_articles("es", "heldout", return_X_y=True)
    b = load_articles("es", "heldout", as_frame=True)
    assert X == b.data and y == b.target
    assert list(b.frame.columns) == ["id", "language", "split", "text", "topics", "style", "title"]
    Xs, ys = load_articles(level="paragraph", return_X_y=True, as_frame=True)
    assert isinstance(Xs, pd.Series) and len(Xs) == len(ys) == 958
    assert "articles_es" in b.DESCR or "Spanish" in b.DESCR
    with pytest.raises(ValueError, match="split"):
        load_articles(split="test")
    with pytest.raises(ValueError, match="level"):
        load_articles(level="sentence")
    with pytest.raises(ValueError, match="language"):
        load_articles("fr")
    assert pickle.loads(pickle.dumps(b)).ids == b.ids


def test_load_file_gz_encoding_delimiter_and_empty_texts(tmp_path):
    """``load_file`` reads gzipped files with the given encoding and delimiter; an empty text
    is an error naming its line unless ``allow_empty_texts`` keeps it (the command line's
    rule: a document with no words)."""
    import gzip

    p = tmp_path / "d.csv.gz"
    p.write_bytes(gzip.compress("text;label\ncafé;x\n;y\n".encode("latin-1")))
    with pytest.raises(ValueError, match="line 3: empty text"):
        load_file(p, delimiter=";", encoding="latin-1")
    texts, labels = load_file(p, delimiter=";", encoding="latin-1", allow_empty_texts=True)
    assert texts == ["café", ""] and labels == ["x", "y"]
    j = tmp_path / "d.jsonl.gz"
    j.write_bytes(gzip.compress(b'{"text": "  ", "label": "x"}\n'))
    assert load_file(j, allow_empty_texts=True) == (["  "], ["x"])
