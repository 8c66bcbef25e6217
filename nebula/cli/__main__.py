"""`python -m nebula.cli ...` is the `nebula` command."""

import sys

from nebula.cli import main

sys.exit(main())
