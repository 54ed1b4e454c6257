"""atheris harness: arbitrary bytes -> ``topictag.load``. The only acceptable failure is
``topictag.ModelFormatError``; any other exception, a crash or a hang is a finding.

    python fuzz/load_atheris.py -max_total_time=60 fuzz/work/atheris fuzz/corpus/loader

(``scripts/fuzz.sh atheris SECONDS`` does that.) The Python layer is instrumented; the Rust
extension is not (its decoders are covered by the cargo-fuzz `loader` target).
"""

import sys

import atheris

with atheris.instrument_imports(include=["topictag"]):
    import topictag


def test_one_input(data: bytes) -> None:
    try:
        obj = topictag.load(data)
    except topictag.ModelFormatError:
        return
    repr(obj)


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
