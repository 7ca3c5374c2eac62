"""Standard-library modules that current Pythons no longer ship, so a suggestion never brings
one in: the API table is read from Python 3.11, whose documentation still lists them.

PEP 632 removed `distutils` in 3.12 (and `numpy.distutils` goes with it), which also dropped
`imp`, `asynchat`, `asyncore` and `smtpd`; PEP 594 removed the "dead batteries" in 3.13, and
`lib2to3` went in 3.13 too. A file that already imports one runs on a Python that has it, so
only modules the candidate itself would import are judged.
"""

from __future__ import annotations

# module (top-level, or a package path) → the Python release that no longer has it
REMOVED = {
    **dict.fromkeys(
        ("distutils", "numpy.distutils", "imp", "asynchat", "asyncore", "smtpd"), "3.12"
    ),
    **dict.fromkeys(
        (
            "aifc", "audioop", "cgi", "cgitb", "chunk", "crypt", "imghdr", "mailcap", "msilib",
            "nis", "nntplib", "ossaudiodev", "pipes", "sndhdr", "spwd", "sunau", "telnetlib",
            "uu", "xdrlib", "lib2to3",
        ),
        "3.13",
    ),
}  # fmt: skip


def removed_in(module: str) -> str | None:
    """The Python release that no longer has `module` (a dotted path), or None."""
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        found = REMOVED.get(".".join(parts[:end]))
        if found is not None:
            return found
    return None
