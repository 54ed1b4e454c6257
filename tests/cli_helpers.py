"""Helpers of the command-line tests: run ``python -m topictag`` in a subprocess and check
its one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys

COMMANDS = ["train", "predict", "evaluate", "top-terms", "explain", "train-keywords",
            "suggest-keywords", "demo"]


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
