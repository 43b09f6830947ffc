"""The DNS name ``up`` points at a droplet and ``down`` takes away again.

Both commands find the DigitalOcean domain that holds the name the same way
and recognise a record of theirs by its address the same way, so those two
decisions live here, once.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from icecfg.ondemand import Failed, UsageError

if TYPE_CHECKING:
    from icecfg.bake.digitalocean import DigitalOcean


#: One label of a DNS name a listener's player can resolve: letters, digits and inner hyphens, at most 63.
DNS_LABEL = re.compile(r"\A[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\Z")


def is_dns_name(name: str) -> bool:
    """Whether ``name`` (lower case, no final dot) is a DNS name: labels of :data:`DNS_LABEL`, 253 at most."""
    return len(name) <= 253 and all(DNS_LABEL.match(label) for label in name.split("."))


@dataclass(frozen=True)
class Zone:
    """Where the A (and AAAA) record goes: the DigitalOcean domain and the name relative to it."""

    domain: str
    name: str
    fqdn: str

    def relay(self, index: int) -> Zone:
        """The name of relay ``index``: ``relay<i>.`` in front of this one."""
        relative = f"relay{index}" if self.name == "@" else f"relay{index}.{self.name}"
        return Zone(self.domain, relative, f"relay{index}.{self.fqdn}")


def find_zone(api: DigitalOcean, name: str) -> Zone:
    """The DigitalOcean DNS domain holding ``name``: the longest suffix the account has."""
    from icecfg.bake.digitalocean import DigitalOceanError

    fqdn = name.strip().rstrip(".").lower()
    labels = fqdn.split(".")
    if len(labels) < 2 or not all(labels):
        raise UsageError(f"--domain needs a fully qualified name such as radio.example.org, not {name!r}")
    if not is_dns_name(fqdn):  # checked here: DigitalOcean refuses the record only once the droplet runs
        raise UsageError(
            f"--domain {name!r} is not a DNS name (letters, digits and hyphens, at most 63 between the dots)"
        )
    for start in range(len(labels) - 1):
        domain = ".".join(labels[start:])
        try:
            api.domain_records(domain, type="SOA")
        except DigitalOceanError as err:
            if err.status == 404:
                continue
            raise
        relative = "@" if start == 0 else ".".join(labels[:start])
        return Zone(domain, relative, fqdn)
    raise Failed(
        f"no DigitalOcean DNS domain holds {fqdn}: add its domain under Networking > Domains, or run with --no-dns"
    )


def record_type(address: str) -> str:
    """``AAAA`` for an IPv6 address, ``A`` for IPv4."""
    return "AAAA" if ":" in address else "A"


def same_address(data: str, address: str) -> bool:
    """Whether a record's data is ``address`` (IPv6 may be spelt in more than one way)."""
    try:
        return ipaddress.ip_address(data) == ipaddress.ip_address(address)
    except ValueError:
        return data == address
