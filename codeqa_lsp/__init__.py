"""codeqa-lsp: a language server that turns ``# intent:`` comments into Python code."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("codeqa-lsp")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
