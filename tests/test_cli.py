"""The ``topictag`` command line, end to end in subprocesses (``python -m topictag``)."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import time

import pytest

from topictag.datasets import load_demo, load_starter

COMMANDS = ["train", "predict", "evaluate", "top-terms", "explain", "demo"]
DEMO_MACRO_F1_FLOOR = 0.6


def run(*args, input=None, cwd=None, env=None):
    e = dict(os.environ)
    e.pop("TOPICTAG_DEBUG", None)
    e.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "topictag", *map(str, args)],
        input=input,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        env=e,
        timeout=600,
    )


def assert_one_line_error(r, *fragments, code=1):
    assert r.returncode == code, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("topictag: error: "), lines[0]
    for f in fragments:
        assert f in lines[0], (f, lines[0])


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    """A labelled CSV (train/test split of the starter corpus) and a model trained on it."""
    d = tmp_path_factory.mktemp("cli")
    b = load_starter()
    rows = list(zip(b.ids, b.data, b.target))
    train, test = rows[::2] + rows[3::4], rows[1::4]
    for name, part in (("train.csv", train), ("test.csv", test)):
        with open(d / name, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["id", "text", "label"])
            for i, t, ls in part:
                w.writerow([i, t, "|".join(ls)])
    r = run("train", d / "train.csv", "-o", d / "model.ttm", "--label-sep", "|",
            "--class-weight", "balanced")
    assert r.returncode == 0, r.stderr
    assert "trained" in r.stdout and "saved to" in r.stdout
    r = run("train", d / "train.csv", "-o", d / "logistic.ttm", "--label-sep", "|",
            "--model", "logistic", "--C", "10", "--ngram-max", "1", "--min-df", "1",
            "--max-features", "5000", "--threshold", "0.4", "--language", "auto")
    assert r.returncode == 0, r.stderr
    return d, test


@pytest.mark.parametrize("cmd", COMMANDS)
def test_help_of_each_command(cmd):
    r = run(cmd, "--help")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"usage: topictag {cmd}")


def test_top_level_help_and_version():
    r = run("--help")
    assert r.returncode == 0
    for cmd in COMMANDS:
        assert cmd in r.stdout
    r = run("--version")
    assert r.returncode == 0 and r.stdout.startswith("topictag ")


def test_usage_errors_exit_2():
    assert_one_line_error(run(), "a command is required", code=2)
    assert_one_line_error(run("train"), "required", code=2)
    assert_one_line_error(run("frobnicate"), "invalid choice", code=2)
    assert_one_line_error(run("predict", "m.ttm", "--top-k", "many"), "--top-k", code=2)


def test_main_in_process(tmp_path, capsys):
    # the `topictag` console script calls topictag.cli:main, as `python -m topictag` does
    from topictag.cli import main

    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0
    assert main(["predict", str(tmp_path / "none.ttm")]) == 1
    assert capsys.readouterr().err.startswith("topictag: error: ")


def test_predict_jsonl_from_csv(work):
    d, test = work
    r = run("predict", d / "model.ttm", d / "test.csv")
    assert r.returncode == 0, r.stderr
    recs = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(recs) == len(test)
    assert [x["id"] for x in recs] == [i for i, _, _ in test]
    topics = set(load_starter().topics)
    for x in recs:
        assert set(x["topics"]) <= topics
        assert len(x["scores"]) == 3
        scores = list(x["scores"].values())
        assert scores == sorted(scores, reverse=True)
    # most paragraphs get at least one correct topic
    hits = sum(bool(set(x["topics"]) & set(t)) for x, (_, _, t) in zip(recs, test))
    assert hits / len(test) > 0.6


def test_predict_logistic_scores_are_probabilities(work):
    d, test = work
    r = run("predict", d / "logistic.ttm", d / "test.csv", "-k", "7")
    assert r.returncode == 0, r.stderr
    for line in r.stdout.splitlines():
        x = json.loads(line)
        assert len(x["scores"]) == 7
        assert all(0.0 <= s <= 1.0 for s in x["scores"].values())
        # the model's own decision: the topics whose probability reaches its threshold (0.4),
        # or the best topic alone when none does (allow_empty=False, the default)
        over = {t for t, p in x["scores"].items() if p >= 0.4 + 1e-4}
        assert over <= set(x["topics"])
        assert all(x["scores"][t] >= 0.4 - 1e-4 for t in x["topics"]) or (
            x["topics"] == [max(x["scores"], key=x["scores"].get)]
        )


@pytest.mark.parametrize("name", ["model.ttm", "logistic.ttm"])
def test_predict_topics_are_the_models_own(work, name):
    import topictag

    d, test = work
    r = run("predict", d / name, d / "test.csv")
    assert r.returncode == 0, r.stderr
    recs = [json.loads(line) for line in r.stdout.splitlines()]
    expected = topictag.load(d / name).predict([t for _, t, _ in test])
    assert [set(x["topics"]) for x in recs] == [set(p) for p in expected]


def test_predict_single_label_model(work, tmp_path):
    import topictag

    d, test = work
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


def test_parquet_and_tsv_inputs(work, tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    d, test = work
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


def test_predict_csv_output_top_k_and_file(work, tmp_path):
    d, test = work
    out = tmp_path / "pred.csv"
    r = run("predict", d / "model.ttm", d / "test.csv", "--format", "csv", "--top-k", "2", "-o", out)
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0] == ["id", "topics", "topic_1", "score_1", "topic_2", "score_2"]
    assert len(rows) == len(test) + 1
    r = run("predict", d / "model.ttm", d / "test.csv", "--top-k", "0")
    assert all("scores" not in json.loads(line) for line in r.stdout.splitlines())


def test_predict_threshold(work):
    d, test = work
    low = run("predict", d / "model.ttm", d / "test.csv", "--threshold", "-100")
    high = run("predict", d / "model.ttm", d / "test.csv", "--threshold", "100")
    assert low.returncode == 0 and high.returncode == 0, (low.stderr, high.stderr)
    n = len(load_starter().topics)
    assert all(len(json.loads(x)["topics"]) == n for x in low.stdout.splitlines())
    assert all(json.loads(x)["topics"] == [] for x in high.stdout.splitlines())


def test_predict_from_stdin_text_and_jsonl(work):
    d, _ = work
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


def test_predict_from_text_file(work, tmp_path):
    d, _ = work
    p = tmp_path / "docs.txt"
    p.write_text("The army and the rebels agreed to a truce.\n\nSanctions on oil exports.\n",
                 encoding="utf-8")
    r = run("predict", d / "model.ttm", p)
    assert r.returncode == 0, r.stderr
    recs = [json.loads(line) for line in r.stdout.splitlines()]
    assert [x["id"] for x in recs] == [1, 3]


def test_evaluate(work):
    d, test = work
    r = run("evaluate", d / "model.ttm", d / "test.csv", "--label-sep", "|")
    assert r.returncode == 0, r.stderr
    assert "macro avg" in r.stdout and "precision" in r.stdout
    for t in load_starter().topics:
        assert t in r.stdout
    r = run("evaluate", d / "model.ttm", d / "test.csv", "--label-sep", "|", "--json")
    rep = json.loads(r.stdout)
    assert rep["macro avg"]["f1-score"] > 0.5
    assert rep["n_samples"] == len(test)


def test_top_terms_and_explain(work):
    d, _ = work
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
    assert "topic" in r.stdout and "score" in r.stdout
    r = run("explain", d / "model.ttm", "-", "--topic", "sanctions", input="Embargo on arms and oil.")
    assert r.returncode == 0, r.stderr
    assert "'sanctions'" in r.stdout


def test_bad_files(work, tmp_path):
    d, _ = work
    model = d / "model.ttm"
    assert_one_line_error(run("train", tmp_path / "nope.csv", "-o", tmp_path / "m.ttm"),
                          "nope.csv", "no such file")
    assert_one_line_error(run("predict", tmp_path / "nope.ttm", d / "test.csv"), "nope.ttm")
    assert_one_line_error(run("train", d / "test.csv", "-o", tmp_path / "m.ttm",
                              "--label-col", "topic"), "'topic'", "available columns")
    bad = tmp_path / "bad.csv"
    bad.write_text("text,label\nfine,ceasefire\nno label here\n", encoding="utf-8")
    assert_one_line_error(run("train", bad, "-o", tmp_path / "m.ttm"), "line 3")
    assert not (tmp_path / "m.ttm").exists()
    # a corrupted model: a flipped byte in the middle, then a truncated file, then not a model
    data = bytearray(model.read_bytes())
    data[len(data) // 2] ^= 0xFF
    corrupt = tmp_path / "corrupt.ttm"
    corrupt.write_bytes(bytes(data))
    assert_one_line_error(run("predict", corrupt, d / "test.csv"), "corrupt.ttm")
    corrupt.write_bytes(model.read_bytes()[:100])
    assert_one_line_error(run("evaluate", corrupt, d / "test.csv"), "corrupt.ttm")
    corrupt.write_text("hello", encoding="utf-8")
    assert_one_line_error(run("top-terms", corrupt), "corrupt.ttm")
    assert_one_line_error(run("predict", model, d), "directory")
    assert_one_line_error(run("predict", model, input=""), "no documents")
    assert_one_line_error(run("train", d / "test.csv", "-o", tmp_path / "no" / "dir" / "m.ttm",
                              "--label-sep", "|"), "does not exist")


def test_debug_shows_traceback(work, tmp_path):
    d, _ = work
    bad = tmp_path / "x.ttm"
    bad.write_text("junk", encoding="utf-8")
    r = run("predict", bad, input="text\n", env={"TOPICTAG_DEBUG": "1"})
    assert r.returncode != 0 and "Traceback" in r.stderr


def test_demo(tmp_path):
    out = tmp_path / "starter.ttm"
    t0 = time.perf_counter()
    r = run("demo", "--save", out, cwd=tmp_path)
    elapsed = time.perf_counter() - t0
    assert r.returncode == 0, r.stderr
    assert r.stderr == "", "no progress output when stderr is not a TTY"
    m = re.search(r"^cross-validated macro-F1: (\d\.\d\d)$", r.stdout, re.M)
    assert m, r.stdout
    assert float(m.group(1)) >= DEMO_MACRO_F1_FLOOR
    for t in load_starter().topics:
        assert t in r.stdout
    assert "English" in r.stdout and "Spanish" in r.stdout
    assert "<-" in r.stdout  # the words behind each topic
    # the demo trains TopicClassifier's defaults plus the settings it prints
    assert ("Model: TopicClassifier(class_weight='balanced', language='auto', model='logistic', "
            "stemmer='auto', stop_words='auto')") in r.stdout
    assert f"Model saved to {out}" in r.stdout and out.exists()
    assert elapsed < 120, elapsed
    r2 = run("predict", out, input="Both armies agreed to a truce after talks.\n")
    assert r2.returncode == 0 and json.loads(r2.stdout)["topics"]


def test_train_language_stem_stop_words(work, tmp_path):
    """--language en|es|auto selects the language of --stem / --stop-words, end to end."""
    from topictag import load

    d, _ = work
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
        "language='xx' is not supported",
    )
    assert not (tmp_path / "x.ttm").exists()


def test_demo_default_save_path(tmp_path):
    r = run("demo", "--cv", "2", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "starter-model.ttm").exists()
    assert_one_line_error(run("demo", "--cv", "1", cwd=tmp_path), "--cv")


# ---------------------------------------------------------------------------- progress helper


def test_progress_only_on_a_tty(monkeypatch):
    from topictag import _progress

    class FakeTTY(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.delenv("TOPICTAG_PROGRESS", raising=False)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert not _progress.enabled(io.StringIO())
    assert _progress.enabled(FakeTTY())
    monkeypatch.setenv("TOPICTAG_PROGRESS", "0")
    assert not _progress.enabled(FakeTTY())

    s = FakeTTY()
    with _progress.progress("working", delay=0.0, stream=s, enable=True) as p:
        p.update("step 1/2")
        time.sleep(0.35)
    out = s.getvalue()
    assert "working: step 1/2" in out
    assert out.endswith("\r")  # the line is erased at the end
    quiet = io.StringIO()
    with _progress.progress("working", delay=0.0, stream=quiet):
        time.sleep(0.2)
    assert quiet.getvalue() == ""
    fast = FakeTTY()
    with _progress.progress("working", delay=5.0, stream=fast, enable=True):
        pass
    assert fast.getvalue() == ""
