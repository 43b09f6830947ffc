#!/bin/bash
# icecfg bake, step 4: start Icecast and the firewall at boot. Only the boot
# configuration changes: `systemctl enable` works offline, nothing is started here.
set -euo pipefail

if ! command -v systemctl >/dev/null 2>&1; then
    echo "icecfg: systemctl not found; the image must boot with systemd" >&2
    exit 1
fi

# The icecast2 package's postinst disables the service on every upgrade unless
# /etc/default/icecast2 says ENABLE=true.
defaults=/etc/default/icecast2
if grep -q '^ENABLE=' "$defaults"; then
    sed -i 's/^ENABLE=.*/ENABLE=true/' "$defaults"
else
    printf '\n# Written by icecfg bake: keeps the service enabled across package upgrades.\nENABLE=true\n' >>"$defaults"
fi

systemctl enable icecast2.service nftables.service
for unit in icecast2.service nftables.service; do
    state=$(systemctl is-enabled "$unit" || true)
    if [ "$state" != enabled ]; then
        echo "icecfg: $unit is '$state' after enabling it" >&2
        exit 1
    fi
done
echo "icecfg: enabled icecast2 and nftables"
