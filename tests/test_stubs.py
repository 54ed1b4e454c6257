"""The type stubs of the Rust extension (python/topictag/_core.pyi) match the runtime module,
checked by mypy's stubtest as pydantic-core does."""

import subprocess
import sys

import pytest


def test_core_stubs_match_runtime():
    pytest.importorskip("mypy")
    r = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "topictag._core"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stdout + r.stderr
