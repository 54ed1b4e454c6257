"""``topictag demo`` (``topictag.cli._demo``), end to end in subprocesses."""

from __future__ import annotations

import json
import re
import time

from topictag.datasets import load_starter
from cli_helpers import assert_one_line_error, run  # tests/cli_helpers.py

DEMO_MACRO_F1_FLOOR = 0.6


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


def test_demo_default_save_path(tmp_path):
    r = run("demo", "--cv", "2", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "starter-model.ttm").exists()
    assert_one_line_error(run("demo", "--cv", "1", cwd=tmp_path), "--cv")
