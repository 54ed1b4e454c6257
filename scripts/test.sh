#!/usr/bin/env bash
# The whole test suite on a fresh machine: Rust unit and property tests, then the Python
# tests (including the notebooks) against a fresh build in ./.venv.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
if ! command -v cargo >/dev/null 2>&1; then . "$HOME/.cargo/env"; fi
echo "== cargo test"
cargo test --release --locked
echo "== pytest"
MPLBACKEND=Agg .venv/bin/python -m pytest -q tests "$@"
