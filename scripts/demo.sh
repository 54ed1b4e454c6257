#!/usr/bin/env bash
# The main job on the embedded starter corpus: build and install topictag in ./.venv, then
# train, cross-validate and tag new English and Spanish paragraphs (`topictag demo`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/topictag demo "$@"
