"""Benchmarks of codeqa-lsp against jedi-language-server, through the real stdio transport."""
