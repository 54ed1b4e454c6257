"""Smoke test of the built wheel: install it into a fresh venv with no Rust toolchain on
PATH, then train, predict, save and load there.

The wheel comes from ``$TOPICTAG_WHEEL`` (set by scripts/test.sh) or else the newest
``dist/topictag-*.whl`` (``bash scripts/build_wheel.sh``). Without one (e.g. pytest after
``scripts/setup.sh``'s editable install) the test is skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SMOKE = textwrap.dedent(
    """
    import os, sys, sysconfig
    import topictag
    from topictag.datasets import load_starter

    site = sysconfig.get_paths()["purelib"]
    assert topictag.__file__.startswith(site), (topictag.__file__, site)
    texts, topics = load_starter(return_X_y=True)
    model = topictag.TopicClassifier(model="logistic", language="auto", stop_words="auto",
                                     stemmer="auto").fit(texts, topics)
    docs = ["Mediators secured a 72-hour truce between the army and the rebels.",
            "El Consejo aprobó un embargo de armas contra el gobierno."]
    norm = lambda p: [x if isinstance(x, str) else list(x) for x in p]
    pred = norm(model.predict(docs))
    assert len(pred) == 2, pred
    path = os.path.join(sys.argv[1], "smoke.ttm")
    model.save(path)
    same = topictag.load(path)
    assert norm(same.predict(docs)) == pred, (same.predict(docs), pred)
    print("wheel smoke ok:", topictag.__version__, pred)
    """
)


def _wheel() -> Path:
    env = os.environ.get("TOPICTAG_WHEEL")
    if env:
        p = Path(env)
        assert p.is_file(), f"TOPICTAG_WHEEL={env} does not exist"
        return p
    wheels = sorted((ROOT / "dist").glob("topictag-*.whl"), key=lambda p: p.stat().st_mtime)
    if not wheels:
        pytest.skip("no wheel built (dist/topictag-*.whl): run `bash scripts/build_wheel.sh`, "
                    "or the whole suite with `bash scripts/test.sh`")
    return wheels[-1]


def _env_without_cargo() -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("VIRTUAL_ENV", "PYTHON", "CARGO", "RUSTUP"))}
    keep = [d for d in env.get("PATH", "").split(os.pathsep)
            if d and ".cargo" not in d and not os.path.exists(os.path.join(d, "cargo"))
            and not os.path.exists(os.path.join(d, "rustc"))]
    env["PATH"] = os.pathsep.join(keep)
    assert shutil.which("cargo", path=env["PATH"]) is None
    assert shutil.which("rustc", path=env["PATH"]) is None
    return env


def test_wheel_installs_and_works_without_rust(tmp_path):
    whl = _wheel()
    env = _env_without_cargo()
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=env, timeout=120)
    py = str(venv / "bin" / "python")
    # Binary packages only: nothing may be compiled, so nothing could need Rust.
    subprocess.run(
        [py, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--only-binary=:all:", str(whl)],
        check=True, env=env, timeout=600, cwd=tmp_path,
    )
    probe = subprocess.run([py, "-c", "import shutil; print(shutil.which('cargo'))"],
                           capture_output=True, text=True, env=env, check=True)
    assert probe.stdout.strip() == "None"
    (tmp_path / "smoke.py").write_text(SMOKE)
    r = subprocess.run([py, str(tmp_path / "smoke.py"), str(tmp_path)], capture_output=True,
                       text=True, env=env, timeout=600, cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "wheel smoke ok" in r.stdout
