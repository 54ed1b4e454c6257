#!/usr/bin/env bash
# Build the release wheel: one abi3 manylinux2014 (glibc >= 2.17) wheel for every CPython from
# 3.9 on, installable without Rust. No Docker: maturin links with zig (from the `ziglang`
# PyPI package). The tools go into ./.venv-build (scripts/build-requirements.txt); the wheel
# into dist/ (older topictag wheels there are removed first). Then the wheel's tag and the
# glibc symbol versions of its extension module are checked.
# Usage: scripts/build_wheel.sh [extra maturin build args]
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
stage() { echo "== build_wheel: $*"; }
if ! command -v cargo >/dev/null 2>&1; then
    [ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
fi
command -v cargo >/dev/null 2>&1 || { echo "building a wheel needs a Rust toolchain (cargo): see https://rustup.rs" >&2; exit 1; }

stage "build tools into .venv-build (maturin, ziglang, auditwheel)"
[ -x .venv-build/bin/python ] || "$PY" -m venv .venv-build
.venv-build/bin/python -m pip install --quiet --disable-pip-version-check -r scripts/build-requirements.txt
export PATH="$PWD/.venv-build/bin:$PATH"

stage "maturin build --release --zig --compatibility manylinux2014 (cargo's progress follows)"
mkdir -p dist
rm -f dist/topictag-*.whl
# Builds land in target/<host triple>/release (given explicitly, whatever maturin's default).
triple="$(rustc -vV | sed -n 's/^host: //p')"
maturin build --release --zig --compatibility manylinux2014 --target "$triple" \
    --interpreter "$PY" --out dist "$@"

whl=$(ls dist/topictag-*.whl)
[ "$(echo "$whl" | wc -l)" = 1 ] || { echo "expected one wheel in dist/, found: $whl" >&2; exit 1; }

stage "check $whl"
case "$(basename "$whl")" in
    *-cp39-abi3-manylinux_2_17_*|*-cp39-abi3-manylinux2014_*) ;;
    *) echo "unexpected wheel tag (want cp39-abi3-manylinux_2_17): $whl" >&2; exit 1 ;;
esac
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
.venv-build/bin/python - "$whl" "$tmp" <<'PY'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
wheel = [n for n in z.namelist() if n.endswith(".dist-info/WHEEL")][0]
print("".join(l for l in z.read(wheel).decode().splitlines(True) if l.startswith("Tag:")), end="")
z.extractall(sys.argv[2], [n for n in z.namelist() if n.startswith("topictag/_core") and n.endswith(".so")])
PY
auditwheel show "$whl" | tr '\n' ' ' | sed 's/  */ /g'; echo
# Highest GLIBC_x.y symbol version the extension needs; must be <= 2.17 (manylinux2014).
so=$(ls "$tmp"/topictag/_core*.so)
if command -v objdump >/dev/null 2>&1; then
    syms=$(objdump -T "$so")
else
    syms=$(readelf --dyn-syms -W "$so")
fi
max=$(echo "$syms" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -t. -k1,1n -k2,2n -k3,3n -u | tail -1)
echo "highest glibc symbol version needed by $(basename "$so"): ${max:-none}"
if [ -n "$max" ] && [ "$(printf '%s\n2.17\n' "$max" | sort -t. -k1,1n -k2,2n -k3,3n | tail -1)" != "2.17" ]; then
    echo "the extension needs GLIBC_$max, newer than manylinux2014's 2.17" >&2; exit 1
fi
stage "done: $whl"
