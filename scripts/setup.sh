#!/usr/bin/env bash
# Installs what Nebula needs on Debian/Ubuntu, once: system packages (Mesa's EGL/GL, Xvfb and
# friends for the window tests) and a virtual environment in .venv with the project in it.
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# jackd2: the tests' MIDI ports (a JACK dummy server, no sound card); liblo-tools: oscsend and
# oscdump, an OSC client and server that are not ours; Xorg's dummy driver: two displays for
# the --span tests (Xvfb shows SDL only one); x11-utils: xwininfo; chromium (driven by
# Playwright) and curl: the page's tests, in a real browser and with clients that are not ours;
# libportaudio2: what `--listen` hears through (sounddevice); espeak-ng: the listening tests'
# spoken sentences.
PACKAGES=(libegl1 libegl-mesa0 libgl1-mesa-dri libgl1 x11-xserver-utils xvfb xauth xdotool imagemagick
  jackd2 liblo-tools xserver-xorg-core xserver-xorg-video-dummy x11-utils chromium curl
  libportaudio2 espeak-ng)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
# Re-install when pyproject.toml changed since the last install.
stamp=.venv/.nebula-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -e '.[test,docs]'
  touch "$stamp"
fi
