"""A tiny progress spinner for the command line, shown only on an interactive terminal.

``with progress("training") as p: ...; p.update("fold 2/5")`` draws ``/ training: fold 2/5
(3 s)`` on stderr, redrawn ten times a second by a background thread, and erases it at the
end. It appears only after ``delay`` seconds (quick work stays silent) and never when stderr
is not a TTY (pipes, files, CI logs) or when ``TOPICTAG_PROGRESS=0``.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import Optional, TextIO

_FRAMES = "|/-\\"


def enabled(stream: Optional[TextIO] = None) -> bool:
    """Whether progress should be drawn on ``stream`` (default: stderr)."""
    stream = stream if stream is not None else sys.stderr
    flag = os.environ.get("TOPICTAG_PROGRESS")
    if flag is not None:
        return flag not in ("0", "", "false", "no")
    try:
        return bool(stream.isatty()) and os.environ.get("TERM") != "dumb" and not os.environ.get(
            "CI"
        )
    except (AttributeError, ValueError):
        return False


class progress:
    """Context manager drawing a spinner with a label, an optional status and elapsed time."""

    def __init__(
        self,
        label: str,
        *,
        delay: float = 1.0,
        stream: Optional[TextIO] = None,
        enable: Optional[bool] = None,
    ) -> None:
        self.label = label
        self.status = ""
        self.delay = delay
        self.stream = stream if stream is not None else sys.stderr
        self.enable = enabled(self.stream) if enable is None else enable
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: Optional[threading.Thread] = None
        self._drawn = 0
        self._start = 0.0

    def update(self, status: str) -> None:
        """Set the status text shown after the label (e.g. ``"fold 2/5"``)."""
        with self._lock:
            self.status = status

    def __enter__(self) -> "progress":
        self._start = time.monotonic()
        if self.enable:
            self._thread = threading.Thread(target=self._run, name="topictag-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        with self._lock:
            self._clear()

    def _clear(self) -> None:
        if self._drawn:
            try:
                self.stream.write("\r" + " " * self._drawn + "\r")
                self.stream.flush()
            except (OSError, ValueError):
                pass
            self._drawn = 0

    def _run(self) -> None:
        if self._stop.wait(self.delay):
            return
        i = 0
        while not self._stop.is_set():
            with self._lock:
                elapsed = time.monotonic() - self._start
                text = f"{_FRAMES[i % len(_FRAMES)]} {self.label}"
                if self.status:
                    text += f": {self.status}"
                text += f" ({elapsed:.0f} s)"
                pad = max(0, self._drawn - len(text))
                try:
                    self.stream.write("\r" + text + " " * pad)
                    self.stream.flush()
                except (OSError, ValueError):
                    return
                self._drawn = len(text)
            i += 1
            self._stop.wait(0.1)
