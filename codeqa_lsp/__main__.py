"""``python -m codeqa_lsp`` is the ``codeqa-lsp`` command."""

import sys

from codeqa_lsp.cli import main

sys.exit(main())
