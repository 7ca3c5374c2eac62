"""A description of the machine a benchmark ran on, for the header of RESULTS.md.

Read from /proc and package metadata only (torch is not imported for its version), so it is
cheap and can be taken before the servers start.
"""

from __future__ import annotations

import os
import platform
import sys
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

__all__ = ["describe_machine"]

_PACKAGES = ("torch", "pygls", "lsprotocol", "jedi-language-server", "jedi", "codeqa-lsp")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gib() -> float | None:
    try:
        import psutil
    except ImportError:
        return None
    return psutil.virtual_memory().total / 2**30


def _package(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def describe_machine() -> dict[str, str]:
    """Ordered facts: date, CPU, cores, RAM, load, OS, Python and package versions."""
    ram = _ram_gib()
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    facts = {
        "date": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "cpu": _cpu_model(),
        "cores": str(os.cpu_count()),
        "usable cores": str(len(os.sched_getaffinity(0)))
        if hasattr(os, "sched_getaffinity")
        else "",
        "ram": f"{ram:.1f} GiB" if ram is not None else "?",
        "load average at start": " / ".join(f"{x:.2f}" for x in load) if load else "?",
        "os": platform.platform(),
        "python": sys.version.split()[0],
    }
    facts.update({name: _package(name) for name in _PACKAGES})
    return facts
