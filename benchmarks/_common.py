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


def status_mb(field: str):
    """A ``/proc/self/status`` field in MiB (``VmRSS``, ``VmHWM``), or None without /proc."""
    try:
        for line in open("/proc/self/status"):
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        return None
    return None


def reset_peak() -> bool:
    """Resets the kernel's peak-RSS counter (``/proc/self/clear_refs`` = 5); False where it
    cannot, and ``VmHWM`` is then no measure of what follows."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return status_mb("VmHWM") is not None
    except OSError:
        return False
