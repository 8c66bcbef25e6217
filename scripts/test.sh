#!/usr/bin/env bash
# Install what is missing, then run the whole test suite. GL tests render headless through EGL;
# window tests need an X display, so without one the suite runs inside Xvfb. Two workers
# (pytest-xdist; NEBULA_TEST_WORKERS to change, `-n 0` for one process): each has its own GL
# context, JACK server and X displays, and the suite takes about half the time on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
workers=${NEBULA_TEST_WORKERS:-2}
if [ -z "${DISPLAY:-}" ]; then
  exec xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python -m pytest -n "$workers" "$@"
fi
exec .venv/bin/python -m pytest -n "$workers" "$@"
