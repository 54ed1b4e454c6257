"""Helpers shared by the benchmark scripts."""

from __future__ import annotations


def cpu_model(default: str) -> str:
    """The CPU's model name from ``/proc/cpuinfo``, or ``default`` where it cannot be read."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return default
