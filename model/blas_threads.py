"""How many threads numpy's BLAS (OpenBLAS, as numpy's wheels bundle it) may use.

Why: the engine multiplies a handful of rows at a time (a beam step, a batch of scores), and
OpenBLAS starts one thread per core by default. On a 2-core machine with other work on it a
128 x 4,000 matrix-vector product then took 11.7 ms instead of 0.09 ms (threads waking and
waiting cost more than the product). `Engine.load` gives numpy the same thread count as torch.
Nothing is imported or run from outside numpy's own package: the library numpy already loaded
is looked up next to it, and only its thread setter is called.
"""

from __future__ import annotations

import ctypes
from pathlib import Path

import numpy as np

# The setter's name in the OpenBLAS builds numpy's wheels ship (64-bit integer interface,
# symbols prefixed `scipy_`), then plain OpenBLAS names.
_SETTERS = (
    "scipy_openblas_set_num_threads64_",
    "scipy_openblas_set_num_threads",
    "openblas_set_num_threads64_",
    "openblas_set_num_threads",
)


def _numpy_openblas() -> list[Path]:
    """OpenBLAS libraries bundled with numpy (`numpy.libs/` beside the package on Linux)."""
    package = Path(np.__file__).resolve().parent
    found: list[Path] = []
    for folder in (package.parent / "numpy.libs", package / ".dylibs"):
        if folder.is_dir():
            found += sorted(p for p in folder.iterdir() if "openblas" in p.name.lower())
    return found


def set_blas_threads(threads: int) -> bool:
    """Limit numpy's bundled OpenBLAS to `threads` threads; False when there is none to set
    (another BLAS, or a numpy built against the system's: its own settings apply)."""
    if threads < 1:
        raise ValueError(f"threads must be >= 1, got {threads}")
    for path in _numpy_openblas():
        try:
            lib = ctypes.CDLL(str(path))
        except OSError:
            continue
        for name in _SETTERS:
            setter = getattr(lib, name, None)
            if setter is not None:
                setter.argtypes = [ctypes.c_int]
                setter.restype = None
                setter(threads)
                return True
    return False
