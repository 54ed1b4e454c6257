"""Shared fixtures: loaders for the real labelled datasets in ``../shared/data``, and a
labelled CSV with models trained on it by the command line (``cli_work``).

The datasets are for tests and benchmarks only (never committed, never shipped). Tests that
need them skip with a clear reason when the folder is absent. ``TOPICTAG_SHARED_DATA`` points
elsewhere if needed.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import datasets_shared as ds  # noqa: E402  (benchmarks/datasets_shared.py)


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"shared dataset not found at {path} (set TOPICTAG_SHARED_DATA or put ../shared/data beside the repo)")
    return path


@pytest.fixture(scope="session")
def shared_data() -> Path:
    return _need(ds.data_dir())


@pytest.fixture(scope="session")
def news20_train(shared_data):
    return ds.load_20newsgroups("train")


@pytest.fixture(scope="session")
def news20_test(shared_data):
    return ds.load_20newsgroups("test")


@pytest.fixture(scope="session")
def bbc(shared_data):
    return ds.load_bbc()


@pytest.fixture(scope="session")
def bbc_shuffled(bbc):
    """BBC News (texts, labels) in a fixed random order (seed 0)."""
    texts, labels = bbc
    order = np.random.default_rng(0).permutation(len(texts))
    return [texts[i] for i in order], [labels[i] for i in order]


@pytest.fixture(scope="session")
def cameo_train(shared_data):
    return ds.load_cameo_class("train")


@pytest.fixture(scope="session")
def cameo_test(shared_data):
    return ds.load_cameo_class("test")


@pytest.fixture(scope="session")
def spanish_cameo(shared_data):
    return ds.load_spanish_cameo()


@pytest.fixture(scope="session")
def reuters_train(shared_data):
    return ds.load_reuters("train")


@pytest.fixture(scope="session")
def reuters_test(shared_data):
    return ds.load_reuters("test")


# ---------------------------------------------------------------------------- command line


@pytest.fixture(scope="session")
def cli_work(tmp_path_factory):
    """A labelled CSV (train/test split of the starter corpus) and a model trained on it."""
    d = tmp_path_factory.mktemp("cli")
    from topictag.datasets import load_starter

    from cli_helpers import run  # tests/cli_helpers.py

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
