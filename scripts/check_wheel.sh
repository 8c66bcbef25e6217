#!/usr/bin/env bash
# The package as users install it: build the wheel and the sdist, install the wheel into a fresh
# virtual environment outside the checkout, and from another folder check that it works:
# --version, a still byte-identical to the editable install's, half a second of h264 that PyAV
# reads back, a shipped preset by name, the live window under Xvfb, and --ndi and --listen
# naming their extras where they are not installed. Prints the wheel's size
# and file count. Needs .venv (scripts/setup.sh) for the editable side of the comparison.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
work=$(mktemp -d /tmp/nebula-wheel-XXXXXX)
trap 'rm -rf "$work"' EXIT

.venv/bin/python -m pip install -q "build>=1.0"
.venv/bin/python -m build -q --outdir "$work/dist" . >"$work/build.log" 2>&1 \
  || { cat "$work/build.log"; echo "check_wheel: the build failed"; exit 1; }
wheel=$(ls "$work"/dist/nebula-*.whl)
sdist=$(ls "$work"/dist/nebula-*.tar.gz)
files=$(.venv/bin/python -c "import sys, zipfile; print(len(zipfile.ZipFile(sys.argv[1]).namelist()))" "$wheel")
echo "check_wheel: $(basename "$wheel"): $(stat -c %s "$wheel") bytes, $files files; $(basename "$sdist"): $(stat -c %s "$sdist") bytes"
for must in nebula/shaders/sky.frag nebula/shaders/lib/safe.glsl nebula/assets/hotkeys.toml nebula/assets/presets/dawn.toml; do
  .venv/bin/python -c "import sys, zipfile; sys.exit(sys.argv[2] not in zipfile.ZipFile(sys.argv[1]).namelist())" "$wheel" "$must" \
    || { echo "check_wheel: $must is missing from the wheel"; exit 1; }
done
tar tzf "$sdist" >"$work/sdist.txt"
grep -q "/shaders/sky.frag$" "$work/sdist.txt" || { echo "check_wheel: the sdist has no shaders/"; exit 1; }

python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -q --upgrade pip >/dev/null
"$work/venv/bin/python" -m pip install -q "$wheel"
nebula="$work/venv/bin/nebula"
mkdir "$work/elsewhere"
cd "$work/elsewhere"   # not the checkout: nothing beside it to fall back on

"$nebula" --version | grep -q "^nebula [0-9]" || { echo "check_wheel: --version"; exit 1; }
"$nebula" still --time 150 --size 64x36 --seed 3 --out wheel.png >/dev/null
"$repo/.venv/bin/nebula" still --time 150 --size 64x36 --seed 3 --out editable.png >/dev/null
cmp wheel.png editable.png || { echo "check_wheel: the wheel's still differs from the editable install's"; exit 1; }
"$nebula" record --seconds 0.5 --fps 30 --size 64x36 --start 100 --out half.mp4 >/dev/null
"$work/venv/bin/python" - <<'EOF'
import av
with av.open("half.mp4") as c:
    frames = list(c.decode(video=0))
assert len(frames) == 15 and (frames[0].width, frames[0].height) == (64, 36), len(frames)
EOF
"$nebula" still --time 30 --size 64x36 --preset dawn --out dawn.png >/dev/null
[ "$(cmp -s dawn.png wheel.png; echo $?)" = 1 ] || { echo "check_wheel: preset dawn changed nothing"; exit 1; }
if [ -z "${DISPLAY:-}" ]; then
  xvfb-run -a -s "-screen 0 320x180x24" "$nebula" run --size 160x90 --exit-after 2 >run.txt
else
  "$nebula" run --size 160x90 --exit-after 2 >run.txt
fi
grep -q "frames in" run.txt || { echo "check_wheel: nebula run from the wheel drew nothing"; exit 1; }
# Without its extras: the features that need one say which, in one line, and write nothing.
status=0; "$nebula" record --ndi Nebula --frames 1 --size 32x18 --codec png --out ndi 2>ndi.txt || status=$?
[ "$status" = 2 ] && grep -q "pip install 'nebula\[ndi\]'" ndi.txt && [ ! -e ndi ] \
  || { echo "check_wheel: --ndi without its extra: status $status, $(cat ndi.txt)"; exit 1; }
status=0; "$nebula" run --listen 2>listen.txt || status=$?
[ "$status" = 2 ] && grep -q "pip install 'nebula\[listen\]'" listen.txt \
  || { echo "check_wheel: --listen without its extra: status $status, $(cat listen.txt)"; exit 1; }
echo "check_wheel: ok (version, still identical to the editable install's, h264, preset, run, extras named)"
