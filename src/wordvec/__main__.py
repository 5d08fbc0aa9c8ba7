"""``python -m wordvec``: the same as the ``wordvec`` command."""

import sys

from wordvec.cli import main

if __name__ == "__main__":
    sys.exit(main())
