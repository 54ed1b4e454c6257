#!/usr/bin/env bash
# The whole test suite on a fresh machine. The extension is compiled once, as the release
# wheel (scripts/build_wheel.sh: abi3, manylinux2014, into dist/), and the Python tests use
# that wheel (no second, editable build); then
#   1. cargo test --release (same target dir and profile; it still compiles the crate's test
#      harness and, because maturin's zig build runs cargo under cargo-zigbuild's settings
#      (target-applies-to-host off, zig linker) which change every unit's hash, the
#      dependencies once more: see docs/DEVELOPING.md);
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

stage "cargo test"
cargo test --release --locked

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
