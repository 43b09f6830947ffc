#!/usr/bin/env bash
# Installs the Debian packages the bake tests use, only those missing:
# packer (Debian's 1.6.6: `packer validate` and the end-to-end bake against a
# loopback fake of the DigitalOcean API), debootstrap (builds the throw-away
# Debian root that plays the droplet) and openssh-server (the test starts its
# own sshd on a high port with its own config; the package's service is not
# needed and is not started by this script).
set -euo pipefail
packages=(packer debootstrap openssh-server)
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
