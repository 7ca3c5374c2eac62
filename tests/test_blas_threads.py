"""numpy's bundled OpenBLAS follows the engine's thread count (see model/blas_threads.py)."""

from __future__ import annotations

import ctypes

import pytest
from codeqa_model.blas_threads import _numpy_openblas, set_blas_threads


def _getter() -> ctypes._CFuncPtr | None:
    for path in _numpy_openblas():
        lib = ctypes.CDLL(str(path))
        for name in ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads"):
            found = getattr(lib, name, None)
            if found is not None:
                found.restype = ctypes.c_int
                return found
    return None


def test_the_thread_count_reaches_numpys_openblas() -> None:
    get = _getter()
    if get is None:
        pytest.skip("this numpy bundles no OpenBLAS")
    before = get()
    try:
        assert set_blas_threads(1)
        assert get() == 1
    finally:
        set_blas_threads(max(1, before))


def test_a_thread_count_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="threads must be >= 1"):
        set_blas_threads(0)
