"""The typed model refuses, on assignment, what Icecast cannot use; nothing is changed then.

Each refusal is an ``icecfg.InvalidValueError`` (a ValueError; a wrong Python
type is also a TypeError) whose message reads ``Section.field: value is not
what-it-takes``.
"""

from __future__ import annotations

import pytest

import icecfg
from icecfg.errors import InvalidAssignmentError

SAMPLE = b"<icecast>\n    <hostname>radio.example.org</hostname>\n    <listen-socket>\n        <port>8000</port>\n    </listen-socket>\n</icecast>\n"


def refused(section: object, name: str, value: object) -> str:
    """The message of assigning ``value``, after checking that the file did not change."""
    cfg = section if isinstance(section, icecfg.IcecastConfig) else None
    before = icecfg.dumps(cfg) if cfg is not None else None
    with pytest.raises(icecfg.InvalidValueError) as caught:
        setattr(section, name, value)
    if cfg is not None:
        assert icecfg.dumps(cfg) == before
    assert isinstance(caught.value, InvalidAssignmentError)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_unknown_field_is_an_attribute_error_with_the_closest_name() -> None:
    cfg = icecfg.loads(SAMPLE)
    with pytest.raises(AttributeError, match=r"^Limits has no field 'client'; did you mean 'clients'\?$"):
        cfg.limits.client = 50  # type: ignore[attr-defined]
    assert not cfg.limits.exists and icecfg.dumps(cfg) == SAMPLE
    with pytest.raises(AttributeError, match=r"did you mean 'clients'\?$"):
        _ = cfg.limits.client  # type: ignore[attr-defined]
    with pytest.raises(AttributeError, match=r"^IcecastConfig has no field 'zzz'$"):
        cfg.zzz = 1  # type: ignore[attr-defined]
    with pytest.raises(TypeError, match=r"did you mean 'clients'\?$"):
        icecfg.Limits(client=4)  # type: ignore[call-arg]


def test_deleting_or_reading_effective_of_an_unknown_field_names_the_closest() -> None:
    cfg = icecfg.loads(SAMPLE)
    with pytest.raises(AttributeError, match=r"^Limits has no field 'clientz'; did you mean 'clients'\?$"):
        del cfg.limits.clientz  # type: ignore[attr-defined]
    with pytest.raises(AttributeError, match=r"^IcecastConfig has no field 'filserve'; did you mean 'fileserve'\?$"):
        cfg.effective("filserve", "2.4")
    assert icecfg.dumps(cfg) == SAMPLE


LISTED = b"<icecast><include>a.xml</include><mount><mount-name>/a</mount-name></mount></icecast>"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("limits", icecfg.Paths(webroot="/w"), "IcecastConfig.limits: Paths object is not a Limits (or None)"),
        ("includes", "b.xml", "IcecastConfig.includes: str object is not a list of str (or None)"),
        ("includes", ["b.xml", 5], "IcecastConfig.includes: 5 is not text (a str)"),
        (
            "mounts",
            icecfg.Mount(mount_name="/b"),
            "IcecastConfig.mounts: Mount object is not a list of Mount (or None)",
        ),
        ("mounts", 5, "IcecastConfig.mounts: int object is not a list of Mount (or None)"),
    ],
)
def test_a_section_or_list_of_the_wrong_kind_changes_nothing(name: str, value: object, message: str) -> None:
    cfg = icecfg.loads(LISTED)
    with pytest.raises(icecfg.InvalidValueError) as caught:
        setattr(cfg, name, value)
    assert isinstance(caught.value, TypeError) and str(caught.value) == message
    assert icecfg.dumps(cfg) == LISTED


def test_a_list_with_one_wrong_item_changes_nothing() -> None:
    """A wrong item is refused with the model's one wording, as an InvalidValueError and a TypeError."""
    cfg = icecfg.loads(LISTED)
    message = r"^IcecastConfig\.mounts: int object is not a Mount$"
    with pytest.raises(icecfg.InvalidValueError, match=message) as caught:
        cfg.mounts = [icecfg.Mount(mount_name="/b"), 1]  # type: ignore[list-item]
    assert isinstance(caught.value, TypeError)
    with pytest.raises(icecfg.InvalidValueError, match=message):
        cfg.mounts.append(1)  # type: ignore[arg-type]
    assert icecfg.dumps(cfg) == LISTED


def test_characters_xml_cannot_hold_are_refused() -> None:
    cfg = icecfg.loads(SAMPLE)
    assert refused(cfg, "hostname", "a\x00b") == (
        "IcecastConfig.hostname: 'a\\x00b' is not text XML 1.0 can hold (it has U+0000)"
    )
    assert "U+FFFE" in refused(cfg, "location", "x\ufffe")
    # a secret is never shown, not even in the error
    message = refused(cfg.authentication, "source_password", "hunter2\x07")
    assert message == "Authentication.source_password: the value given is not text XML 1.0 can hold (it has U+0007)"
    assert "hunter2" not in message
    cfg.hostname = "tab\tnewline\nemoji \U0001f4fb"  # all of these XML holds
    assert icecfg.loads(icecfg.dumps(cfg)).hostname == "tab\tnewline\nemoji \U0001f4fb"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("port", 70000, "IcecastConfig.port: 70000 is not a whole number from 1 to 65535"),
        ("port", -1, "IcecastConfig.port: -1 is not a whole number from 1 to 65535"),
        ("port", 8000.5, "IcecastConfig.port: 8000.5 is not a whole number from 1 to 65535"),
        ("port", "8000", "IcecastConfig.port: '8000' is not a whole number from 1 to 65535"),
        ("hostname", 123, "IcecastConfig.hostname: 123 is not text (a str)"),
        ("fileserve", 1, "IcecastConfig.fileserve: 1 is not True or False"),
    ],
)
def test_type_and_range_from_the_element_table(name: str, value: object, message: str) -> None:
    assert refused(icecfg.loads(SAMPLE), name, value) == message


def test_ranges_and_kinds_in_sections() -> None:
    cfg = icecfg.loads(SAMPLE)
    socket = cfg.listen_sockets[0]
    assert refused(socket, "port", 70000) == "ListenSocket.port: 70000 is not a whole number from 1 to 65535"
    assert socket.port == 8000
    assert refused(cfg.limits, "queue_size", -1) == "Limits.queue_size: -1 is not a size in bytes from 0 to 2147483647"
    assert refused(cfg.limits, "clients", 2**31) == (
        "Limits.clients: 2147483648 is not a whole number from -2147483648 to 2147483647"
    )
    assert refused(cfg.logging, "loglevel", 9) == "Logging.loglevel: 9 is not a log level from 1 (error) to 4 (debug)"
    with pytest.raises(TypeError):  # a wrong type is a TypeError too
        cfg.limits.clients = "many"  # type: ignore[assignment]
    # 2.5's limits do not bind a configuration 2.4 reads: 50,000 clients and -1 (unlimited) listeners are fine
    cfg.limits.clients = 50000
    cfg.mounts.append(icecfg.Mount(mount_name="/live.ogg", max_listeners=-1))
    assert icecfg.loads(icecfg.dumps(cfg)).mounts[0].max_listeners == -1
    with pytest.raises(icecfg.InvalidValueError, match=r"^Mount.mount_type: 'live' is not one of normal, default$"):
        icecfg.Mount(mount_name="/x", mount_type="live")


def test_a_finding_fix_takes_no_argument() -> None:
    """docs/lint.md: ``finding.fix()`` applies the fix to the configuration that was linted."""
    cfg = icecfg.loads(b"<icecast>\n    <logging>\n        <loglevel>debug</loglevel>\n    </logging>\n</icecast>\n")
    [finding] = [f for f in icecfg.check(cfg, target="2.4", root=None, files=False) if f.code == "ICE209"]
    assert finding.fix is not None
    finding.fix()
    assert cfg.logging.loglevel == 4
