#!/bin/bash
# icecfg bake, step 1c: the installed Icecast is the release the configuration was
# linted for, or the bake fails here (before anything else is configured).
set -euo pipefail
: "${ICECFG_STAGE:?ICECFG_STAGE is not set}"
# shellcheck source=/dev/null
. "$ICECFG_STAGE/settings.env"

case $ICECFG_RELEASE in
    2.4) want='Icecast 2.4.*' ;;
    2.5) want='Icecast 2.5.0' ;;
    *) echo "icecfg: unknown release '$ICECFG_RELEASE'" >&2; exit 1 ;;
esac
# Icecast refuses to run as root, so it is asked as its own user.
got=$(setpriv --reuid=icecast2 --regid=icecast --clear-groups /usr/bin/icecast2 -v 2>&1 | head -n 1) || true
# shellcheck disable=SC2053  # $want is a pattern
if [[ $got != $want ]]; then
    echo "icecfg: /usr/bin/icecast2 -v says '$got'; the configuration was linted for Icecast $ICECFG_RELEASE" >&2
    exit 1
fi
echo "icecfg: $got installed (release $ICECFG_RELEASE)"
