#!/usr/bin/env bash
# Installs the Debian packages icecfg's demo and tests use, only those missing.
# icecast2: the oracle the tests start; libshout-tools (shout) and vorbis-tools
# (oggenc) and ffmpeg (MP3, AAC, Opus): test audio; openssl: test
# certificates; curl: HTTP checks in the shell scripts; patch: applies the diffs of
# `icecfg lint --diff` in the tests; systemd (systemd-analyze): checks the image's unit;
# media-types: /etc/mime.types, the file Icecast labels files by (the oracle tests compare
# icecfg's table with it; the image installs it too).
# The rest builds Icecast 2.5.0 and Icecast-KH from source for the oracle tests
# (scripts/build-oracles.sh): a compiler and autotools (KH regenerates its
# configure), and the libraries both link against.
set -euo pipefail
# Packer, debootstrap and openssh-server for the bake tests (its own script: it is also the
# list a bake user needs).
"$(dirname "$0")/install-packer-test-deps.sh"
packages=(icecast2 libshout-tools vorbis-tools ffmpeg openssl curl patch systemd media-types)
packages+=(build-essential autoconf automake libtool pkg-config libxml2-dev libxslt1-dev libogg-dev
    libvorbis-dev libtheora-dev libspeex-dev libcurl4-openssl-dev libssl-dev libigloo-dev librhash-dev)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
