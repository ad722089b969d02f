"""`python -m proxi COMMAND`: the command line lives in `proxi.cli`."""

import sys

from proxi.cli import main

if __name__ == "__main__":
    sys.exit(main())
