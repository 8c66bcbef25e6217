#!/usr/bin/env bash
# Install what is missing, then open the piece. Any arguments go to `nebula`, e.g.
#   ./scripts/run.sh --fullscreen --preset dawn
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/nebula "$@"
