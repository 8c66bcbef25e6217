"""`python -m nebula ...` is the `nebula` command."""

import sys

from nebula.cli import main

if __name__ == "__main__":  # run, not imported (by a tool that loads the package's modules)
    sys.exit(main())
