"""`python -m codeqa_train.matcher_data`: write the matcher's pairs (see `build`)."""

import sys

from codeqa_train.matcher_data.build import main

sys.exit(main())
