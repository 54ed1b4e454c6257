"""60-second fuzz runs: the cargo-fuzz targets `loader` (model file decoding) and `analyzer`
(normalise + tokenise), and atheris on ``topictag.load`` (see docs/DEVELOPING.md,
"Fuzzing"). scripts/test.sh installs the tools (scripts/fuzz.sh); outside CI a missing tool
skips the test with the reason, in CI (CI=true) it fails.

A crash leaves its input in fuzz/artifacts/<target>/ and fails the test. Known findings that
are someone else's fix are listed in KNOWN_CRASHES and turn into an xfail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SECONDS = int(os.environ.get("TOPICTAG_FUZZ_SECONDS", "60"))
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# target -> [(text in the fuzzer's output that identifies the finding, reason)], for findings
# that are known and left to the loader hardening work: they make the test xfail. Any other
# failure fails the test.
KNOWN_CRASHES: dict = {}


def _need(ok: bool, what: str) -> None:
    if ok:
        return
    msg = f"{what} is not installed: run `bash scripts/fuzz.sh install` (scripts/test.sh does)"
    if IN_CI:
        pytest.fail(msg)
    pytest.skip(msg)


def _has_cargo_fuzz() -> bool:
    return (ROOT / ".venv-fuzz" / "bin" / "cargo-fuzz").exists() or shutil.which("cargo-fuzz") is not None


def _has_atheris() -> bool:
    try:
        import atheris  # noqa: F401
    except ImportError:
        return False
    return True


def _run(args, target: str, env=None) -> None:
    # Wall-clock bound: the run itself, plus a (re)build of the target if it is not built yet.
    r = subprocess.run(["bash", str(ROOT / "scripts" / "fuzz.sh"), *args], cwd=ROOT,
                       capture_output=True, text=True, timeout=SECONDS + 900,
                       env={**os.environ, **(env or {})})
    out = r.stdout + r.stderr
    tail = "\n".join(out.splitlines()[-40:])
    if r.returncode != 0:
        for signature, reason in KNOWN_CRASHES.get(target, []):
            if signature in out:
                pytest.xfail(f"{target}: {reason}")
        arts = sorted(p.name for p in (ROOT / "fuzz" / "artifacts" / target).glob("*"))
        pytest.fail(f"fuzzing {target} failed (exit {r.returncode}); artifacts: {arts}\n{tail}")
    assert "Done" in tail or "stat::number_of_executed_units" in tail, tail


@pytest.mark.parametrize("target", ["loader", "analyzer"])
def test_cargo_fuzz(target):
    _need(_has_cargo_fuzz(), "cargo-fuzz")
    _run(["run", target, str(SECONDS)], target)


def test_atheris_load():
    _need(_has_atheris(), "atheris")
    _run(["atheris", str(SECONDS)], "atheris", env={"FUZZ_PYTHON": sys.executable})
