"""Where bundles live: the default one shipped inside the package, a user's own under platformdirs.

Kept apart from `bundle.py` so the server can resolve a setting like `"my-model"` to a directory
without importing torch.
"""

from __future__ import annotations

import re
from pathlib import Path

import platformdirs

APP_NAME = "codeqa-lsp"
_BUNDLE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def default_bundle_dir() -> Path:
    """The bundle committed under `model/default/`, used unless the user names another."""
    return Path(__file__).resolve().parent / "default"


def user_bundles_dir() -> Path:
    """Parent directory of a user's own bundles (created by `codeqa-train export --out`)."""
    return Path(platformdirs.user_data_dir(APP_NAME)) / "bundles"


def user_bundle_dir(name: str) -> Path:
    """Directory of the user bundle called `name`; names are plain so they cannot escape the dir."""
    if not _BUNDLE_NAME.fullmatch(name) or name in {".", ".."}:
        raise ValueError(
            f"bad bundle name {name!r}: use 1-64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return user_bundles_dir() / name


def resolve_bundle(spec: str | Path | None) -> Path:
    """Turn a setting into a bundle directory.

    None or "" → the default bundle; an existing path or anything with a path separator → that
    path; otherwise a plain name → the user bundle of that name.
    """
    if spec is None or str(spec) == "":
        return default_bundle_dir()
    path = Path(spec).expanduser()
    if isinstance(spec, Path) or path.exists() or "/" in str(spec) or "\\" in str(spec):
        return path
    return user_bundle_dir(str(spec))
