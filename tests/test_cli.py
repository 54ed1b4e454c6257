"""The ``topictag`` command line (``topictag.cli``): the parser, the entry point, input files
and one-line errors, end to end in subprocesses (``python -m topictag``). The commands'
own tests are in test_cli_commands.py and test_cli_demo.py."""

from __future__ import annotations

import pytest

from cli_helpers import COMMANDS, assert_one_line_error, run  # tests/cli_helpers.py


@pytest.mark.parametrize("cmd", COMMANDS)
def test_help_of_each_command(cmd):
    r = run(cmd, "--help")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"usage: topictag {cmd}")


def test_top_level_help_and_version():
    r = run("--help")
    assert r.returncode == 0
    for cmd in COMMANDS:
        assert cmd in r.stdout
    r = run("--version")
    assert r.returncode == 0 and r.stdout.startswith("topictag ")


def test_usage_errors_exit_2():
    assert_one_line_error(run(), "a command is required", code=2)
    assert_one_line_error(run("train"), "required", code=2)
    assert_one_line_error(run("frobnicate"), "invalid choice", code=2)
    assert_one_line_error(run("predict", "m.ttm", "--top-k", "many"), "--top-k", code=2)


def test_main_in_process(tmp_path, capsys):
    # the `topictag` console script calls topictag.cli:main, as `python -m topictag` does
    from topictag.cli import main

    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0
    assert main(["predict", str(tmp_path / "none.ttm")]) == 1
    assert capsys.readouterr().err.startswith("topictag: error: ")


def test_bad_files(cli_work, tmp_path):
    d, _ = cli_work
    model = d / "model.ttm"
    assert_one_line_error(run("train", tmp_path / "nope.csv", "-o", tmp_path / "m.ttm"),
                          "nope.csv", "no such file")
    assert_one_line_error(run("predict", tmp_path / "nope.ttm", d / "test.csv"), "nope.ttm")
    assert_one_line_error(run("train", d / "test.csv", "-o", tmp_path / "m.ttm",
                              "--label-col", "topic"), "'topic'", "available columns")
    bad = tmp_path / "bad.csv"
    bad.write_text("text,label\nfine,ceasefire\nno label here\n", encoding="utf-8")
    assert_one_line_error(run("train", bad, "-o", tmp_path / "m.ttm"), "line 3")
    assert not (tmp_path / "m.ttm").exists()
    # a corrupted model: a flipped byte in the middle, then a truncated file, then not a model
    data = bytearray(model.read_bytes())
    data[len(data) // 2] ^= 0xFF
    corrupt = tmp_path / "corrupt.ttm"
    corrupt.write_bytes(bytes(data))
    assert_one_line_error(run("predict", corrupt, d / "test.csv"), "corrupt.ttm")
    corrupt.write_bytes(model.read_bytes()[:100])
    assert_one_line_error(run("evaluate", corrupt, d / "test.csv"), "corrupt.ttm")
    corrupt.write_text("hello", encoding="utf-8")
    assert_one_line_error(run("top-terms", corrupt), "corrupt.ttm")
    assert_one_line_error(run("predict", model, d), "directory")
    assert_one_line_error(run("predict", model, input=""), "no documents")
    assert_one_line_error(run("train", d / "test.csv", "-o", tmp_path / "no" / "dir" / "m.ttm",
                              "--label-sep", "|"), "does not exist")


def test_debug_shows_traceback(cli_work, tmp_path):
    d, _ = cli_work
    bad = tmp_path / "x.ttm"
    bad.write_text("junk", encoding="utf-8")
    r = run("predict", bad, input="text\n", env={"TOPICTAG_DEBUG": "1"})
    assert r.returncode != 0 and "Traceback" in r.stderr
