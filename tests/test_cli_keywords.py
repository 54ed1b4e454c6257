"""``topictag train-keywords`` and ``topictag suggest-keywords`` (``topictag.cli._keywords``),
end to end in subprocesses, on the starter corpus."""

from __future__ import annotations

import json

import pytest

import topictag
from topictag.datasets import load_starter
from cli_helpers import assert_one_line_error, run  # tests/cli_helpers.py
from test_keywords import STARTER_KEYWORDS


def _toml(kw):
    return "".join(f"{t} = {json.dumps(ws, ensure_ascii=False)}\n" for t, ws in kw.items())


def _yaml(kw):
    return "".join(f"{t}:\n" + "".join(f"  - {json.dumps(w, ensure_ascii=False)}\n" for w in ws)
                   for t, ws in kw.items())


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    d = tmp_path_factory.mktemp("kwcli")
    b = load_starter()
    with open(d / "texts.jsonl", "w", encoding="utf-8") as f:
        for t in b.data:
            f.write(json.dumps({"text": t}, ensure_ascii=False) + "\n")
    (d / "kw.json").write_text(json.dumps(STARTER_KEYWORDS, ensure_ascii=False), encoding="utf-8")
    (d / "kw.toml").write_text(_toml(STARTER_KEYWORDS), encoding="utf-8")
    (d / "kw.yaml").write_text(_yaml(STARTER_KEYWORDS), encoding="utf-8")
    return d, b


@pytest.mark.parametrize("fmt", ["json", "toml", "yaml"])
def test_train_keywords_each_file_format_gives_the_same_model(corpus, fmt):
    d, b = corpus
    if fmt == "yaml":
        pytest.importorskip("yaml")
    out = d / f"model_{fmt}.ttm"
    r = run("train-keywords", d / f"kw.{fmt}", d / "texts.jsonl", "-o", out, "--multilabel")
    assert r.returncode == 0, r.stderr
    assert f"of {len(b.data)} documents labelled from keywords" in r.stdout
    m = topictag.load(out)
    assert m.multilabel_ and m.keywords_ == STARTER_KEYWORDS
    ref = topictag.TopicClassifier.from_keywords(STARTER_KEYWORDS, b.data, multilabel=True)
    assert m.predict(b.data[:40]) == ref.predict(b.data[:40])


def test_suggest_keywords_prints_written_forms(corpus):
    d, _ = corpus
    out = d / "single.ttm"
    r = run("train-keywords", d / "kw.json", d / "texts.jsonl", "-o", out)
    assert r.returncode == 0, r.stderr
    r = run("suggest-keywords", out, "peacekeeping", "-n", "5")
    assert r.returncode == 0, r.stderr
    words = r.stdout.splitlines()
    assert words == topictag.load(out).suggest_keywords("peacekeeping", 5) and len(words) == 5
    assert_one_line_error(run("suggest-keywords", out, "nope"), "unknown topic 'nope'")


def test_train_keywords_errors_are_one_line(corpus, tmp_path):
    d, _ = corpus
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"ceasefire": [], "sanctions": ["embargo"]}), encoding="utf-8")
    assert_one_line_error(run("train-keywords", bad, d / "texts.jsonl", "-o", tmp_path / "m.ttm"),
                          "'ceasefire' has no keywords")
    unknown = tmp_path / "kw.txt"
    unknown.write_text("x", encoding="utf-8")
    assert_one_line_error(run("train-keywords", unknown, d / "texts.jsonl", "-o", tmp_path / "m.ttm"),
                          ".json, .yaml/.yml or .toml")
    absent = tmp_path / "space.json"
    absent.write_text(json.dumps({"space": ["astronaut"], "sanctions": ["embargo"]}), encoding="utf-8")
    assert_one_line_error(run("train-keywords", absent, d / "texts.jsonl", "-o", tmp_path / "m.ttm"),
                          'topic "space" (astronaut)')


def test_train_keywords_options_are_from_keywords_parameters(corpus, tmp_path):
    # --rounds, --coverage, --min-keywords and --labels give the model from_keywords gives
    d, b = corpus
    labels = {3: "ceasefire", 10: ["sanctions"]}
    (tmp_path / "labels.json").write_text(json.dumps(labels), encoding="utf-8")
    out = tmp_path / "m.ttm"
    r = run("train-keywords", d / "kw.json", d / "texts.jsonl", "-o", out, "--rounds", "2",
            "--coverage", "0.5", "--min-keywords", "2", "--labels", tmp_path / "labels.json")
    assert r.returncode == 0, r.stderr
    m = topictag.load(out)
    ref = topictag.TopicClassifier.from_keywords(STARTER_KEYWORDS, b.data, rounds=2, coverage=0.5,
                                                 min_keywords=2, labels={3: "ceasefire", 10: "sanctions"})
    rep = ref.keyword_report_
    assert f"{rep['n_seed']:,} of {len(b.data):,} documents labelled from keywords, {rep['n_labelled']:,}" in r.stdout
    assert list(m.predict(b.data[:60])) == list(ref.predict(b.data[:60]))
    # the defaults label more from keywords than --min-keywords 2 does
    default = topictag.TopicClassifier.from_keywords(STARTER_KEYWORDS, b.data, rounds=2)
    assert default.keyword_report_["n_seed"] > rep["n_seed"] - len(labels)


@pytest.mark.parametrize("args, fragment", [
    (["--coverage", "0"], "--coverage must be a number in (0, 1], got 0"),
    (["--coverage", "1.5"], "--coverage must be a number in (0, 1]"),
    (["--rounds", "-1"], "--rounds must be an int >= 0, got -1"),
    (["--min-keywords", "0"], "--min-keywords must be an int >= 1, got 0"),
])
def test_train_keywords_bad_option_values_are_one_line_errors(corpus, tmp_path, args, fragment):
    d, _ = corpus
    r = run("train-keywords", d / "kw.json", d / "texts.jsonl", "-o", tmp_path / "m.ttm", *args)
    assert_one_line_error(r, fragment)
    assert not (tmp_path / "m.ttm").exists()


def test_train_keywords_bad_labels_file(corpus, tmp_path):
    d, _ = corpus
    bad = tmp_path / "labels.json"
    bad.write_text(json.dumps({"x": "ceasefire"}), encoding="utf-8")
    assert_one_line_error(run("train-keywords", d / "kw.json", d / "texts.jsonl", "-o", tmp_path / "m.ttm",
                              "--labels", bad), "'x' is not a document index")
    bad.write_text(json.dumps({"0": "nope"}), encoding="utf-8")
    assert_one_line_error(run("train-keywords", d / "kw.json", d / "texts.jsonl", "-o", tmp_path / "m.ttm",
                              "--labels", bad), "labels[0]", "must name topics")
