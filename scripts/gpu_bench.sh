#!/usr/bin/env bash
# The bench on an NVIDIA GPU: checks the EGL device, then runs
#   nebula bench --json --only render,record --sizes 2160p,4320p
# and an 8K 60 fps recording through NVENC (scripts/gpu_bench.py), into one JSON file, and
# prints frame_ms, fps and the GL renderer. On a machine without an NVIDIA GPU it says so in
# one line and exits 0 (CI runs it on the CPU).
#
#   bash scripts/gpu_bench.sh [OUT.json]        # default gpu_bench.json
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-gpu_bench.json}
if ! command -v nvidia-smi >/dev/null 2>&1 || ! gpu=$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -1) || [ -z "$gpu" ]; then
  echo "gpu_bench: no NVIDIA GPU here (nvidia-smi finds none): nothing to measure"
  exit 0
fi
echo "gpu_bench: $gpu"
bash scripts/setup.sh  # the two README commands' install: system packages and .venv
exec .venv/bin/python scripts/gpu_bench.py --gpu "$gpu" --out "$out"
