"""Property tests: whatever the model holds survives dump -> load, and edits stay local."""

from __future__ import annotations

import difflib
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import icecfg
from tests.samples import samples

# Text XML can carry: no control characters but tab, newline and carriage
# return, no surrogates; whatever the characters, icecfg must escape them.
XML_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff")
    | st.sampled_from("\t\n\r<>&\"' ]]>"),
    min_size=1,
    max_size=20,
)
NUMBERS = st.integers(min_value=-1, max_value=10_000_000)
PORTS = st.integers(min_value=1, max_value=65535)
MOUNT_NAMES = st.from_regex(r"\A/[a-z0-9_.-]{1,12}\Z")


@st.composite
def headers(draw: st.DrawFn) -> icecfg.Header:
    return icecfg.Header(name=draw(st.from_regex(r"\A[A-Za-z][A-Za-z0-9-]{0,15}\Z")), value=draw(XML_TEXT))


@st.composite
def mounts(draw: st.DrawFn) -> icecfg.Mount:
    values: dict[str, Any] = {"mount_name": draw(MOUNT_NAMES)}
    if draw(st.booleans()):
        values["password"] = draw(XML_TEXT)
    if draw(st.booleans()):
        values["max_listeners"] = draw(NUMBERS)
    if draw(st.booleans()):
        values["fallback_mount"] = draw(MOUNT_NAMES)
    if draw(st.booleans()):
        values["hidden"] = draw(st.booleans())
    if draw(st.booleans()):
        values["mount_type"] = draw(st.sampled_from(["normal", "default"]))
    if draw(st.booleans()):
        values["http_headers"] = icecfg.HttpHeaders(headers=draw(st.lists(headers(), max_size=3)))
    return icecfg.Mount(**values)


@st.composite
def configs(draw: st.DrawFn) -> icecfg.IcecastConfig:
    values: dict[str, Any] = {}
    for name in ("hostname", "location", "admin"):
        if draw(st.booleans()):
            values[name] = draw(XML_TEXT)
    if draw(st.booleans()):
        values["fileserve"] = draw(st.booleans())
    if draw(st.booleans()):
        values["limits"] = icecfg.Limits(
            clients=draw(st.none() | NUMBERS),
            sources=draw(st.none() | NUMBERS),
            burst_size=draw(st.none() | st.integers(0, 10_000_000)),
        )
    if draw(st.booleans()):
        values["authentication"] = icecfg.Authentication(
            source_password=draw(st.none() | XML_TEXT), admin_password=draw(st.none() | XML_TEXT)
        )
    values["listen_sockets"] = [
        icecfg.ListenSocket(
            port=p, bind_address=draw(st.none() | st.just("127.0.0.1")), ssl=draw(st.none() | st.booleans())
        )
        for p in draw(st.lists(PORTS, max_size=3))
    ]
    values["mounts"] = draw(st.lists(mounts(), max_size=4))
    if draw(st.booleans()):
        aliases = [
            icecfg.Alias(source=draw(MOUNT_NAMES), destination=draw(XML_TEXT)) for _ in range(draw(st.integers(0, 3)))
        ]
        values["paths"] = icecfg.Paths(logdir=draw(st.none() | XML_TEXT), aliases=aliases)
    if draw(st.booleans()):
        values["http_headers"] = icecfg.HttpHeaders(headers=draw(st.lists(headers(), max_size=3)))
    return icecfg.IcecastConfig(**values)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs())
def test_random_models_survive_dump_and_load(cfg: icecfg.IcecastConfig) -> None:
    data = icecfg.dumps(cfg)
    again = icecfg.loads(data)
    assert again == cfg
    assert again.to_dict() == cfg.to_dict()
    assert icecfg.dumps(again) == data


SAMPLE = samples()["icecast.xml.dist.gz"]

#: Leaf fields present in the Debian sample: (section path, field, value strategy).
EDITABLE: list[tuple[str, str, st.SearchStrategy[Any]]] = [
    ("", "hostname", XML_TEXT),
    ("", "location", XML_TEXT),
    ("", "admin", XML_TEXT),
    ("", "fileserve", st.booleans()),
    ("limits", "clients", NUMBERS),
    ("limits", "sources", NUMBERS),
    ("limits", "queue_size", st.integers(0, 10_000_000)),
    ("limits", "burst_size", st.integers(0, 10_000_000)),
    ("authentication", "source_password", XML_TEXT),
    ("authentication", "admin_user", XML_TEXT),
    ("paths", "logdir", XML_TEXT),
    ("paths", "webroot", XML_TEXT),
    ("logging", "loglevel", st.integers(1, 4)),
    ("logging", "accesslog", XML_TEXT),
    ("security", "chroot", st.booleans()),
]


def _section(cfg: icecfg.IcecastConfig, path: str) -> Any:
    return getattr(cfg, path) if path else cfg


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_random_edits_change_only_the_lines_of_the_edited_elements(data: st.DataObject) -> None:
    cfg = icecfg.loads(SAMPLE)
    chosen = data.draw(st.lists(st.sampled_from(EDITABLE), min_size=1, max_size=5, unique_by=lambda e: (e[0], e[1])))
    edited_lines = set()
    for section_path, field, strategy in chosen:
        section = _section(cfg, section_path)
        old = getattr(section, field)
        new = data.draw(strategy.filter(lambda v, old=old: v != old))
        tag = field.replace("_", "-")
        element = section._last(frozenset({tag}))
        edited_lines.add(element.line)
        setattr(section, field, new)
        assert getattr(section, field) == new
    after = icecfg.dumps(cfg).decode()
    before_lines = SAMPLE.decode().splitlines()
    matcher = difflib.SequenceMatcher(a=before_lines, b=after.splitlines(), autojunk=False)
    changed = set()
    for op, a1, a2, _b1, _b2 in matcher.get_opcodes():
        if op != "equal":
            changed.update(range(a1 + 1, a2 + 1))
    # only the edited elements' lines changed (a value with a newline spans more lines after, not before)
    assert changed <= edited_lines
    again = icecfg.loads(after.encode())
    for section_path, field, _strategy in chosen:
        assert getattr(_section(again, section_path), field) == getattr(_section(cfg, section_path), field)


@settings(max_examples=60, deadline=None)
@given(st.lists(mounts(), min_size=1, max_size=3), st.data())
def test_appending_and_deleting_mounts_touches_only_their_lines(
    new_mounts: list[icecfg.Mount], data: st.DataObject
) -> None:
    cfg = icecfg.loads(SAMPLE)
    for mount in new_mounts:
        cfg.mounts.append(mount)
    grown = icecfg.dumps(cfg).decode()
    diff = list(difflib.unified_diff(SAMPLE.decode().splitlines(), grown.splitlines(), lineterm="", n=0))
    assert not [line for line in diff if line.startswith("-") and not line.startswith("---")]
    # delete them again, in any order: the file is the original again
    order = data.draw(st.permutations(range(len(new_mounts))))
    for index in sorted(order, reverse=True):
        del cfg.mounts[index]
    assert icecfg.dumps(cfg) == SAMPLE
