"""Atomic output: a version directory appears whole or not at all.

Everything is written into a hidden staging directory beside the destination, each file fsynced,
then swapped in with `os.replace`. An interrupted run leaves at most a hidden `.v<N>.partial-*`
directory (removed on the way out when Python is still in control), never a half-written `v<N>`.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_jsonl(path: Path, records: Iterable[Mapping[str, object]]) -> int:
    """Write one JSON object per line (UTF-8, keys in schema order), fsynced. Returns the count."""
    count = 0
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
        handle.flush()
        os.fsync(handle.fileno())
    return count


def write_json(path: Path, data: object) -> None:
    """Write pretty JSON, fsynced."""
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        json.dump(data, handle, ensure_ascii=False, indent=2, sort_keys=False)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())


def write_text(path: Path, text: str) -> None:
    """Write UTF-8 text, fsynced."""
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def publish_version(
    out_dir: Path, version: int, files: Mapping[str, Iterable[Mapping] | object]
) -> Path:
    """Write `files` (relative path → JSON-lines records when the name ends in `.jsonl`, text for
    `.md`, else a JSON value) as `out_dir/v<version>/`, replacing an older copy only once the
    new one is complete."""
    out_dir.mkdir(parents=True, exist_ok=True)
    final = out_dir / f"v{version}"
    staging = Path(tempfile.mkdtemp(prefix=f".v{version}.partial-", dir=out_dir))
    old: Path | None = None
    try:
        staging.chmod(0o777 & ~_umask())  # mkdtemp makes it private; the result should not be
        for name, content in files.items():
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if name.endswith(".jsonl"):
                write_jsonl(target, content)  # type: ignore[arg-type]
            elif name.endswith(".md"):
                write_text(target, str(content))
            else:
                write_json(target, content)
        for directory in sorted({(staging / n).parent for n in files}, reverse=True):
            _fsync_dir(directory)
        if final.exists():
            old = Path(tempfile.mkdtemp(prefix=f".v{version}.old-", dir=out_dir))
            os.replace(final, old / "v")
        os.replace(staging, final)
        _fsync_dir(out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if old is not None and not final.exists():
            os.replace(old / "v", final)  # put the previous version back
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    return final
