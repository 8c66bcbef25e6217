"""`python -m nebula ...` is the `nebula` command."""

import sys

from nebula.cli import main

if __name__ == "__main__":  # not when a spawned helper (the OSC receiver) imports it
    sys.exit(main())
