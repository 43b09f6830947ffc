#!/bin/bash
# icecfg bake, step 2: install the linted icecast.xml and the files it refers to,
# and set up the log directory (discarding the access log when privacy_logs is on).
set -euo pipefail
: "${ICECFG_STAGE:?ICECFG_STAGE is not set}"
# settings.env is written by icecfg.bake.stage with shell-quoted values:
# ICECFG_CONFIG_SHA256, ICECFG_PRIVACY_LOGS, ICECFG_PORTS, ICECFG_LOGDIR,
# ICECFG_DISCARD_LOGS (file names inside the log directory).
# shellcheck source=/dev/null
. "$ICECFG_STAGE/settings.env"
umask 022

check_sha256() { # file expected
    local got
    got=$(sha256sum "$1" | cut -d' ' -f1)
    if [ "$got" != "$2" ]; then
        echo "icecfg: $1 does not match the staged file (sha256 $got, expected $2)" >&2
        exit 1
    fi
}

# The configuration: readable by the icecast group only (it holds passwords).
install -o root -g icecast -m 0640 "$ICECFG_STAGE/icecast.xml" /etc/icecast2/icecast.xml
check_sha256 /etc/icecast2/icecast.xml "$ICECFG_CONFIG_SHA256"
echo "icecfg: installed /etc/icecast2/icecast.xml"

# The assets: one line per file, tab-separated:
# staged name, server path, owner, group, mode, sha256.
while IFS=$'\t' read -r src dest owner group mode sum; do
    [ -n "$src" ] || continue
    mkdir -p -- "$(dirname -- "$dest")"
    if [ -L "$dest" ]; then rm -f -- "$dest"; fi
    install -o "$owner" -g "$group" -m "$mode" -- "$ICECFG_STAGE/$src" "$dest"
    check_sha256 "$dest" "$sum"
    echo "icecfg: installed $dest ($owner:$group $mode)"
done <"$ICECFG_STAGE/files.tsv"

logdir=$ICECFG_LOGDIR
if [ "$ICECFG_PRIVACY_LOGS" = 1 ]; then
    # Icecast 2.4 always opens LOGDIR/NAME (an absolute name is fatal), so the
    # access log is discarded with a symlink NAME -> /dev/null. The directory is
    # root-owned and sticky (1770, group icecast): icecast2 can still create and
    # rotate its own error log there, but can neither replace the root-owned
    # symlink nor rename it away when the log reaches its size limit (the rename
    # fails, Icecast reopens the same name, i.e. /dev/null again).
    # The icecast2 package's postinst chowns /var/log/icecast2 to icecast2 on every
    # upgrade (which would let it rename the link), so the same helper runs again
    # after every dpkg run (apt hook) and before every start of the service.
    helper=/usr/local/sbin/icecfg-discard-logs
    mkdir -p /usr/local/sbin
    {
        echo '#!/bin/sh'
        echo '# Written by icecfg bake (privacy_logs): keep Icecast access logs off the disk.'
        echo 'set -eu'
        printf 'logdir=%q\n' "$logdir"
        printf 'names=%q\n' "$ICECFG_DISCARD_LOGS"
        cat <<'HELPER'
getent group icecast >/dev/null || exit 0  # icecast2 was removed
mkdir -p "$logdir"
chown root:icecast "$logdir"
chmod 1770 "$logdir"
for name in $names; do
    path="$logdir/$name"
    if [ "$(readlink "$path" 2>/dev/null || true)" != /dev/null ]; then
        rm -rf -- "$path"
        ln -s /dev/null "$path"
    fi
    chown -h root:root "$path"
    rm -f -- "$path.old"
done
HELPER
    } >"$helper"
    chmod 0755 "$helper"
    "$helper"
    mkdir -p /etc/systemd/system/icecast2.service.d
    cat >/etc/systemd/system/icecast2.service.d/icecfg-logs.conf <<DROPIN
# Written by icecfg bake (privacy_logs). "+": runs as root, the service as icecast2.
[Service]
ExecStartPre=+$helper
DROPIN
    cat >/etc/apt/apt.conf.d/80icecfg-discard-logs <<HOOK
// Written by icecfg bake (privacy_logs): undo the icecast2 postinst's chown of the log directory.
DPkg::Post-Invoke { "if [ -x $helper ]; then $helper || true; fi"; };
HOOK
    echo "icecfg: access log discarded: $logdir/{$ICECFG_DISCARD_LOGS} -> /dev/null"
else
    if [ ! -d "$logdir" ]; then
        install -d -o icecast2 -g adm -m 0750 "$logdir"
    fi
    echo "icecfg: logs kept in $logdir"
fi
