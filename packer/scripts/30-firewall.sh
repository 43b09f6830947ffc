#!/bin/bash
# icecfg bake, step 3: a firewall that lets in only the configured TCP ports.
# The rules go to /etc/nftables.conf and nftables.service (enabled in step 4) loads
# them at boot; nothing is applied to the running build droplet.
set -euo pipefail
: "${ICECFG_STAGE:?ICECFG_STAGE is not set}"
# shellcheck source=/dev/null
. "$ICECFG_STAGE/settings.env"

ports=""
for port in $ICECFG_PORTS; do
    case $port in
        '' | *[!0-9]*) echo "icecfg: bad port '$port'" >&2; exit 1 ;;
    esac
    ports="${ports:+$ports, }$port"
done
if [ -n "$ports" ]; then
    tcp_rule="tcp dport { $ports } accept"
else
    tcp_rule="# no TCP port is open"
fi

cat >/etc/nftables.conf <<NFT
#!/usr/sbin/nft -f
# Written by icecfg bake: only the TCP ports below are open.
flush ruleset

table inet filter {
    chain input {
        type filter hook input priority filter; policy drop;
        iif "lo" accept
        ct state established,related accept
        ct state invalid drop
        # ICMP and ICMPv6 (IPv6 neighbour discovery, path MTU discovery).
        meta l4proto { 1, 58 } accept
        $tcp_rule
    }
    chain forward {
        type filter hook forward priority filter; policy drop;
    }
    chain output {
        type filter hook output priority filter; policy accept;
    }
}
NFT
chmod 0755 /etc/nftables.conf
# Syntax check only (-c): the rules are not loaded on the build droplet.
nft -c -f /etc/nftables.conf
echo "icecfg: firewall: TCP ${ports:-none} open, everything else dropped"
