"""Network facts of the effective configuration: root port, YP listing, sizes, relays, master, YP timings."""

from __future__ import annotations

import json

import pytest

import icecfg
from icecfg.conversion import kh_size
from icecfg.document import Element
from icecfg.effective import Source, explain


def eff(xml: str, target: str = "2.4") -> icecfg.effective.EffectiveConfig:
    return explain(icecfg.loads(f"<icecast>{xml}</icecast>".encode()), target)


def test_root_port_is_read_as_a_socket_port_and_only_advertised_next_to_sockets() -> None:
    alone = eff("<port>70000</port>")
    assert alone.implicit_listener
    assert alone.root_port is not None and alone.root_port.value == 70000 & 0xFFFF  # 2.4.4 binds an unsigned short
    assert [s.port for s in alone.listeners] == [alone.root_port.value]
    beside = eff("<port>8000</port><listen-socket><port>8010</port></listen-socket>")
    assert not beside.implicit_listener
    assert beside.root_port is not None and beside.root_port.value == 8000
    assert beside.ports() == [8010]
    assert eff("<listen-socket><port>8010</port></listen-socket>").root_port is None
    assert eff("<port>abc</port>", "kh").root_port.value is None  # type: ignore[union-attr]  # KH drops it


def test_public_mounts_are_those_whose_own_public_is_1() -> None:
    xml = (
        "<mount><mount-name>/a</mount-name><public>1</public></mount>"
        "<mount><mount-name>/b</mount-name><public>0</public></mount>"
        '<mount type="default"><public>1</public></mount>'
    )
    assert [m.label for m in eff(xml).public_mounts] == ["/a", '<mount type="default">']
    # 2.5 also reads true; 2.4.4 reads it with atoi: 0
    words = "<mount><mount-name>/a</mount-name><public>true</public></mount>"
    assert [m.label for m in eff(words, "2.5").public_mounts] == ["/a"]
    assert eff(words, "2.4").public_mounts == ()


def test_burst_and_queue_sizes_of_the_server_and_of_mounts() -> None:
    xml = (
        "<limits><queue-size>100000</queue-size><burst-size>200000</burst-size><burst-on-connect>0</burst-on-connect>"
        "</limits><mount><mount-name>/a</mount-name><burst-size>4096</burst-size></mount>"
        "<mount><mount-name>/b</mount-name></mount>"
    )
    e = eff(xml)
    # a later <burst-on-connect>0 sets the server burst to 0
    assert (e.sizes.burst_bytes, e.sizes.queue_bytes) == (0, 100000)
    assert e.sizes.burst.origin.source is Source.CLAMPED
    # only /a writes a size; its queue is the server's
    [a] = e.mount_sizes
    assert a.mount is not None and a.mount.name == "/a"
    assert (a.burst_bytes, a.queue_bytes) == (4096, 100000)
    # KH has no <burst-on-connect>, and reads "10s" as seconds of audio: no byte count
    kh = eff("<limits><queue-size>10s</queue-size><burst-size>200000</burst-size></limits>", "kh")
    assert (kh.sizes.burst_bytes, kh.sizes.queue_bytes) == (200000, None)
    # 2.5 keeps its default for an out-of-range queue
    assert eff("<limits><queue-size>0</queue-size></limits>", "2.5").sizes.queue_bytes == 512000


def test_a_size_added_to_a_mount_after_reading_counts() -> None:
    # the file as read spells no size anywhere; an edit adds one to a mount
    config = icecfg.loads(b"<icecast><mount><mount-name>/a</mount-name></mount></icecast>")
    assert explain(config, "2.4").mount_sizes == ()
    mount = config.document.root.find("mount")
    assert mount is not None
    burst = Element("burst-size")
    burst.set_text("1048576")
    mount.append(burst)
    [a] = explain(config, "2.4").mount_sizes
    assert a.mount is not None and a.mount.name == "/a"
    assert (a.burst_bytes, a.queue_bytes) == (1048576, 512000)


@pytest.mark.parametrize(
    ("written", "size"),
    [
        ("64k", 64000),  # k is 1,000 (cfgfile.c config_qsizing_conv_a2n), not 1,024
        ("2m", 2000000),
        ("64K", 64),  # the suffix is case-sensitive: K multiplies by nothing
        ("64 k", 64),  # %u%c: the character right after the digits is the suffix
        ("3000000k", 1_000_000),  # unsigned 32-bit product, capped at 2**31 - 1: over KH's queue limit
        ("10S", 10),  # only a lower-case s means seconds of audio
        ("-5", 1_000_000),  # %u takes the sign: 2**32 - 5, capped, over KH's queue limit
        ("+512000", 512000),
    ],
)
def test_kh_reads_size_suffixes_as_its_parser_does(written: str, size: int) -> None:
    kh = eff(f"<limits><queue-size>{written}</queue-size></limits>", "kh")
    assert kh.sizes.queue_bytes == size


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("-5", 2**31 - 1),  # strtoul negates in unsigned long: 2**32 - 5 in 32 bits, capped
        ("-5k", 2**31 - 1),  # (2**32 - 5) * 1000 wraps to 2**32 - 5000, capped
        ("-4294967295", 1),  # 2**64 - 2**32 + 1 keeps 1 in 32 bits
        ("-99999999999999999999999", 2**31 - 1),  # strtoul saturates to ULONG_MAX
        ("+5", 5),
        ("-5s", 3600),  # seconds of audio are capped to an hour
        ("7200s", 3600),
        ("-", None),
    ],
)
def test_kh_reads_a_signed_size_as_sscanf_u_does(written: str, read: int | None) -> None:
    assert kh_size(written) == read


def test_kh_uses_its_own_burst_and_queue_for_sizes_beyond_its_limits() -> None:
    """A burst over 50,000,000 bytes is 100,000 and a queue over 1,000,000,000 is 1,000,000 (update_source_stats)."""
    kh = eff("<limits><burst-size>-5</burst-size><queue-size>1000000001</queue-size></limits>", "kh")
    assert (kh.sizes.burst_bytes, kh.sizes.queue_bytes) == (100_000, 1_000_000)
    assert "Icecast-KH uses 100000 bytes for a burst-size over 50000000" in (
        kh.limits.values["burst-size"].origin.note or ""
    )
    mount = eff("<mount><mount-name>/a</mount-name><burst-size>60000000</burst-size></mount>", "kh")
    assert [s.burst_bytes for s in mount.mount_sizes] == [100_000]
    assert eff("<limits><burst-size>60000000</burst-size></limits>", "2.4").sizes.burst_bytes == 60_000_000


@pytest.mark.parametrize(
    ("written", "bits"),
    [
        ("64k", 64000),  # cfgfile.c config_get_bitrate: sscanf("%ld%c"), k is 1,000
        ("64K", 64000),  # either case, unlike a size's suffix
        ("2M", 2000000),
        (" 64k", 64000),  # sscanf skips leading white space
        ("64kbit", 64000),  # only the first character after the digits counts
        ("64 k", 64),  # a space is that character: no suffix
        ("1.5m", 1),  # so is a "."
        ("-1", -1),
        ("64k</limit-rate><limit-rate>x", 64000),  # a later value it cannot read leaves this one
        ("x", 0),  # nothing read: the default
    ],
)
def test_kh_reads_a_bitrate_as_its_parser_does(written: str, bits: int) -> None:
    mount = eff(f"<mount><mount-name>/a</mount-name><limit-rate>{written}</limit-rate></mount>", "kh").mounts.find("/a")
    assert mount is not None
    assert mount.get("limit-rate") == bits


def test_mount_sizes_take_what_the_default_mount_merges() -> None:
    xml = (
        '<limits><queue-size>500000</queue-size></limits><mount type="default"><queue-size>3000</queue-size></mount>'
        "<mount><mount-name>/a</mount-name><burst-size>4096</burst-size></mount>"
    )
    sizes = {s.mount.label: (s.burst_bytes, s.queue_bytes) for s in eff(xml).mount_sizes if s.mount}
    assert sizes == {'<mount type="default">': (65536, 3000), "/a": (4096, 3000)}


def test_relay_port_and_own_on_demand() -> None:
    xml = (
        "<relay><server>a</server><mount>/x</mount></relay><relays-on-demand>1</relays-on-demand>"
        "<relay><server>b</server><port></port><on-demand>0</on-demand></relay>"
    )
    first, second = eff(xml).relays
    assert first.port.value == 0 and first.port.origin.source is Source.DEFAULT  # 2.4.4: no default
    assert second.port.value == 0 and second.port.origin.source is Source.ELEMENT
    assert (first.own_on_demand, second.own_on_demand) == (False, True)
    assert (bool(first.on_demand.value), bool(second.on_demand.value)) == (False, False)
    assert eff(xml, "2.5").relays[0].port.value == 80


def test_master_relaying_and_what_turns_it_off() -> None:
    assert eff("<hostname>a.example</hostname>").master is None
    half = eff("<master-server>m.example</master-server><master-password>secret-pass</master-password>")
    assert half.master is not None and not half.master.relaying
    assert half.master.missing == ("master-server-port",)
    whole = eff(
        "<master-server>m.example</master-server><master-server-port>8000</master-server-port>"
        "<master-password>secret-pass</master-password>"
    )
    assert whole.master is not None and whole.master.relaying
    data = whole.to_json()
    assert data["master"]["relaying"] is True  # type: ignore[index]
    assert "secret-pass" not in json.dumps(data)
    assert "secret-pass" in json.dumps(whole.to_json(reveal_secrets=True))
    # KH's <master> block form is read instead
    assert eff("<master><server>m</server></master><master-server>m</master-server>", "kh").master is None


def test_yp_timings_the_release_replaces() -> None:
    xml = (
        "<directory><yp-url>http://d/</yp-url><yp-url-timeout>15</yp-url-timeout>"
        "<touch-interval>5</touch-interval></directory>"
    )
    [d24] = eff(xml, "2.4").directories
    assert d24.timeout is not None and d24.timeout.value == 6 and d24.timeout.origin.source is Source.CLAMPED
    assert d24.timeout_replaced is not None and (d24.timeout_replaced.written, d24.timeout_replaced.used) == (15, 6)
    assert d24.touch_interval_replaced is not None and d24.touch_interval_replaced.used == 30
    [d25] = eff(xml, "2.5").directories
    assert d25.timeout_replaced is not None and d25.touch_interval_replaced is None  # 2.5 keeps a short interval
    [dkh] = eff(xml, "kh").directories
    assert dkh.timeout_replaced is None and dkh.timeout is not None and dkh.timeout.value == 15
    # 2.5 already keeps its default for a value outside 2..600: nothing left for yp.c to replace
    [d0] = eff(xml.replace(">15<", ">0<"), "2.5").directories
    assert d0.timeout_replaced is None


def test_tls_listeners_and_tls_in_use() -> None:
    sockets = (
        "<listen-socket><port>8000</port></listen-socket><listen-socket><port>8443</port><ssl>1</ssl></listen-socket>"
    )
    e24 = eff(sockets)
    assert [s.port for s in e24.tls_listeners] == [8443] and e24.tls_in_use
    kh = eff(sockets, "kh")
    assert [s.port for s in kh.tls_listeners] == [8000, 8443]
    assert not kh.tls_in_use  # KH serves TLS only once a certificate is set
    cert = "<paths><ssl-certificate>/etc/b.pem</ssl-certificate></paths>"
    assert eff(sockets + cert, "kh").tls_in_use


def test_explain_text_names_master_relaying_that_is_off() -> None:
    from icecfg.effective.text import render

    text = render(eff("<master-server>m.example</master-server><master-password>pw-secret-1</master-password>"))
    assert "Master m.example:0: OFF: no master-server-port" in text
    assert "pw-secret-1" not in text


def test_a_shoutcast_mount_opens_the_next_port_for_sources() -> None:
    """2.4.4 always; 2.5 and KH only on a socket without <shoutcast-compat> (KH then drops the socket)."""
    plain = "<listen-socket><port>8000</port><shoutcast-mount>/live</shoutcast-mount></listen-socket>"
    compat = plain.replace("</port>", "</port><shoutcast-compat>1</shoutcast-compat>")
    assert [eff(plain, t).ports() for t in ("2.4", "2.5", "kh")] == [[8000, 8001]] * 3
    assert eff(compat, "2.4").ports() == [8000, 8001]
    assert eff(compat, "2.5").ports() == [8000]
    assert eff(compat, "kh").ports() == []
