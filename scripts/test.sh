#!/usr/bin/env bash
# Install what is missing, then run the whole test suite. GL tests render headless through EGL;
# window tests need an X display, so without one the suite runs inside Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -z "${DISPLAY:-}" ]; then
  exec xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python -m pytest "$@"
fi
exec .venv/bin/python -m pytest "$@"
