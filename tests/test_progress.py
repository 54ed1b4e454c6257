"""``topictag._progress``: the progress line of the command line."""

from __future__ import annotations

import io
import time


def test_progress_only_on_a_tty(monkeypatch):
    from topictag import _progress

    class FakeTTY(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.delenv("TOPICTAG_PROGRESS", raising=False)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert not _progress.enabled(io.StringIO())
    assert _progress.enabled(FakeTTY())
    monkeypatch.setenv("TOPICTAG_PROGRESS", "0")
    assert not _progress.enabled(FakeTTY())

    s = FakeTTY()
    with _progress.progress("working", delay=0.0, stream=s, enable=True) as p:
        p.update("step 1/2")
        time.sleep(0.35)
    out = s.getvalue()
    assert "working: step 1/2" in out
    assert out.endswith("\r")  # the line is erased at the end
    quiet = io.StringIO()
    with _progress.progress("working", delay=0.0, stream=quiet):
        time.sleep(0.2)
    assert quiet.getvalue() == ""
    fast = FakeTTY()
    with _progress.progress("working", delay=5.0, stream=fast, enable=True):
        pass
    assert fast.getvalue() == ""
