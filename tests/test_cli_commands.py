"""``topictag train``, ``predict``, ``evaluate``, ``top-terms`` and ``explain``
(``topictag.cli._commands``), end to end in subprocesses."""

from __future__ import annotations

import csv
import json

import pytest

from topictag.datasets import load_demo, load_starter
from cli_helpers import assert_one_line_error, run  # tests/cli_helpers.py


def test_predict_jsonl_from_csv(cli_work):
    d, test = cli_work
    r = run("predict", d / "model.ttm", d / "test.csv")
    assert r.returncode == 0, r.stderr
    recs = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(recs) == len(test)
    assert [x["id"] for x in recs] == [i for i, _, _ in test]
    topics = set(load_starter().topics)
    for x in recs:
        assert set(x["topics"]) <= topics
        assert len(x["probabilities"]) == 3
        scores = list(x["probabilities"].values())
        assert scores == sorted(scores, reverse=True)
    # most paragraphs get at least one correct topic
    hits = sum(bool(set(x["topics"]) & set(t)) for x, (_, _, t) in zip(recs, test))
    assert hits / len(test) > 0.6


def test_predict_logistic_scores_are_probabilities(cli_work):
    d, test = cli_work
    r = run("predict", d / "logistic.ttm", d / "test.csv", "-k", "7")
    assert r.returncode == 0, r.stderr
    for line in r.stdout.splitlines():
        x = json.loads(line)
        assert len(x["probabilities"]) == 7
        assert all(0.0 <= s <= 1.0 for s in x["probabilities"].values())
        # the model's own decision: the topics whose calibrated probability reaches its
        # threshold (0.4, --threshold at training),
        # or the best topic alone when none does (allow_empty=False, the default)
        over = {t for t, p in x["probabilities"].items() if p >= 0.4 + 1e-4}
        assert over <= set(x["topics"])
        assert all(x["probabilities"][t] >= 0.4 - 1e-4 for t in x["topics"]) or (
            x["topics"] == [max(x["probabilities"], key=x["probabilities"].get)]
        )


@pytest.mark.parametrize("name", ["model.ttm", "logistic.ttm"])
def test_predict_topics_are_the_models_own(cli_work, name):
    import topictag

    d, test = cli_work
    r = run("predict", d / name, d / "test.csv")
    assert r.returncode == 0, r.stderr
    recs = [json.loads(line) for line in r.stdout.splitlines()]
    expected = topictag.load(d / name).predict([t for _, t, _ in test])
    assert [set(x["topics"]) for x in recs] == [set(p) for p in expected]


def test_predict_single_label_model(cli_work, tmp_path):
    import topictag

    d, test = cli_work
    b = load_starter()
    p = tmp_path / "single.jsonl"
    with open(p, "w", encoding="utf-8") as f:
        for t, ls in zip(b.data, b.target):
            f.write(json.dumps({"body": t, "topic": ls[0]}) + "\n")
    r = run("train", p, "-o", tmp_path / "single.ttm", "--text-col", "body", "--label-col", "topic")
    assert r.returncode == 0, r.stderr
    assert "single-label" in r.stdout
    r = run("predict", tmp_path / "single.ttm", d / "test.csv", "-k", "2")
    assert r.returncode == 0, r.stderr
    recs = [json.loads(line) for line in r.stdout.splitlines()]
    expected = topictag.load(tmp_path / "single.ttm").predict([t for _, t, _ in test])
    assert [x["topics"] for x in recs] == [[str(e)] for e in expected]
    assert all(list(x["scores"])[0] == x["topics"][0] for x in recs)


def test_parquet_and_tsv_inputs(cli_work, tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    d, test = cli_work
    b = load_starter()
    pq.write_table(pa.table({"text": b.data, "label": b.target}), tmp_path / "all.parquet")
    r = run("train", tmp_path / "all.parquet", "-o", tmp_path / "pq.ttm")
    assert r.returncode == 0, r.stderr
    assert "multi-label" in r.stdout
    pq.write_table(pa.table({"key": [i for i, _, _ in test], "text": [t for _, t, _ in test]}),
                   tmp_path / "new.parquet")
    r = run("predict", tmp_path / "pq.ttm", tmp_path / "new.parquet", "--id-col", "key")
    assert r.returncode == 0, r.stderr
    assert [json.loads(x)["id"] for x in r.stdout.splitlines()] == [i for i, _, _ in test]
    tsv = tmp_path / "new.tsv"
    tsv.write_text("text\n" + "\n".join(" ".join(t.split()) for _, t, _ in test) + "\n",
                   encoding="utf-8")
    r2 = run("predict", tmp_path / "pq.ttm", tsv)
    assert r2.returncode == 0, r2.stderr
    assert [json.loads(x)["topics"] for x in r2.stdout.splitlines()] == [
        json.loads(x)["topics"] for x in r.stdout.splitlines()
    ]


def test_predict_csv_output_top_k_and_file(cli_work, tmp_path):
    d, test = cli_work
    out = tmp_path / "pred.csv"
    r = run("predict", d / "model.ttm", d / "test.csv", "--format", "csv", "--top-k", "2", "-o", out)
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    rows = list(csv.reader(out.open(encoding="utf-8")))
    # a multi-label model with calibration: its scores are probabilities, labelled so
    assert rows[0] == ["id", "topics", "topic_1", "probability_1", "topic_2", "probability_2"]
    assert len(rows) == len(test) + 1
    r = run("predict", d / "model.ttm", d / "test.csv", "--top-k", "0")
    assert all(set(json.loads(line)) == {"id", "topics"} for line in r.stdout.splitlines())


def test_predict_threshold(cli_work):
    d, test = cli_work
    low = run("predict", d / "model.ttm", d / "test.csv", "--threshold", "-100")
    high = run("predict", d / "model.ttm", d / "test.csv", "--threshold", "100")
    assert low.returncode == 0 and high.returncode == 0, (low.stderr, high.stderr)
    n = len(load_starter().topics)
    assert all(len(json.loads(x)["topics"]) == n for x in low.stdout.splitlines())
    assert all(json.loads(x)["topics"] == [] for x in high.stdout.splitlines())


def test_predict_from_stdin_text_and_jsonl(cli_work):
    d, _ = cli_work
    demo = load_demo()
    text = "\n".join(" ".join(t.split()) for t in demo.data) + "\n\n"
    r = run("predict", d / "model.ttm", input=text)
    assert r.returncode == 0, r.stderr
    recs = [json.loads(line) for line in r.stdout.splitlines()]
    assert [x["id"] for x in recs] == list(range(1, len(demo.data) + 1))
    r2 = run("predict", d / "model.ttm", "-", input=text)
    assert r2.stdout == r.stdout
    jl = "".join(json.dumps({"doc": f"d{i}", "text": t}) + "\n" for i, t in enumerate(demo.data))
    r3 = run("predict", d / "model.ttm", "--id-col", "doc", input=jl)
    assert r3.returncode == 0, r3.stderr
    recs3 = [json.loads(line) for line in r3.stdout.splitlines()]
    assert [x["id"] for x in recs3] == [f"d{i}" for i in range(len(demo.data))]
    assert [x["topics"] for x in recs3] == [x["topics"] for x in recs]


def test_predict_from_text_file(cli_work, tmp_path):
    d, _ = cli_work
    p = tmp_path / "docs.txt"
    p.write_text("The army and the rebels agreed to a truce.\n\nSanctions on oil exports.\n",
                 encoding="utf-8")
    r = run("predict", d / "model.ttm", p)
    assert r.returncode == 0, r.stderr
    recs = [json.loads(line) for line in r.stdout.splitlines()]
    assert [x["id"] for x in recs] == [1, 3]


def test_evaluate(cli_work):
    d, test = cli_work
    r = run("evaluate", d / "model.ttm", d / "test.csv", "--label-sep", "|")
    assert r.returncode == 0, r.stderr
    assert "macro avg" in r.stdout and "precision" in r.stdout
    for t in load_starter().topics:
        assert t in r.stdout
    r = run("evaluate", d / "model.ttm", d / "test.csv", "--label-sep", "|", "--json")
    rep = json.loads(r.stdout)
    assert rep["macro avg"]["f1-score"] > 0.5
    assert rep["n_samples"] == len(test)


def test_top_terms_and_explain(cli_work):
    d, _ = cli_work
    r = run("top-terms", d / "model.ttm", "-n", "3")
    assert r.returncode == 0, r.stderr
    topics = load_starter().topics
    assert [line[:-1] for line in r.stdout.splitlines() if not line.startswith(" ")] == topics
    r = run("top-terms", d / "model.ttm", "ceasefire", "-n", "5", "--negative")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("ceasefire:") and "against:" in r.stdout
    assert_one_line_error(run("top-terms", d / "model.ttm", "weather"), "unknown topic", "ceasefire")
    r = run("explain", d / "model.ttm", "Both sides agreed to a ceasefire and a truce from midnight.")
    assert r.returncode == 0, r.stderr
    # the evidence of every predicted topic, with its probability
    assert r.stdout.startswith("ceasefire: probability") and "terms:" in r.stdout
    r = run("explain", d / "model.ttm", "-", "--topic", "sanctions", input="Embargo on arms and oil.")
    assert r.returncode == 0, r.stderr
    assert "'sanctions'" in r.stdout


def test_train_language_stem_stop_words(cli_work, tmp_path):
    """--language en|es|auto selects the language of --stem / --stop-words, end to end."""
    from topictag import load

    d, _ = cli_work
    models = {}
    for lang in ("en", "es", "spanish", "auto"):
        out = tmp_path / f"{lang}.ttm"
        r = run("train", d / "train.csv", "-o", out, "--label-sep", "|", "--language", lang,
                "--stem", "--stop-words")
        assert r.returncode == 0, r.stderr
        models[lang] = load(out)
        assert models[lang].language == lang
        assert models[lang].stemmer == "auto" and models[lang].stop_words == "auto"
    assert models["es"].vocabulary_size_ == models["spanish"].vocabulary_size_
    assert models["en"].vocabulary_size_ != models["es"].vocabulary_size_

    def first_words(m):
        return {t.split()[0] for _, _, _, t, _ in m.top_terms(n=300, as_frame=False)}

    assert "the" not in first_words(models["en"]) and "the" in first_words(models["es"])
    r = run("predict", tmp_path / "es.ttm", input="Los rebeldes firmaron un alto el fuego.\n")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["topics"]  # at least one topic (allow_empty=False by default)
    assert_one_line_error(
        run("train", d / "train.csv", "-o", tmp_path / "x.ttm", "--label-sep", "|",
            "--language", "xx"),
        "--language xx is not supported",
    )
    assert not (tmp_path / "x.ttm").exists()


def test_predict_evidence(cli_work, tmp_path):
    import topictag

    d, test = cli_work
    r = run("predict", d / "model.ttm", d / "test.csv", "--evidence", "-k", "2")
    assert r.returncode == 0, r.stderr
    recs = [json.loads(line) for line in r.stdout.splitlines()]
    model = topictag.load(d / "model.ttm")
    texts = [t for _, t, _ in test]
    for x, text in zip(recs[:5], texts):
        ev = x["evidence"]
        assert [e["topic"] for e in ev] == x["topics"]
        assert ev == json.loads(json.dumps(model.explain(text).to_dict()["topics"]))
        for e in ev:
            assert 0.0 <= e["probability"] <= 1.0 and e["segments"]
            for s in e["segments"]:
                assert s["text"] == text[s["start"]:s["end"]]
                assert all(set(w) == {"term", "as_written", "contribution", "spans"} for w in s["terms"])
    out = tmp_path / "ev.csv"
    r = run("predict", d / "model.ttm", d / "test.csv", "--evidence", "--format", "csv", "-o", out)
    assert r.returncode == 0, r.stderr
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0][-1] == "evidence" and json.loads(rows[1][-1])[0]["topic"]


def test_predict_evidence_needs_article_model(cli_work, tmp_path):
    b = load_starter()
    p = tmp_path / "single.jsonl"
    with open(p, "w", encoding="utf-8") as f:
        for t, ls in zip(b.data, b.target):
            f.write(json.dumps({"text": t, "label": ls[0]}) + "\n")
    r = run("train", p, "-o", tmp_path / "single.ttm")
    assert r.returncode == 0, r.stderr
    assert_one_line_error(run("predict", tmp_path / "single.ttm", "-", "--evidence",
                              input="a truce\n"), "--evidence")
