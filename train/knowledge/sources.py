"""Where the mined sources live and what they are (package, version, licence), found from
installed metadata and paths only — no module is imported to find it."""

from __future__ import annotations

import importlib.metadata as md
import sys
import sysconfig
from dataclasses import asdict, dataclass
from pathlib import Path

PINNED_PACKAGES: dict[str, tuple[str, ...]] = {
    "numpy": ("numpy",),
    "pandas": ("pandas",),
    "requests": ("requests",),
    "python-dateutil": ("dateutil",),
    "PyYAML": ("yaml",),
    "matplotlib": ("matplotlib",),
    "tqdm": ("tqdm",),
    "beautifulsoup4": ("bs4",),
}
"""Widely used PyPI distributions (pinned in pyproject's `train` extra) → the packages a user
imports from them. Their sources are read with `ast`."""

DEFAULT_HTML_DOCS = Path("/usr/share/doc/python3.11/html")


@dataclass(frozen=True)
class SourceInfo:
    """One mined source as the data report lists it."""

    name: str
    package: str
    version: str
    licence: str
    path: str

    def to_json(self) -> dict[str, str]:
        return asdict(self)


def stdlib_dir() -> Path:
    return Path(sysconfig.get_paths()["stdlib"])


def stdlib_source() -> SourceInfo:
    version = ".".join(str(v) for v in sys.version_info[:3])
    return SourceInfo("stdlib", "cpython", version, "PSF-2.0", str(stdlib_dir()))


def licence_of(dist: md.Distribution) -> str:
    """The licence a distribution declares (SPDX expression, short field, or classifier)."""
    meta = dist.metadata
    expression = meta.get("License-Expression")
    if expression:
        return str(expression)
    short = (meta.get("License") or "").strip().splitlines()
    if short and len(short[0]) <= 60 and len(short) == 1:
        return short[0]
    classifiers = [c for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
    if classifiers:
        return classifiers[0].split("::")[-1].strip()
    return short[0][:60] if short else "unknown"


def package_roots(dist_name: str, imports: tuple[str, ...]) -> list[tuple[str, Path]]:
    """(import name, directory) of each package `dist_name` installs; [] when not installed."""
    try:
        dist = md.distribution(dist_name)
    except md.PackageNotFoundError:
        return []
    out = []
    for name in imports:
        root = Path(str(dist.locate_file(name)))
        if (root / "__init__.py").is_file():
            out.append((name, root))
    return out


def package_source(dist_name: str) -> SourceInfo | None:
    try:
        dist = md.distribution(dist_name)
    except md.PackageNotFoundError:
        return None
    root = Path(str(dist.locate_file("")))
    return SourceInfo(f"pypi:{dist_name}", dist_name, dist.version, licence_of(dist), str(root))


def typeshed_dir(root: Path | None = None) -> tuple[Path, SourceInfo] | None:
    """typeshed's stubs: `root` when given, else the copy jedi (a `train` dependency) vendors,
    found via its metadata."""
    if root is not None:
        if not (root / "stdlib").is_dir():
            return None
        return root, SourceInfo("typeshed", "typeshed", "local", "Apache-2.0", str(root))
    try:
        dist = md.distribution("jedi")
    except md.PackageNotFoundError:
        return None
    root = Path(str(dist.locate_file("jedi/third_party/typeshed")))
    if not (root / "stdlib").is_dir():
        return None
    info = SourceInfo(
        "typeshed",
        f"typeshed (vendored by jedi {dist.version})",
        dist.version,
        "Apache-2.0",
        str(root),
    )
    return root, info
