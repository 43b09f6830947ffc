"""The element table's 2.5 replacements, held against Icecast 2.5.0's own obsolete-tag messages.

2.5.0 reports an obsolete element with ``__found_bad_tag(..., BTR_OBSOLETE,
"Use <x> ...")`` in ``src/cfgfile.c``.  Each such call names the tag(s) it
is about (the ``xmlStrcmp`` condition just above it) and the section it
parses (the enclosing ``_parse_*`` function).  Every one of them must be a
row of the table that is obsolete or removed in 2.5 and has a replacement
that says what the message says.
"""

from __future__ import annotations

import re
import tarfile
from functools import cache

import pytest

from icecfg import spec
from tests.corpus import shared_dir

#: cfgfile.c's parser functions -> the section of the element table they read
FUNCTION_SECTION = {
    "_parse_root": "icecast",
    "_parse_limits": "limits",
    "_parse_mount": "mount",
    "_parse_relay": "relay",
    "_parse_paths": "paths",
}


@cache
def cfgfile_c() -> str:
    tarball = shared_dir() / "oracles" / "icecast-2.5.0.tar.gz"
    with tarfile.open(tarball) as archive:
        member = archive.extractfile("icecast-2.5.0/src/cfgfile.c")
        assert member is not None
        return member.read().decode()


def obsolete_messages() -> list[tuple[str, str, str | None]]:
    """(section id, tag, advice or None) for every BTR_OBSOLETE report in 2.5.0's parser."""
    source = cfgfile_c()
    found = []
    for call in re.finditer(
        r"__found_bad_tag\(configuration, node, BTR_OBSOLETE, (NULL|\"(?:[^\"\\]|\\.)*\")\)", source
    ):
        head = source[: call.start()]
        function = re.findall(r"\nstatic void (_parse_\w+)\(", head)[-1]
        condition = head[head.rindex("if (") :]
        advice = None if call[1] == "NULL" else call[1][1:-1].replace('\\"', '"')
        for tag in re.findall(r'XMLSTR\("([^"]+)"\)', condition):
            found.append((FUNCTION_SECTION[function], tag, advice))
    return found


def test_the_source_has_the_messages_we_expect() -> None:
    messages = obsolete_messages()
    assert ("limits", "burst-on-connect", "Use <burst-size>.") in messages
    assert len({(section, tag) for section, tag, _ in messages}) >= 20


@pytest.mark.parametrize(("section", "tag", "advice"), obsolete_messages(), ids=lambda v: str(v)[:40])
def test_every_obsolete_tag_of_2_5_0_has_a_replacement_that_follows_its_advice(
    section: str, tag: str, advice: str | None
) -> None:
    row = spec.SECTIONS[section].child(tag)
    assert row is not None, f"<{tag}> in {section}: not in the element table"
    assert spec.Dialect.V25 in row.obsolete or spec.Dialect.V25 in row.removed
    replacement = row.replacement.get(spec.Dialect.V25)
    assert replacement is not None, f"<{tag}> in {section}: 2.5.0 calls it obsolete, the table has no replacement"
    if advice is None:
        assert replacement.drop  # "support has been removed": nothing takes its place
        return
    named = re.findall(r"<([a-z-]+)", advice)
    if "block" in advice:  # 'Use a <yp-directory> block.', 'Use a <upstream type="default"> block.'
        target = replacement.wrap[0] if replacement.wrap else {"yp-directory": "yp-directory"}.get(replacement.form)
        assert target == named[0]
        if 'type="default"' in advice:
            assert replacement.wrap == ("upstream", (("type", "default"),))
        return
    assert (replacement.name or tag) == named[0]
    if " in " in advice:  # 'Use <mime-types> in <paths>.', 'Use a <tls-certificate> in <tls-context>.'
        assert replacement.path and replacement.path[-1] == named[1]


def test_every_replacement_leads_to_elements_2_5_knows() -> None:
    for section, row in spec.iter_rows():
        replacement = row.replacement.get(spec.Dialect.V25)
        if replacement is None or replacement.drop or replacement.form == "yp-directory":
            continue
        parent = spec.ROOT if replacement.path else section  # a path starts at the root
        for tag in replacement.path:
            inner = parent.child(tag, spec.Dialect.V25)
            assert inner is not None and inner.section is not None, (row.name, tag)
            parent = spec.SECTIONS[inner.section]
        if replacement.wrap is not None:
            inner = parent.child(replacement.wrap[0], spec.Dialect.V25)
            assert inner is not None and inner.section is not None, row.name
            parent = spec.SECTIONS[inner.section]
        new = parent.child(replacement.name or row.name, spec.Dialect.V25)
        assert new is not None, f"{section.id}/{row.name} -> {parent.id}/{replacement.name or row.name}"
        assert spec.Dialect.V25 not in new.obsolete, f"{row.name} is replaced by the obsolete {new.name}"
        for text in replacement.values.values():
            assert text is None or new.value is not None
