"""atheris harness: arbitrary bytes -> ``topictag.load``. The only acceptable failure is
``topictag.ModelFormatError``; any other exception, a crash or a hang is a finding.
Each input is loaded as given and again with its last 4 bytes set to the right CRC-32, so
that mutations of the header, the JSON metadata and the payload get past the checksum.

    python fuzz/load_atheris.py -max_total_time=60 fuzz/work/atheris fuzz/corpus/loader

(``scripts/fuzz.sh atheris SECONDS`` does that.) The Python layer is instrumented; the Rust
extension is not (its decoders are covered by the cargo-fuzz `loader` target).
"""

import sys
import zlib

import atheris

with atheris.instrument_imports(include=["topictag"]):
    import topictag


def load(data: bytes) -> None:
    try:
        obj = topictag.load(data)
    except topictag.ModelFormatError:
        return
    repr(obj)


def test_one_input(data: bytes) -> None:
    load(data)
    if len(data) >= 4:
        load(data[:-4] + zlib.crc32(data[:-4]).to_bytes(4, "little"))


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
