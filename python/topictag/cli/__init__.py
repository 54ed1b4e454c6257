"""The ``topictag`` command line: train, predict, evaluate, inspect, and a demo.

Run ``topictag --help`` or ``topictag COMMAND --help``. Every error is one line on stderr
(``topictag: error: ...``) with exit status 2 for a usage mistake and 1 for anything else;
``TOPICTAG_DEBUG=1`` shows the full traceback instead.

Modules: ``_args`` (the parser), ``_io`` (input files, outputs, model files, errors),
``_commands`` (train, predict, evaluate, top-terms, explain), ``_demo``.
"""

from __future__ import annotations

import os
import sys
from typing import Optional, Sequence

from ._args import build_parser
from ._io import PROG, CLIError, cli_message, one_line

__all__ = ["main", "build_parser", "CLIError"]


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of the ``topictag`` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.error("a command is required: train, predict, evaluate, top-terms, explain, "
                     "train-keywords, suggest-keywords, demo")
    debug = os.environ.get("TOPICTAG_DEBUG", "") not in ("", "0")
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        if debug:
            raise
        sys.stderr.write(f"{PROG}: interrupted\n")
        return 130
    except BrokenPipeError:
        # the reader went away (e.g. `| head`): stop quietly, as command line tools do
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return 0
    except Exception as e:  # one line, never a traceback (unless TOPICTAG_DEBUG=1)
        if debug:
            raise
        if isinstance(e, (CLIError, ValueError, TypeError, OSError, ImportError, LookupError)):
            msg = cli_message(one_line(e))
            if isinstance(e, FileNotFoundError) and e.filename and str(e.filename) not in msg:
                msg = f"{e.filename}: {msg}"
        else:
            msg = (f"unexpected {type(e).__name__}: {one_line(e)} "
                   "(run with TOPICTAG_DEBUG=1 for the traceback)")
        sys.stderr.write(f"{PROG}: error: {msg}\n")
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
