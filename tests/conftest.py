"""Shared fixtures: loaders for the real labelled datasets in ``../shared/data``.

The datasets are for tests and benchmarks only (never committed, never shipped). Tests that
need them skip with a clear reason when the folder is absent. ``TOPICTAG_SHARED_DATA`` points
elsewhere if needed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

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
