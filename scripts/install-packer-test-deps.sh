#!/usr/bin/env bash
# Installs the Debian packages the bake tests use, only those missing:
# - packer: Debian's 1.6.6, for `packer validate` and the end-to-end bake against
#   a loopback fake of the DigitalOcean API;
# - debootstrap: builds the throw-away Debian root that plays the droplet;
# - openssh-server: for /usr/sbin/sshd, which the test starts itself on a high
#   port of 127.0.0.1 with its own config (the package's ssh service is not used;
#   where services may start, apt starts it as for any install);
# - shellcheck: lints the provisioning scripts in packer/scripts.
set -euo pipefail
packages=(packer debootstrap openssh-server shellcheck)
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
