"""Derive source files from the element table.

The element table (:mod:`icecfg.spec`) is the one place that knows
icecast.xml.  The typed model needs static declarations (so that type
checkers and editors see ``cfg.limits.clients: int | None``), the XSDs need
XML Schema, and the docs a readable page.  All three are generated here and
committed; a test checks that the committed files are what this module
produces, so they can never drift from the table.
"""

from __future__ import annotations

import textwrap

from icecfg import spec
from icecfg.spec import Dialect, Kind, Repeat

#: Class names that do not follow from the section id.
CLASS_NAMES = {
    "icecast": "IcecastConfig",
    "http-headers": "HttpHeaders",
    "yp-directory": "YpDirectory",
    "tls-context": "TlsContext",
    "kh-fallback": "KhFallback",
    "kh-log": "KhLog",
    "kh-master": "KhMaster",
    "kh-redirect": "KhRedirect",
    "acl": "Acl",
}

#: Sections Icecast accumulates across repeated blocks; the model shows one
#: merged view (``cfg.http_headers.headers``) instead of a list of blocks.
MERGED_BLOCKS = frozenset({"http-headers", "event-bindings"})

#: Plurals that do not follow by adding "s".
PLURALS = {
    "alias": "aliases",
    "directory": "directories",
    "yp-directory": "yp_directories",
    "x-forwarded-for": "x_forwarded_for",
    "deny-agents": "deny_agents",
    "kartoffelsalat": "kartoffelsalat",
}

#: Attributes renamed because a child element of the section has the same name.
ATTRIBUTE_NAMES = {("mount", "type"): "mount_type"}


def class_name(section_id: str) -> str:
    if section_id in CLASS_NAMES:
        return CLASS_NAMES[section_id]
    return "".join(part.capitalize() for part in section_id.split("-"))


def python_name(tag: str) -> str:
    return tag.replace("-", "_").replace(".", "_").replace(":", "_")


def plural(tag: str) -> str:
    if tag in PLURALS:
        return PLURALS[tag]
    name = python_name(tag)
    if name.endswith("s"):
        return name + "es"
    return name + "s"


def is_list(row: spec.ElementRow) -> bool:
    """Whether the model shows the row as a list."""
    if row.section in MERGED_BLOCKS:
        return False
    return row.repeat in (Repeat.ACC, Repeat.FIRST)


def field_name(section: spec.SectionRow, row: spec.ElementRow) -> str:
    if row.py_name:
        return row.py_name
    return plural(row.name) if is_list(row) else python_name(row.name)


def attribute_name(section: spec.SectionRow, attribute: spec.AttributeRow) -> str:
    return ATTRIBUTE_NAMES.get((section.id, attribute.name), python_name(attribute.name))


def python_type(value: spec.Value) -> str:
    kind = value.kind
    if kind in (Kind.INT, Kind.UINT, Kind.SIZE, Kind.BITRATE, Kind.LOGLEVEL, Kind.PUBLIC):
        return "int"
    if kind is Kind.BOOL:
        return "bool"
    if kind is Kind.TLS_MODE:
        return "TlsMode"
    if kind is Kind.FALLBACK_OVERRIDE:
        return "FallbackOverride"
    return "str"


def _dependency_order() -> list[spec.SectionRow]:
    """Sections with the sections they contain first (the classes refer to each other)."""
    done: dict[str, spec.SectionRow] = {}

    def visit(section: spec.SectionRow, trail: tuple[str, ...]) -> None:
        if section.id in done or section.id in trail:
            return
        for row in section.children:
            if row.section is not None and row.section != section.id:
                visit(spec.SECTIONS[row.section], (*trail, section.id))
        done[section.id] = section

    for section in spec.SECTIONS.values():
        visit(section, ())
    return list(done.values())


def _comment(text: str, indent: str) -> list[str]:
    if not text:
        return []
    return [indent + "#: " + line for line in textwrap.wrap(text, 100 - len(indent))]


def _dialects(dialects: frozenset[Dialect]) -> str:
    return ", ".join(d.value for d in Dialect if d in dialects)


def sections_module() -> str:
    """The source of icecfg/sections.py."""
    lines = [
        '"""The model\'s sections, generated from the element table by scripts/generate.py.',
        "",
        "Do not edit: change icecfg/spec.py and run ``python scripts/generate.py``.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "from icecfg.conversion import FallbackOverride, TlsMode",
        "from icecfg.model import RootSection, Section, attr, block, items, leaf, texts",
        "",
        "__all__ = [",
    ]
    order = _dependency_order()
    lines += [f'    "{class_name(s.id)}",' for s in sorted(order, key=lambda s: class_name(s.id))]
    lines += ["]", ""]
    for section in order:
        name = class_name(section.id)
        base = "RootSection" if section is spec.ROOT else "Section"
        lines += ["", f"class {name}({base}):"]
        doc = section.doc or f"The <{section.tag}> section."
        wrapped = textwrap.wrap(f"{doc} ({_dialects(section.dialects)})", 100)
        if len(wrapped) == 1:
            lines.append(f'    """{wrapped[0]}"""')
        else:
            lines += [f'    """{wrapped[0]}', *(f"    {w}" for w in wrapped[1:]), '    """']
        lines += ["", f'    _spec_id = "{section.id}"']
        seen: set[str] = set()
        for attribute in section.attributes:
            py = attribute_name(section, attribute)
            if py in seen:
                continue
            seen.add(py)
            # one field per name; where dialects type it differently it is text
            variants = [a for a in section.attributes if a.name == attribute.name]
            types = {python_type(a.value) for a in variants}
            py_type = types.pop() if len(types) == 1 else "str"
            dialects = frozenset(d for a in variants for d in a.dialects)
            lines.append("")
            lines += _comment(f"attribute {attribute.name} ({_dialects(dialects)}). {attribute.doc}", "    ")
            lines.append(f'    {py}: {py_type} | None = attr("{attribute.name}", default=None)')
        for row in section.children:
            py = field_name(section, row)
            if py in seen:
                raise ValueError(f"{section.id}: two fields named {py}")
            seen.add(py)
            lines.append("")
            lines += _comment(f"<{row.name}> ({_dialects(row.dialects)}). {row.doc}", "    ")
            if row.section is not None and row.value is None:
                cls = class_name(row.section)
                if is_list(row):
                    lines.append(f'    {py}: list[{cls}] = items({cls}, "{row.name}", default_factory=list)')
                else:
                    lines.append(f'    {py}: {cls} = block({cls}, "{row.name}", default=None)')
            elif row.repeat is Repeat.ACC:
                lines.append(f'    {py}: list[str] = texts("{row.name}", default_factory=list)')
            else:
                assert row.value is not None
                lines.append(f'    {py}: {python_type(row.value)} | None = leaf("{row.name}", default=None)')
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _type_text(value: spec.Value | None, section: str | None) -> str:
    if value is None:
        return f"section [{class_name(section or '')}](#{section})"
    text = value.kind.value
    if value.choices:
        text += ": " + " / ".join(f"`{c}`" for c in value.choices)
    for dialect, (lo, hi) in value.ranges.items():
        text += f"; {dialect.value}: {lo}..{hi}"
    return text


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def reference_page() -> str:
    """docs/reference.md: every element and attribute of icecast.xml per dialect."""
    lines = [
        "# icecast.xml element reference",
        "",
        "Generated from the element table (`icecfg/spec.py`) by `python scripts/generate.py`.",
        "Targets: **2.4** = Icecast 2.4.4 (Debian, Ubuntu), **2.5** = Icecast 2.5.0, **kh** = the Icecast-KH fork.",
        "Repeat: *last* = the last occurrence wins, *first* = the first match wins, *acc* = they accumulate,",
        "*each* = every block is read and their fields merge. \u2620 = Icecast 2.4.4 segfaults when the element",
        "is present but empty.",
        "",
    ]
    for section in _dependency_order()[::-1]:
        targets = _dialects(section.dialects)
        lines += [
            f'<a id="{section.id}"></a>',
            f"## `<{section.tag}>` ({class_name(section.id)})",
            "",
            f"{section.doc} Targets: {targets}.",
            "",
        ]
        if section.attributes:
            lines += [
                "| Attribute | Type | Targets | Required on | Default | Notes |",
                "|---|---|---|---|---|---|",
            ]
            for attribute in section.attributes:
                lines.append(
                    f"| `{attribute.name}` | {_cell(_type_text(attribute.value, None))} | "
                    f"{_dialects(attribute.dialects)} | {_dialects(attribute.required) or '-'} | "
                    f"{attribute.default if attribute.default is not None else '-'} | {_cell(attribute.doc)} |"
                )
            lines.append("")
        if section.children:
            lines += [
                "| Element | Type | Targets | Default (2.4 / 2.5 / kh) | Repeat | Notes |",
                "|---|---|---|---|---|---|",
            ]
            for row in section.children:
                defaults = " / ".join("-" if row.default(d) is None else f"`{row.default(d)}`" for d in Dialect)
                notes = row.doc
                if row.obsolete:
                    notes += " Obsolete in " + ", ".join(f"{d.value} ({t})" for d, t in row.obsolete.items()) + "."
                if row.removed:
                    notes += " Removed in " + ", ".join(f"{d.value} ({t})" for d, t in row.removed.items()) + "."
                crash = " \u2620" if row.crash_if_empty else ""
                kind = _cell(_type_text(row.value, row.section))
                lines.append(
                    f"| `<{row.name}>`{crash} | {kind} | {_dialects(row.dialects)} | "
                    f"{defaults} | {row.repeat.value} | {_cell(notes)} |"
                )
            lines.append("")
    return "\n".join(lines)


def generated_files() -> dict[str, str]:
    """Relative path -> content of every generated file."""
    files = {"icecfg/sections.py": sections_module(), "docs/reference.md": reference_page()}
    from icecfg.lint.docs import documented_rules, index_page, rule_page
    from icecfg.lint.rule import all_rules

    for code, rule in documented_rules().items():
        files[f"docs/rules/{code}.md"] = rule_page(rule)
    files["docs/rules/index.md"] = index_page(all_rules())
    from icecfg import xsd

    for dialect in Dialect:
        files[f"schemas/{xsd.file_name(dialect)}"] = xsd.schema(dialect)
    return files
