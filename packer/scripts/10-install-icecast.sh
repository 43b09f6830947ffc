#!/bin/bash
# icecfg bake, step 1: install what the image needs from the distribution's packages:
# nftables (the firewall), media-types (/etc/mime.types, from which Icecast takes the
# Content-Type of fallback files) and, for release 2.4, Debian's icecast2 itself
# (2.4.4), without starting any service. Release 2.5 is built by the next script.
set -euo pipefail
: "${ICECFG_STAGE:?ICECFG_STAGE is not set}"
# shellcheck source=/dev/null
. "$ICECFG_STAGE/settings.env"
export DEBIAN_FRONTEND=noninteractive

case $ICECFG_RELEASE in
    2.4) packages=(icecast2 nftables media-types) ;;
    2.5) packages=(nftables media-types) ;;
    *) echo "icecfg: this image recipe cannot install Icecast '$ICECFG_RELEASE'" >&2; exit 1 ;;
esac

# A fresh droplet may still be running cloud-init, which may itself use apt.
if command -v cloud-init >/dev/null 2>&1; then
    cloud-init status --wait >/dev/null 2>&1 || true
fi

# The package scripts must not start icecast2: it would come up with the sample
# configuration (password "hackme") before ours is installed. An existing
# policy-rc.d is respected and left as it is; otherwise a temporary one is put in
# place, marked so that 99-cleanup.sh removes exactly that one.
policy=/usr/sbin/policy-rc.d
marker="# icecfg-bake: temporary policy-rc.d"
if [ ! -e "$policy" ] && [ ! -L "$policy" ]; then
    printf '#!/bin/sh\n%s\nexit 101\n' "$marker" >"$policy"
    chmod 0755 "$policy"
fi

apt=(apt-get -y -q
    -o DPkg::Lock::Timeout=600
    -o Dpkg::Options::=--force-confdef
    -o Dpkg::Options::=--force-confold)
"${apt[@]}" update
"${apt[@]}" install --no-install-recommends "${packages[@]}"

if [ "$ICECFG_RELEASE" = 2.4 ]; then
    dpkg-query -W -f='${Status}\n' icecast2 | grep -qx 'install ok installed'
    getent passwd icecast2 >/dev/null
    getent group icecast >/dev/null
    echo "icecfg: installed $(dpkg-query -W -f='icecast2 ${Version}' icecast2)"
fi
