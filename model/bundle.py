"""The on-disk model bundle: safetensors weights, JSON config and tokenizers, a model card.

A bundle is a directory that `load_bundle` trusts only after checking it: the manifest's format
version first, then every listed file's size and sha256, and only then parsing. Weights are read
with safetensors (never pickle), so a hostile or damaged bundle is refused with a `BundleError`
that names the file, says what is wrong and what to do, and runs no code.

Each file is read once into memory, checked, and parsed from those same bytes, so nothing can
change between the check and the parse. Weights are read as numpy arrays (safetensors' numpy
reader): loading a bundle never imports torch. Saving takes torch tensors or numpy arrays.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import json
import os
import re
import shutil
import stat
import sys
import tempfile
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from safetensors import SafetensorError
from safetensors.numpy import load as load_safetensors_bytes
from safetensors.numpy import save as save_safetensors_bytes
from tokenizers import Tokenizer

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CONFIG = "config.json"
GENERATOR_WEIGHTS = "generator.safetensors"
MATCHER_WEIGHTS = "matcher.safetensors"
INTENT_TOKENIZER = "intent_tokenizer.json"
CODE_TOKENIZER = "code_tokenizer.json"
MODEL_CARD = "MODEL_CARD.md"
METRICS = "metrics.json"

REQUIRED_FILES = (
    CONFIG,
    GENERATOR_WEIGHTS,
    MATCHER_WEIGHTS,
    INTENT_TOKENIZER,
    CODE_TOKENIZER,
    MODEL_CARD,
)
OPTIONAL_FILES = (METRICS,)
API_TABLE = "api_table.json"
EXTRA_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}\.(?:json|jsonl|safetensors|txt)")
"""Optional named files beyond the ones above (knowledge the engine uses when present, e.g.
`api_table.json`, a retrieval index): verified by sha256 like the rest, handed over as bytes, and
parsed by whoever uses them. Plain data formats only; a bundle without them loads as before."""
CONFIG_SECTIONS = ("generator", "matcher", "engine")
MAX_MANIFEST_BYTES = 1 << 20
MAX_FILE_BYTES = 1 << 30  # far above any bundle we ship (< 30 MB); bounds memory on bad input

_FIX = "re-export it with `codeqa-train export` or reinstall codeqa-lsp to restore the default"


class BundleError(Exception):
    """A bundle could not be used; the message names the file, the fault and the fix."""


@dataclass(frozen=True)
class Bundle:
    """Everything a loaded bundle holds, parsed and verified; no live networks yet."""

    path: Path
    format_version: int
    created: str
    config: dict[str, Any]
    generator_tensors: dict[str, np.ndarray] = field(repr=False)
    matcher_tensors: dict[str, np.ndarray] = field(repr=False)
    intent_tokenizer: Tokenizer = field(repr=False)
    code_tokenizer: Tokenizer = field(repr=False)
    model_card: str = field(repr=False)
    metrics: dict[str, Any] | None = None
    files: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    extra_files: dict[str, bytes] = field(default_factory=dict, repr=False)

    def extra(self, name: str) -> bytes | None:
        """The verified bytes of optional file `name`, or None when the bundle lacks it."""
        return self.extra_files.get(name)


# ---------------------------------------------------------------------------- loading


def load_bundle(path: str | Path) -> Bundle:
    """Read, verify and parse the bundle in directory `path`; raise `BundleError` if unusable."""
    root = Path(path)
    if not root.is_dir():
        what = "is not a directory" if root.exists() else "does not exist"
        raise BundleError(f"{root}: no model bundle here (the path {what}); {_FIX}")
    manifest_path = root / MANIFEST
    manifest = _parse_json(manifest_path, _read_file(manifest_path, None, MAX_MANIFEST_BYTES))
    version, created, entries = _check_manifest(manifest_path, manifest)

    blobs = {name: _read_checked(root / name, entry) for name, entry in entries.items()}

    config = _parse_json(root / CONFIG, blobs[CONFIG])
    _check_config(root / CONFIG, config)
    metrics = _parse_json(root / METRICS, blobs[METRICS]) if METRICS in blobs else None
    if metrics is not None and not isinstance(metrics, dict):
        raise BundleError(f"{root / METRICS}: expected a JSON object of metrics; {_FIX}")
    return Bundle(
        path=root,
        format_version=version,
        created=created,
        config=config,
        generator_tensors=_parse_safetensors(root / GENERATOR_WEIGHTS, blobs[GENERATOR_WEIGHTS]),
        matcher_tensors=_parse_safetensors(root / MATCHER_WEIGHTS, blobs[MATCHER_WEIGHTS]),
        intent_tokenizer=_parse_tokenizer(root / INTENT_TOKENIZER, blobs[INTENT_TOKENIZER]),
        code_tokenizer=_parse_tokenizer(root / CODE_TOKENIZER, blobs[CODE_TOKENIZER]),
        model_card=_decode(root / MODEL_CARD, blobs[MODEL_CARD]),
        metrics=metrics,
        files=entries,
        extra_files={n: b for n, b in blobs.items() if _is_extra(n)},
    )


def _is_extra(name: str) -> bool:
    known = name in REQUIRED_FILES or name in OPTIONAL_FILES or name == MANIFEST
    return not known and EXTRA_NAME.fullmatch(name) is not None


def _check_manifest(path: Path, manifest: Any) -> tuple[int, str, dict[str, dict[str, Any]]]:
    """Version first (a newer format may differ in every other key), then the file table."""
    if not isinstance(manifest, dict):
        raise BundleError(f"{path}: expected a JSON object; {_FIX}")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise BundleError(
            f"{path}: bundle format version {version!r}, but this codeqa-lsp reads version "
            f"{FORMAT_VERSION}; re-export the bundle with this version's `codeqa-train export`, "
            "or use the codeqa-lsp release that wrote it"
        )
    files = manifest.get("files")
    if not isinstance(files, dict):
        raise BundleError(f"{path}: missing the 'files' table; {_FIX}")
    known = set(REQUIRED_FILES) | set(OPTIONAL_FILES)
    for name, entry in files.items():
        if name not in known and not _is_extra(name):
            raise BundleError(
                f"{path}: lists unknown file {name!r} (expected {sorted(known)} or an optional "
                f"file named like {EXTRA_NAME.pattern})"
            )
        ok = (
            isinstance(entry, dict)
            and isinstance(entry.get("sha256"), str)
            and len(entry["sha256"]) == 64
            and isinstance(entry.get("bytes"), int)
            and entry["bytes"] >= 0
        )
        if not ok:
            raise BundleError(f"{path}: entry for {name!r} needs 'sha256' (hex) and 'bytes'")
    missing = [name for name in REQUIRED_FILES if name not in files]
    if missing:
        raise BundleError(f"{path}: does not list required file(s) {missing}; {_FIX}")
    return version, str(manifest.get("created", "")), {n: dict(e) for n, e in files.items()}


def _read_checked(path: Path, entry: Mapping[str, Any]) -> bytes:
    """The file's bytes, if their size and sha256 match the manifest."""
    expected = int(entry["bytes"])
    data = _read_file(path, expected, MAX_FILE_BYTES)
    digest = hashlib.sha256(data).hexdigest()
    if digest != str(entry["sha256"]).lower():
        raise BundleError(
            f"{path}: sha256 {digest} does not match the manifest's {entry['sha256']}; "
            f"the file was modified or corrupted; {_FIX}"
        )
    return data


def _read_file(path: Path, expected: int | None, limit: int) -> bytes:
    """Read a regular file of at most `limit` bytes (exactly `expected` when given).

    Opened non-blocking and checked on the open descriptor, so a FIFO or device put in the
    bundle is refused instead of hanging the server, and the checked file is the one read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            os.close(fd)
            raise BundleError(f"{path}: not a regular file; {_FIX}")
        with os.fdopen(fd, "rb") as handle:
            size = info.st_size
            if expected is not None and size != expected:
                how = "truncated" if size < expected else "longer than expected"
                raise BundleError(
                    f"{path}: {size} bytes but the manifest says {expected} (file {how}); {_FIX}"
                )
            if size > limit:
                raise BundleError(f"{path}: {size} bytes, more than the {limit} allowed")
            data = handle.read(limit + 1)
    except FileNotFoundError:
        raise BundleError(f"{path}: missing from the bundle; {_FIX}") from None
    except PermissionError:
        raise BundleError(
            f"{path}: permission denied; make the bundle readable by this user "
            "(e.g. `chmod -R u+rX` on the bundle directory)"
        ) from None
    except OSError as exc:
        raise BundleError(f"{path}: cannot read ({exc.strerror or exc}); {_FIX}") from None
    if expected is not None and len(data) != expected:
        raise BundleError(f"{path}: changed size while being read; try again")
    return data


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BundleError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def _parse_json(path: Path, data: bytes) -> Any:
    try:
        return json.loads(_decode(path, data))
    except json.JSONDecodeError as exc:
        raise BundleError(
            f"{path}: invalid JSON at line {exc.lineno} column {exc.colno} ({exc.msg}); {_FIX}"
        ) from None


def _check_config(path: Path, config: Any) -> None:
    if not isinstance(config, dict):
        raise BundleError(f"{path}: expected a JSON object; {_FIX}")
    for section in CONFIG_SECTIONS:
        if not isinstance(config.get(section), dict):
            raise BundleError(f"{path}: missing the {section!r} section (a JSON object); {_FIX}")


def _parse_safetensors(path: Path, data: bytes) -> dict[str, np.ndarray]:
    """Parse weights with the safetensors reader, which never executes anything."""
    try:
        tensors = load_safetensors_bytes(data)
    except (SafetensorError, ValueError, RuntimeError, OSError) as exc:
        raise BundleError(
            f"{path}: not a valid safetensors file ({exc}); bundles never contain pickles; {_FIX}"
        ) from None
    if not tensors:
        raise BundleError(f"{path}: holds no tensors; {_FIX}")
    return tensors


def _parse_tokenizer(path: Path, data: bytes) -> Tokenizer:
    text = _decode(path, data)
    try:
        return Tokenizer.from_str(text)
    except Exception as exc:  # the Rust library raises a bare Exception on any bad JSON
        raise BundleError(f"{path}: not a valid tokenizer JSON ({exc}); {_FIX}") from None


# ---------------------------------------------------------------------------- saving


def save_bundle(
    out_dir: str | Path,
    *,
    config: Mapping[str, Any],
    generator_tensors: Mapping[str, Any],
    matcher_tensors: Mapping[str, Any],
    intent_tokenizer: Tokenizer,
    code_tokenizer: Tokenizer,
    model_card: str,
    metrics: Mapping[str, Any] | None = None,
    created: str | None = None,
    extra_files: Mapping[str, bytes] | None = None,
) -> Path:
    """Write a complete bundle to `out_dir`, atomically.

    Files go to a temporary directory beside `out_dir`, each fsynced, the manifest last; the
    directory then takes `out_dir`'s place in one rename (an exchange when replacing an existing
    bundle, where the OS offers one). A crash at any point leaves the old bundle as it was.
    """
    target = Path(out_dir).resolve()
    _check_config(target / CONFIG, dict(config))
    _check_replaceable(target)
    blobs: dict[str, bytes] = {
        CONFIG: _json_bytes(config),
        GENERATOR_WEIGHTS: _safetensors_bytes(generator_tensors),
        MATCHER_WEIGHTS: _safetensors_bytes(matcher_tensors),
        INTENT_TOKENIZER: intent_tokenizer.to_str().encode("utf-8"),
        CODE_TOKENIZER: code_tokenizer.to_str().encode("utf-8"),
        MODEL_CARD: model_card.encode("utf-8"),
    }
    if metrics is not None:
        blobs[METRICS] = _json_bytes(metrics)
    for name, data in (extra_files or {}).items():
        if not _is_extra(name):
            raise BundleError(
                f"{name!r}: not a valid optional file name (expected {EXTRA_NAME.pattern}, "
                "not one of the bundle's own files)"
            )
        blobs[name] = bytes(data)
    manifest = {
        "format_version": FORMAT_VERSION,
        "created": created or datetime.now(UTC).replace(microsecond=0).isoformat(),
        "files": {
            name: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
            for name, data in sorted(blobs.items())
        },
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes it private; a bundle is meant to be shared
    try:
        for name, data in blobs.items():
            _write_file(tmp / name, data)
        _write_file(tmp / MANIFEST, _json_bytes(manifest))
        _fsync_dir(tmp)
        _swap_into_place(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def _check_replaceable(target: Path) -> None:
    """Refuse to overwrite anything that is not a bundle (e.g. `--out ~` by mistake)."""
    if not target.exists():
        return
    if not target.is_dir():
        raise BundleError(f"{target}: exists and is not a directory; choose another --out")
    if any(target.iterdir()) and not (target / MANIFEST).is_file():
        raise BundleError(
            f"{target}: a non-empty directory without {MANIFEST}; refusing to replace "
            "something that is not a bundle; choose another --out"
        )


def _json_bytes(obj: Mapping[str, Any]) -> bytes:
    return (json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def _safetensors_bytes(tensors: Mapping[str, Any]) -> bytes:
    """torch tensors or numpy arrays as safetensors bytes (the same bytes either way: torch's
    writer stores each tensor's raw little-endian data, as numpy's does)."""
    if not tensors:
        raise ValueError("no tensors to save")
    plain = {name: _numpy_copy(t) for name, t in tensors.items()}
    return save_safetensors_bytes(plain, metadata={"format": "pt"})


def _numpy_copy(tensor: Any) -> np.ndarray:
    """A private, contiguous numpy copy of a numpy array or a (CPU or not) torch tensor."""
    if hasattr(tensor, "detach"):  # a torch tensor; torch stays the caller's import
        tensor = tensor.detach().to("cpu").contiguous().numpy()
    return np.array(tensor, copy=True, order="C")


def _write_file(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # not every filesystem lets a directory be fsynced
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _swap_into_place(tmp: Path, target: Path) -> None:
    """Put `tmp` at `target`; afterwards `tmp` holds the old bundle (if any) for removal."""
    if not target.exists():
        os.rename(tmp, target)
    elif not _exchange(tmp, target):
        old = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:8]}")
        os.rename(target, old)
        os.rename(tmp, target)
        os.rename(old, tmp)
    _fsync_dir(target.parent)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with Linux renameat2(RENAME_EXCHANGE); False if unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    rc = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))
