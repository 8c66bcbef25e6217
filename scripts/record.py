#!/usr/bin/env python3
"""Render the piece offline into a video or PNG sequence: the same code as `nebula record`.

python scripts/record.py --seconds 30 --size 1920x1080 --out nebula.mp4
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run from a checkout without installing: the package sits beside this folder.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nebula.cli import main

if __name__ == "__main__":
    sys.exit(main(["record", *sys.argv[1:]]))
