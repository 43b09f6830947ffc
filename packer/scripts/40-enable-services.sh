#!/bin/bash
# icecfg bake, step 4: start Icecast and the firewall at boot. Only the boot
# configuration changes: `systemctl enable` works offline, nothing is started here.
set -euo pipefail

if ! command -v systemctl >/dev/null 2>&1; then
    echo "icecfg: systemctl not found; the image must boot with systemd" >&2
    exit 1
fi

# A native unit takes the place of the one systemd generates from
# /etc/init.d/icecast2: Icecast 2.4.4 and 2.5.0 now and then crash (SIGSEGV) right
# after starting, when a global counter is incremented before the statistics
# thread has created it (by the thread that plays a mount's fallback file, or by
# the first client connection; see docs/bake.md), and the generated unit
# (RemainAfterExit=yes, no Restart=) would leave the station off the air. Like
# the init script, it runs icecast2 as icecast2:icecast on /etc/icecast2/icecast.xml.
cat >/etc/systemd/system/icecast2.service <<'UNIT'
# Written by icecfg bake; replaces the unit generated from /etc/init.d/icecast2.
[Unit]
Description=Icecast streaming media server
Documentation=man:icecast2(1)
Wants=network-online.target
After=network-online.target
# By default systemd gives up on a unit started more than 5 times in 10 s; with
# RestartSec=2s, five lost start-up races in a row (four were seen on 2.4.4) reach that
# edge. Only a server that keeps dying, 20 starts in 5 minutes (about 40 s of crashes),
# is given up on.
StartLimitIntervalSec=300
StartLimitBurst=20

[Service]
Type=simple
User=icecast2
Group=icecast
ExecStart=/usr/bin/icecast2 -c /etc/icecast2/icecast.xml
ExecReload=/bin/kill -HUP $MAINPID
Restart=on-failure
RestartSec=2s
# Lets a configuration listen on ports below 1024 (80, 443) without root.
AmbientCapabilities=CAP_NET_BIND_SERVICE
LimitNOFILE=65536

[Install]
WantedBy=multi-user.target
UNIT

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
