#!/usr/bin/env bash
# The whole test suite on a fresh machine. The Rust crate is compiled for release once, as the
# wheel (scripts/build_wheel.sh: abi3, manylinux2014, into dist/); then
#   1. cargo test, in the same target dir, --target and profile, so the dependencies compiled
#      for the wheel are reused (the test harness of the crate itself is compiled anew);
#   2. ./.venv-test gets that wheel plus the test extras (and atheris), and the fuzz tools are
#      installed and the fuzz targets built (scripts/fuzz.sh);
#   3. pytest: the Python tests (notebooks included), the wheel smoke test in a fresh venv
#      without Rust, and 60-second fuzz runs.
# Developers' ./.venv (scripts/setup.sh, editable) is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
t0=$SECONDS
stage() { echo "== test.sh [$((SECONDS - t0)) s]: $*"; }
if ! command -v cargo >/dev/null 2>&1; then . "$HOME/.cargo/env"; fi

stage "build the wheel"
bash scripts/build_wheel.sh
whl=$(ls dist/topictag-*.whl)
triple="$(rustc -vV | sed -n 's/^host: //p')"

stage "cargo test (reusing the wheel build's target dir)"
cargo test --release --locked --target "$triple"

stage "test venv .venv-test: $(basename "$whl") + test extras + atheris"
[ -x .venv-test/bin/python ] || "$PY" -m venv .venv-test
pip=(.venv-test/bin/python -m pip install --quiet --disable-pip-version-check)
"${pip[@]}" --upgrade pip
"${pip[@]}" "$whl[test]" "atheris>=2.3"
"${pip[@]}" --force-reinstall --no-deps "$whl"

stage "fuzz tools and targets"
bash scripts/fuzz.sh build

stage "pytest"
TOPICTAG_WHEEL="$PWD/$whl" MPLBACKEND=Agg .venv-test/bin/python -m pytest -q tests "$@"
stage "done"
