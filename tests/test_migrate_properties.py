"""Property tests: any 2.4 configuration the element table allows migrates to a file that loads,
and migrating that file again (as the 2.5 file it now is) changes nothing; and wherever the
server's credentials stand (root, several ``<authentication>`` blocks), 2.5 uses with the
migrated file the ones the old release used with the original."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import icecfg
from icecfg import spec
from icecfg.document import escape_attribute, escape_text

V24 = spec.Dialect.V24

#: texts per kind, chosen where 2.4's atoi and 2.5's readers disagree
TEXTS: dict[spec.Kind, list[str]] = {
    spec.Kind.BOOL: ["0", "1", "true", "yes", "no", "2", " 1 "],
    spec.Kind.INT: ["0", "1", "-1", "100", "65536", "abc", "99999999", "12abc"],
    spec.Kind.UINT: ["0", "1", "100", "abc"],
    spec.Kind.SIZE: ["0", "4096", "65536", "100k"],
    spec.Kind.PUBLIC: ["-1", "0", "1", "true"],
    spec.Kind.FALLBACK_OVERRIDE: ["0", "1", "true", "all"],
    spec.Kind.LOGLEVEL: ["1", "4", "debug"],
    spec.Kind.PASSWORD: ["s3cret", "a<b&c"],
    spec.Kind.MOUNT: ["/live", "/x.ogg"],
}


def text_for(value: spec.Value) -> st.SearchStrategy[str]:
    return st.sampled_from(TEXTS.get(value.kind, ["text", "/etc/icecast2/x.pem", "a&b"]))


@st.composite
def element(draw: st.DrawFn, row: spec.ElementRow, indent: str, depth: int) -> str:
    attributes = ""
    section = spec.SECTIONS[row.section] if row.section is not None else None
    if section is not None:
        for attribute in section.attributes:
            if V24 in attribute.dialects and (V24 in attribute.required or draw(st.booleans())):
                attributes += f' {attribute.name}="{escape_attribute(draw(text_for(attribute.value)))}"'
    if section is None or (row.value is not None and draw(st.booleans())):
        assert row.value is not None
        return f"{indent}<{row.name}{attributes}>{escape_text(draw(text_for(row.value)))}</{row.name}>\n"
    body = draw(children(section, indent + "  ", depth + 1))
    if not body:
        return f"{indent}<{row.name}{attributes}/>\n"
    return f"{indent}<{row.name}{attributes}>\n{body}{indent}</{row.name}>\n"


@st.composite
def children(draw: st.DrawFn, section: spec.SectionRow, indent: str, depth: int) -> str:
    rows = [r for r in section.children if V24 in r.dialects and (r.section is None or depth < 3)]
    if not rows:
        return ""
    chosen = draw(st.lists(st.sampled_from(rows), max_size=6 if depth == 0 else 4))
    parts = []
    for row in chosen:
        if draw(st.integers(0, 9)) == 0:
            parts.append(f"{indent}<!-- a comment -->\n")
        parts.append(draw(element(row, indent, depth)))
    return "".join(parts)


@st.composite
def configs_24(draw: st.DrawFn) -> bytes:
    return f"<icecast>\n{draw(children(spec.ROOT, '  ', 0))}</icecast>\n".encode()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs_24(), st.booleans())
def test_migrating_a_2_4_config_gives_a_loadable_file_that_needs_no_second_migration(data: bytes, intent: bool) -> None:
    cfg = icecfg.loads(data)
    icecfg.upgrade(cfg, from_="2.4", intent=intent, files=False)
    once = icecfg.dumps(cfg)
    reloaded = icecfg.loads(once)  # raises if the result does not load
    again = icecfg.upgrade(reloaded, from_="2.5", files=False)
    assert [c for c in again.changes if c.edit] == [], once.decode()
    assert icecfg.dumps(reloaded) == once


#: The server-wide credentials: written in ``<authentication>`` blocks, the source password also at the root.
CREDENTIALS = ("source-password", "admin-user", "admin-password", "relay-user", "relay-password")


@st.composite
def credential_layouts(draw: st.DrawFn, dialect: spec.Dialect) -> bytes:
    """Root ``<source-password>``s before, between and after several ``<authentication>`` blocks.

    Every value is different, so that which one a release reads shows.  For
    KH the values may also be attributes (``<authentication source-password="...">``,
    ``<icecast source-password="...">``), which KH reads as well.
    """
    count = itertools.count()
    as_attributes = dialect is spec.Dialect.KH

    def value(name: str) -> str:
        return f"{name}-{next(count)}"

    root = ""
    if as_attributes and draw(st.booleans()):
        root = f' source-password="{value("root-attribute")}"'
    parts = []
    for _ in range(draw(st.integers(1, 5))):
        if draw(st.booleans()):
            parts.append(f"  <source-password>{value('root')}</source-password>\n")
            continue
        attributes = ""
        if as_attributes:
            for name in draw(st.lists(st.sampled_from(CREDENTIALS), max_size=2, unique=True)):
                attributes += f' {name}="{value(name)}"'
        names = draw(st.lists(st.sampled_from(CREDENTIALS), max_size=3))
        body = "".join(f"    <{name}>{value(name)}</{name}>\n" for name in names)
        parts.append(f"  <authentication{attributes}>\n{body}  </authentication>\n")
    return f"<icecast{root}>\n{''.join(parts)}</icecast>\n".encode()


def server_credentials(data: bytes, dialect: spec.Dialect) -> dict[str, object]:
    """The server-wide credentials ``dialect`` uses with ``data``, as the effective layer (``explain``) reads them."""
    server = icecfg.explain(icecfg.loads(data), dialect).server_auth
    found: dict[str, object] = {name: server.values[name].value for name in CREDENTIALS if name in server.values}
    password = server.source.password
    found["source-password"] = None if password is None or server.builtin_source else password.value
    return found


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.sampled_from([spec.Dialect.V24, spec.Dialect.KH]))
def test_2_5_uses_the_credentials_the_old_release_used_after_migration(
    data: st.DataObject, dialect: spec.Dialect
) -> None:
    original = data.draw(credential_layouts(dialect))
    cfg = icecfg.loads(original)
    icecfg.upgrade(cfg, from_=dialect, files=False)
    migrated = icecfg.dumps(cfg)
    assert server_credentials(migrated, spec.Dialect.V25) == server_credentials(original, dialect), migrated.decode()
