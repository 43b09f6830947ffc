#!/usr/bin/env bash
# The demo behind `make demo`: lint the shipped examples the way CI would, explain what
# Icecast will do with the radio config, and show its migration to Icecast 2.5.
#
# examples/radio is a sound config. Its server files (TLS bundle, fallback
# audio, log directory) are made here in build/demo-root, a stand-in for the
# server's /, and checked through --root. examples/pitfalls collects mistakes
# from real configs; its findings are shown, then the safe fixes as a diff.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
ROOT=build/demo-root
mkdir -p "$ROOT/etc/icecast2" "$ROOT/usr/share/icecast2/web" "$ROOT/usr/share/icecast2/admin" "$ROOT/var/log/icecast2"
if [ ! -s "$ROOT/etc/icecast2/bundle.pem" ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=radio.example.org" \
        -keyout "$ROOT/etc/icecast2/key.pem" -out "$ROOT/etc/icecast2/cert.pem" 2>/dev/null
    cat "$ROOT/etc/icecast2/cert.pem" "$ROOT/etc/icecast2/key.pem" > "$ROOT/etc/icecast2/bundle.pem"
    chmod 600 "$ROOT/etc/icecast2/bundle.pem"
    rm "$ROOT/etc/icecast2/cert.pem" "$ROOT/etc/icecast2/key.pem"
fi
if [ ! -s "$ROOT/usr/share/icecast2/web/fallback.ogg" ]; then
    $BIN/python - "$ROOT/tone.wav" <<'PY'
import math, struct, sys, wave
with wave.open(sys.argv[1], "wb") as out:
    out.setnchannels(2)
    out.setsampwidth(2)
    out.setframerate(44100)
    frames = (int(8000 * math.sin(2 * math.pi * 440 * i / 44100)) for i in range(44100 * 3))
    out.writeframes(b"".join(struct.pack("<hh", s, s) for s in frames))
PY
    oggenc -Q -b 128 -o "$ROOT/usr/share/icecast2/web/fallback.ogg" "$ROOT/tone.wav"
    rm "$ROOT/tone.wav"
fi

echo "== icecfg lint --root $ROOT examples/radio/icecast.xml"
$BIN/icecfg lint --root "$ROOT" examples/radio/icecast.xml
echo
echo "== icecfg lint examples/pitfalls/icecast.xml"
$BIN/icecfg lint --no-fs --exit-zero examples/pitfalls/icecast.xml
echo "== icecfg lint --diff examples/pitfalls/icecast.xml (the safe fixes, nothing written)"
$BIN/icecfg lint --no-fs --diff --exit-zero examples/pitfalls/icecast.xml
echo
echo "== icecfg explain --root $ROOT examples/radio/icecast.xml (what Icecast 2.4.4 will do with it)"
$BIN/icecfg explain --root "$ROOT" examples/radio/icecast.xml
echo
echo "== icecfg migrate --to 2.5 --root $ROOT examples/radio/icecast.xml (the move to Icecast 2.5, nothing written)"
$BIN/icecfg migrate --to 2.5 --root "$ROOT" examples/radio/icecast.xml
