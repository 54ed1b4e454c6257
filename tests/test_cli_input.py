"""The command line's inputs (issue 19): one record per line, formats sniffed on stdin,
--encoding, --delimiter, .gz files, skipped lines reported, the --label-sep warning, hints
that name flags, --seed, --n-jobs, evaluate --cv, and the empty-text rule."""

from __future__ import annotations

import csv
import gzip
import json

import numpy as np
import pytest

import topictag as tt
from cli_helpers import assert_one_line_error, run
from topictag.cli._io import cli_message, split_records
from topictag.datasets import load_starter


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    """A multi-label starter-corpus CSV and a single-threshold model trained on it in Python."""
    d = tmp_path_factory.mktemp("cli_input")
    b = load_starter()
    with open(d / "train.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "text", "label"])
        for i, t, ls in zip(b.ids, b.data, b.target):
            w.writerow([i, t, "|".join(ls)])
    model = tt.TopicClassifier(threshold=0.0).fit(list(b.data), [list(t) for t in b.target])
    model.save(d / "model.ttm")
    return d, model, b


def _records(stdout):
    return [json.loads(line) for line in stdout.splitlines()]


# ------------------------------------------------------------------- one record per line

ODD_BREAKS = ["\f", "\v", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029", "\r"]


def test_split_records_splits_on_newline_only():
    doc = "a" + "b".join(ODD_BREAKS) + "c"
    assert doc.splitlines() != [doc]  # what str.splitlines would do
    assert split_records(doc + "\n" + "second\r\n" + "third") == [doc, "second", "third"]
    assert split_records("x\n\n") == ["x", ""]
    assert split_records("") == []


def test_predict_text_keeps_one_record_per_line(work, tmp_path):
    d, model, _ = work
    lines = [f"war{c}and peace" for c in ODD_BREAKS] + ["", "  ", "a ceasefire was agreed"]
    path = tmp_path / "in.txt"
    path.write_bytes("\r\n".join(lines).encode("utf-8") + b"\n")
    r = run("predict", d / "model.ttm", path, "-k", "1")
    assert r.returncode == 0, r.stderr
    recs = _records(r.stdout)
    kept = [i for i, t in enumerate(lines, start=1) if t.strip()]
    assert [rec["id"] for rec in recs] == kept  # ids are line numbers, no line split
    want = model.predict([lines[i - 1] for i in kept])
    assert [sorted(rec["topics"]) for rec in recs] == [sorted(t) for t in want]
    assert "skipped 2 blank lines" in r.stderr and "lines 10, 11" in r.stderr


# ------------------------------------------------------------------ formats on stdin


def test_csv_on_stdin_is_read_as_csv(work):
    d, model, b = work
    data = (d / "train.csv").read_text(encoding="utf-8")
    r = run("predict", d / "model.ttm", "-k", "0", input=data)
    assert r.returncode == 0, r.stderr
    recs = _records(r.stdout)
    assert [rec["id"] for rec in recs] == list(b.ids)  # the header is not a document
    r2 = run("predict", d / "model.ttm", "-", "--input-format", "csv", "-k", "0", input=data)
    assert r2.stdout == r.stdout
    # train and evaluate read a CSV on stdin too, sniffed or with --format csv
    r = run("train", "-", "-o", d / "stdin.ttm", "--label-sep", "|", input=data)
    assert r.returncode == 0, r.stderr
    r = run("evaluate", d / "stdin.ttm", "-", "--format", "csv", "--label-sep", "|", "--json",
            input=data)
    assert r.returncode == 0 and json.loads(r.stdout)["micro avg"]["f1-score"] > 0.9, r.stderr


def test_sniff_format():
    from topictag.cli._io import sniff_format

    assert sniff_format('\n{"text": "a", "id": 1}\n', "text") == "jsonl"
    assert sniff_format("id,text,label\n1,a,b\n", "text") == "csv"
    assert sniff_format("doc id;text\n", "text", ";") == "csv"
    assert sniff_format("text\tlabel\n", "text") == "tsv"
    assert sniff_format("body,label\n", "text") is None
    # a document's first line is not a header, even when a field is the word "text"
    assert sniff_format("text, as the rebels released it on Monday\n", "text") is None
    assert sniff_format("", "text") is None


def test_unknown_format_on_stdin_names_the_flag(work):
    d, _, _ = work
    r = run("train", "-", "-o", d / "x.ttm", input="just some text\nmore text\n")
    assert_one_line_error(r, "--format")


def test_tsv_on_stdin_is_sniffed(work):
    d, model, _ = work
    r = run("predict", d / "model.ttm", "-k", "0",
            input="text\tid\nthe rebels agreed a truce\tx1\nshelling resumed\tx2\n")
    assert r.returncode == 0, r.stderr
    assert [rec["id"] for rec in _records(r.stdout)] == ["x1", "x2"]


# ------------------------------------------------------------ --label-sep warning


def test_warning_when_labels_look_joined(work):
    d, _, _ = work
    r = run("train", d / "train.csv", "-o", d / "joined.ttm")
    assert r.returncode == 0, r.stderr
    assert "warning:" in r.stderr and "--label-sep '|'" in r.stderr
    assert "(e.g. 'ceasefire|mediation')" in r.stderr
    r = run("train", d / "train.csv", "-o", d / "split.ttm", "--label-sep", "|")
    assert r.returncode == 0 and "warning" not in r.stderr, r.stderr


# -------------------------------------------------------- skipped rows are reported


def test_blank_csv_and_jsonl_lines_are_counted(work, tmp_path):
    d, _, _ = work
    c = tmp_path / "in.csv"
    c.write_text("id,text\na,war and bombs\n\nb,peace talks\n\n", encoding="utf-8")
    r = run("predict", d / "model.ttm", c, "-k", "0")
    assert r.returncode == 0 and len(_records(r.stdout)) == 2, r.stderr
    assert "skipped 2 blank lines" in r.stderr and "lines 3, 5" in r.stderr
    j = tmp_path / "in.jsonl"
    j.write_text('{"text": "war"}\n\n{"text": "peace"}\n', encoding="utf-8")
    r = run("predict", d / "model.ttm", j, "-k", "0")
    assert [rec["id"] for rec in _records(r.stdout)] == [1, 3]
    assert "skipped 1 blank line" in r.stderr and "line 2" in r.stderr
    r = run("predict", d / "model.ttm", c, "-k", "0", "-o", tmp_path / "out.jsonl")
    assert "skipped 2 blank lines" in r.stderr


# ------------------------------------------------ --encoding, --delimiter, .gz input


def test_encoding_delimiter_and_gzip(work, tmp_path):
    d, _, b = work
    rows = list(csv.reader((d / "train.csv").open(encoding="utf-8")))
    latin = tmp_path / "semi.csv"
    with open(latin, "w", encoding="latin-1", errors="replace", newline="") as f:
        csv.writer(f, delimiter=";").writerows(rows)
    gz = tmp_path / "semi.csv.gz"
    gz.write_bytes(gzip.compress(latin.read_bytes()))
    r = run("train", gz, "-o", tmp_path / "m.ttm", "--label-sep", "|", "--encoding", "latin-1")
    assert_one_line_error(r, "no text column 'text'", "--delimiter")
    r = run("train", gz, "-o", tmp_path / "m.ttm", "--label-sep", "|", "--delimiter", ";")
    assert_one_line_error(r, "--encoding latin-1")  # the hint names the flag
    assert "encoding=" not in r.stderr
    r = run("train", gz, "-o", tmp_path / "m.ttm", "--label-sep", "|", "--delimiter", ";",
            "--encoding", "latin-1")
    assert r.returncode == 0, r.stderr
    # predict: the same options, and .gz for every format
    r = run("predict", tmp_path / "m.ttm", gz, "--delimiter", ";", "--encoding", "latin-1",
            "-k", "0")
    assert r.returncode == 0 and len(_records(r.stdout)) == len(b.data), r.stderr
    txt = tmp_path / "docs.txt.gz"
    txt.write_bytes(gzip.compress("café con leche\nla tregua\n".encode("latin-1")))
    r = run("predict", tmp_path / "m.ttm", txt, "--encoding", "latin-1", "-k", "0")
    assert r.returncode == 0 and len(_records(r.stdout)) == 2, r.stderr
    jl = tmp_path / "docs.jsonl.gz"
    jl.write_bytes(gzip.compress(b'{"id": "q", "text": "la tregua"}\n'))
    r = run("predict", tmp_path / "m.ttm", jl, "-k", "0")
    assert _records(r.stdout)[0]["id"] == "q", r.stderr


def test_parquet_gz_input(work, tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    d, _, _ = work
    raw = tmp_path / "docs.parquet"
    pq.write_table(pa.table({"id": ["p1", "p2"], "text": ["a truce", "shelling"]}), raw)
    gz = tmp_path / "docs.parquet.gz"
    gz.write_bytes(gzip.compress(raw.read_bytes()))
    r = run("predict", d / "model.ttm", gz, "-k", "0")
    assert r.returncode == 0, r.stderr
    assert [rec["id"] for rec in _records(r.stdout)] == ["p1", "p2"]


# --------------------------------------------------------- hints name the flags


def test_hints_name_command_line_flags(work, tmp_path):
    d, _, _ = work
    c = tmp_path / "x.csv"
    c.write_text("body,label\nwar,a\npeace,b\n", encoding="utf-8")
    assert_one_line_error(run("train", c, "-o", tmp_path / "m.ttm"), "--text-col")
    c.write_text("text,label\nwar,a\npeace,\n", encoding="utf-8")
    r = run("train", c, "-o", tmp_path / "m.ttm")
    assert_one_line_error(r, "line 3", "--allow-empty-labels")
    assert "allow_empty_labels" not in r.stderr
    c.write_text("text,label\nwar,a\npeace,b\nbombs,a|b\ncalm,\n", encoding="utf-8")
    r = run("train", c, "-o", tmp_path / "m.ttm", "--allow-empty-labels", "--label-sep", "|",
            "--min-df", "1")
    assert r.returncode == 0, r.stderr
    r = run("train", d / "train.csv", "-o", tmp_path / "m.ttm", "--min-df", "-1",
            "--label-sep", "|")
    assert_one_line_error(r, "--min-df")
    assert "min_df" not in r.stderr


def test_cli_message_translations():
    assert cli_message("pass the file's encoding, e.g. encoding='latin-1'").endswith(
        "e.g. --encoding latin-1")
    assert cli_message("allowed only with allow_empty_labels=True, for") == (
        "allowed only with --allow-empty-labels, for")
    assert cli_message("give format= ('csv', 'tsv')") == "give --format ('csv', 'tsv')"
    assert cli_message("the format of the file") == "the format of the file"  # plain words stay


# --------------------------------------------------------- --seed and --n-jobs


def test_seed_and_n_jobs_are_passed_on(work, tmp_path):
    d, _, b = work
    outs = []
    for name, extra in (("a", ["--seed", "7"]), ("b", ["--seed", "7", "--n-jobs", "1"])):
        r = run("train", d / "train.csv", "-o", tmp_path / f"{name}.ttm", "--label-sep", "|",
                "--model", "logistic", *extra)
        assert r.returncode == 0, r.stderr
        m = tt.load(tmp_path / f"{name}.ttm")
        assert m.random_state == 7
        outs.append(m.decision_function(list(b.data[:50])))
    np.testing.assert_array_equal(outs[0], outs[1])  # same seed, any thread count
    # --n-jobs goes to the model as given: what it means is the model's rule
    r = run("predict", tmp_path / "a.ttm", d / "train.csv", "-k", "0", "--n-jobs", "1")
    assert r.returncode == 0, r.stderr
    assert_one_line_error(run("predict", tmp_path / "a.ttm", d / "train.csv", "--n-jobs", "0"),
                          "--n-jobs")


# ---------------------------------------------------------------- evaluate --cv


def test_evaluate_cv(work):
    d, _, b = work
    r = run("evaluate", d / "model.ttm", d / "train.csv", "--label-sep", "|", "--cv", "3",
            "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["cv"] == 3 and out["n_documents"] == len(b.data)
    f1 = out["scores"]["test_f1_micro"]
    assert len(f1["folds"]) == 3 and abs(f1["mean"] - np.mean(f1["folds"])) < 1e-12
    # the same folds and model settings as cross_validate in Python
    py = tt.cross_validate(tt.load(d / "model.ttm").__class__(
        **tt.load(d / "model.ttm").get_params()), list(b.data), [list(t) for t in b.target],
        cv=3, random_state=0)
    np.testing.assert_allclose(f1["folds"], py["test_f1_micro"])
    r = run("evaluate", d / "model.ttm", d / "train.csv", "--label-sep", "|", "--cv", "3")
    assert "3-fold cross-validation" in r.stdout and "test_f1_micro" in r.stdout
    assert_one_line_error(run("evaluate", d / "model.ttm", d / "train.csv", "--cv", "1"), "--cv")


# --------------------------------------------------------------- empty texts


def test_empty_texts_follow_the_python_rule(work, tmp_path):
    """A record with an empty text is a document with no words: kept (never dropped) and
    tagged as TopicClassifier.predict tags it, in every format."""
    d, model, _ = work
    want = model.predict(["", "   ", "war and bombs"])
    c = tmp_path / "e.csv"
    c.write_text('id,text\n1,\n2,"   "\n3,war and bombs\n', encoding="utf-8")
    j = tmp_path / "e.jsonl"
    j.write_text('{"id": 1, "text": ""}\n{"id": 2, "text": "   "}\n'
                 '{"id": 3, "text": "war and bombs"}\n', encoding="utf-8")
    for path in (c, j):
        r = run("predict", d / "model.ttm", path, "-k", "0")
        assert r.returncode == 0, r.stderr
        recs = _records(r.stdout)
        assert [str(rec["id"]) for rec in recs] == ["1", "2", "3"]
        assert [sorted(rec["topics"]) for rec in recs] == [sorted(t) for t in want]
    # and training keeps them too, as fit does
    t = tmp_path / "t.csv"
    rows = "".join(f"{i},war and bombs,a\n{i}b,peace talks,b\n" for i in range(5))
    t.write_text("id,text,label\n" + rows + "x,,a\n", encoding="utf-8")
    r = run("train", t, "-o", tmp_path / "t.ttm", "--min-df", "1")
    assert r.returncode == 0 and "on 11 documents" in r.stdout, r.stderr


# ------------------------------------------------------- the streamed train path


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_streamed_train_reads_like_the_in_memory_one(work, tmp_path, monkeypatch, capsys, fmt):
    """A DATA file above the in-memory limit is streamed with the same options (delimiter,
    encoding, empty texts kept, blank lines counted, --label-sep warning) and trains the
    same linear model as the in-memory read of the same file."""
    from topictag.cli import _commands, main

    _, _, b = work
    path = tmp_path / f"data.{fmt}"
    rows = [(t, "|".join(ls)) for t, ls in zip(b.data, b.target)] + [("", "ceasefire")]
    if fmt == "csv":
        body = "text;label\n" + "".join(
            f'"{t.replace(chr(34), chr(34) * 2)}";{lab}\n\n' for t, lab in rows)
        extra = ["--delimiter", ";"]
    else:
        body = "".join(json.dumps({"text": t, "label": lab}) + "\n\n" for t, lab in rows)
        extra = []
    path.write_text(body, encoding="latin-1", errors="replace")
    args = ["train", str(path), "--model", "logistic", "--threshold", "0.5", "--encoding",
            "latin-1", *extra]
    assert main([*args, "-o", str(tmp_path / "mem.ttm")]) == 0
    mem_err = capsys.readouterr().err
    monkeypatch.setattr(_commands, "IN_MEMORY_BYTES", 0)
    assert main([*args, "-o", str(tmp_path / "stream.ttm")]) == 0
    out, err = capsys.readouterr()
    assert f"on {len(rows):,} documents" in out
    for e in (mem_err, err):
        assert f"skipped {len(rows):,} blank lines" in e and "--label-sep '|'" in e
    a, s = tt.load(tmp_path / "mem.ttm"), tt.load(tmp_path / "stream.ttm")
    assert list(a.classes_) == list(s.classes_)
    np.testing.assert_allclose(a.decision_function(list(b.data[:40])),
                               s.decision_function(list(b.data[:40])), atol=1e-5)
