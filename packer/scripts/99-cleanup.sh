#!/bin/bash
# icecfg bake, last step: leave no build files, keys or caches in the image.
set -euo pipefail
: "${ICECFG_STAGE:?ICECFG_STAGE is not set}"

# The staged files (including a copy of the TLS private key), and the package
# 15-build-icecast-2.5.sh left for icecfg to download.
rm -rf -- "$ICECFG_STAGE"
rm -f -- "${ICECFG_BUILT:-/root/icecfg-built-package.deb}"

# Packer's temporary key. DigitalOcean writes the keys a droplet is created with
# into root's authorized_keys, and Packer creates the build droplet with its
# temporary key only, so every entry there is Packer's. (Packer 1.6.6 does not
# tell provisioners which key it is: build.SSHPublicKey is empty with its
# DigitalOcean builder.) Droplets made from the snapshot get their own keys at
# creation. The open connection survives this, so this script must run last.
rm -f /root/.ssh/authorized_keys /root/.ssh/authorized_keys2
echo "icecfg: removed the build droplet's authorized SSH keys"

# SSH host keys: every droplet made from the snapshot must get its own. cloud-init
# usually regenerates them; this unit makes sure sshd never starts without any.
if ls /etc/ssh/ssh_host_*key* >/dev/null 2>&1; then
    rm -f /etc/ssh/ssh_host_*key /etc/ssh/ssh_host_*key.pub
    echo "icecfg: removed SSH host keys"
fi
if [ -e /lib/systemd/system/ssh.service ] || [ -e /usr/lib/systemd/system/ssh.service ]; then
    cat >/etc/systemd/system/icecfg-ssh-host-keys.service <<'UNIT'
# Written by icecfg bake: the image ships without SSH host keys.
[Unit]
Description=Generate missing SSH host keys
Before=ssh.service

[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -A

[Install]
WantedBy=multi-user.target ssh.service
UNIT
    systemctl enable icecfg-ssh-host-keys.service
fi

# The temporary policy-rc.d from 10-install-icecast.sh (never one that was there before).
policy=/usr/sbin/policy-rc.d
if [ -f "$policy" ] && grep -qxF "# icecfg-bake: temporary policy-rc.d" "$policy"; then
    rm -f -- "$policy"
fi

# Package caches and lists, shell history, per-machine identity, cloud-init state.
apt-get clean
rm -rf /var/lib/apt/lists/*
rm -f /root/.bash_history /root/.lesshst /root/.viminfo /root/.wget-hsts
if [ -f /etc/machine-id ]; then
    : >/etc/machine-id
fi
if [ -f /var/lib/dbus/machine-id ] && [ ! -L /var/lib/dbus/machine-id ]; then
    rm -f /var/lib/dbus/machine-id
fi
if command -v cloud-init >/dev/null 2>&1; then
    cloud-init clean --logs
fi
echo "icecfg: cleaned up"
