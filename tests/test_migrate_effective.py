"""The effective configuration (``icecfg explain``) of the original for 2.4 against the migrated file's for 2.5.

On every facet (listeners, ports, TLS, mounts, logins, limits, headers, logs,
paths, relays, YP) that no change of the migration touched, everything the
old release did the new one does too.  Keys only 2.5 has (``bodysize``, the
Shoutcast login it derives) are not a difference; provenance (lines,
``from``) is not compared.
"""

from __future__ import annotations

from typing import Any

import pytest

import icecfg
from tests.test_migrate_files import files, loadable

#: the top-level element a change names -> the facets of ``explain`` it can change
FACETS = {
    "listen-socket": {"listeners", "ports", "tls", "advertised_host", "advertised_port"},
    "port": {"listeners", "ports", "advertised_host", "advertised_port"},
    "bind-address": {"listeners", "ports", "advertised_host"},
    "paths": {"paths", "tls"},
    "security": {"security", "tls"},
    "limits": {"limits"},
    "mount": {"mounts", "auth"},
    "authentication": {"auth"},
    "source-password": {"auth"},
    "http-headers": {"headers", "mounts"},  # a mount's headers include the server-wide ones
    "relay": {"relays"},
    "directory": {"directories"},
    "logging": {"logging"},
    "hostname": {"hostname"},
}
NOT_FACETS = {"schema", "target", "file"}
PROVENANCE = {"from", "line", "port_from", "protocol_from", "merged_from_line", "note"}


def plain(value: Any) -> Any:
    """A traced value's value, without where it came from."""
    if isinstance(value, dict):
        if "value" in value and set(value) <= {"value", "from"}:
            return plain(value["value"])
        return {k: plain(v) for k, v in value.items() if k not in PROVENANCE}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def missing(old: Any, new: Any, path: str) -> list[str]:
    """What ``old`` has that ``new`` does not (keys or items only ``new`` has are no difference)."""
    if isinstance(old, dict) and isinstance(new, dict):
        return [m for key in old.keys() & new.keys() for m in missing(old[key], new[key], f"{path}.{key}")]
    if isinstance(old, list) and isinstance(new, list):
        return [f"{path}[{i}] = {item!r}" for i, item in enumerate(old) if all(missing(item, n, "") for n in new)]
    return [] if old == new else [f"{path}: {old!r} -> {new!r}"]


@pytest.mark.parametrize("name", loadable())
def test_effective_configuration_is_kept_on_every_facet_the_migration_did_not_touch(name: str) -> None:
    data = files()[name]
    before = plain(icecfg.explain(icecfg.loads(data, name), "2.4").to_json())
    cfg = icecfg.loads(data, name)
    migration = icecfg.upgrade(cfg, files=False)
    after = plain(icecfg.explain(icecfg.loads(icecfg.dumps(cfg), name), "2.5").to_json())
    touched: set[str] = set()
    for change in migration.changes:
        touched |= FACETS.get(change.element.split("/")[2], set())
    assert touched <= before.keys()
    # 2.5 advertises an address only in YP listings (a request's playlist names the socket it came
    # in on): without a directory the address is nothing the server does
    unlisted = set() if after["directories"] else {"advertised_host", "advertised_port"}
    differences = [
        difference
        for facet in (before.keys() & after.keys()) - NOT_FACETS - touched - unlisted
        for difference in missing(before[facet], after[facet], facet)
    ]
    assert not differences


def test_the_comparison_sees_a_lost_mount() -> None:
    """The check can fail: a mount the migrated file lacks is a difference on ``mounts``."""
    data = b"<icecast><mount><mount-name>/a</mount-name></mount><mount><mount-name>/b</mount-name></mount></icecast>"
    before = plain(icecfg.explain(icecfg.loads(data), "2.4").to_json())
    cfg = icecfg.loads(data)
    del cfg.mounts[1]
    after = plain(icecfg.explain(cfg, "2.5").to_json())
    assert missing(before["mounts"], after["mounts"], "mounts")
