import sys

from codeqa_train.cli import main

sys.exit(main())
