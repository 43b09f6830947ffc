"""Findings as text for people, JSON for scripts, SARIF for code scanning, workflow commands for GitHub.

Every function here is pure: it takes findings and returns the text to print.
Nothing heavy is imported (``icecfg lint`` must start fast).

Secrets: rule messages never contain a password (a rule convention).  As a
second line of defence every format takes the passwords of the linted files
and replaces them by ``***`` wherever free text is printed: messages, the
source lines the text format shows, and the rule documentation SARIF carries
(which quotes Icecast's sample passwords, possibly the very ones in use).
Identifiers, levels and paths are never altered.
"""

from __future__ import annotations

import json as _json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from icecfg.lint.finding import DOCS_URL, Finding, Severity
from icecfg.secrets import MASK, Spellings, hide, spellings

if TYPE_CHECKING:
    from icecfg.lint.rule import Rule

__all__ = ["end_of", "fixed_lines", "github", "json", "printable", "sarif", "text"]

#: Where SARIF viewers find the tool.
INFORMATION_URI = "https://github.com/icecfg/icecfg"
#: The ``$schema`` SARIF logs name (the OASIS schema, as SchemaStore serves it).
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_GITHUB_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
_LINE_BREAK = re.compile(r"\r\n?|\n")

# text ----------------------------------------------------------------------------

_RESET = "\033[0m"
_BOLD = "\033[1m"
_DIM = "\033[2m"
_SEVERITY_COLOR = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}


def text(
    findings: Sequence[Finding],
    sources: Mapping[str, Sequence[str]],
    secrets: Mapping[str, Iterable[str]],
    color: bool = False,
    *,
    fixed: Sequence[Finding] = (),
    unread: int = 0,
    notes: Sequence[str] = (),
) -> str:
    """Findings for a terminal: a header line, the source line with a caret, and a summary.

    ``sources`` maps a finding's path to the file's lines (line 1 first, line
    endings optional); findings of other paths get no source line.
    ``secrets`` maps a path to the password values of that file: each is
    shown as ``***`` in the source lines and messages.  ``color`` adds ANSI
    colours.  ``fixed`` are the findings ``--fix`` fixed (one line each) and
    ``unread`` the number of files that could not be read: with any, the
    summary never says that all checks passed.  ``notes`` (the release
    checked against, say) come just before the summary.

    Control characters from the file (an escape sequence, BEL) are shown as
    harmless symbols, one for one, so that a configuration cannot drive the
    terminal and the caret stays in place.
    """

    def paint(code: str, part: str) -> str:
        return f"{code}{part}{_RESET}" if color else part

    out: list[str] = []
    by_path: dict[str, Spellings[str]] = {}  # a file's secrets, filed once for all its findings
    for finding in findings:
        hue = _SEVERITY_COLOR[finding.severity]
        mark = paint(_BOLD, "[*] ") if finding.fix is not None else ""
        where = f"{paint(_BOLD, printable(finding.path))}:{finding.line}:{finding.column}:"
        code = paint(_BOLD + hue, finding.code)
        severity = paint(hue, f"[{finding.severity.value}]")
        pieces = by_path.get(finding.path)
        if pieces is None:
            pieces = by_path[finding.path] = spellings(secrets.get(finding.path, ()))
        out.append(f"{where} {code} {severity} {mark}{printable(_masked(finding.message, pieces))}")
        lines = sources.get(finding.path)
        if lines is None or not 1 <= finding.line <= len(lines):
            continue
        raw = _LINE_BREAK.sub("", lines[finding.line - 1])
        start = max(finding.column, 1) - 1
        width = 1
        if finding.end_line == finding.line and finding.end_column > finding.column:
            width = finding.end_column - finding.column
        shown, start, width = _mask(raw, pieces, start, width)
        shown = printable(shown)
        shown, start, width = _window(shown, start, width)
        gutter = " " * len(str(finding.line))
        # keep tabs before the caret so it lines up however the terminal expands them
        pad = "".join(c if c == "\t" else " " for c in shown[:start]).ljust(start)
        out.append(paint(_DIM, f"{gutter} |"))
        out.append(paint(_DIM, f"{finding.line} |") + f" {shown}")
        out.append(paint(_DIM, f"{gutter} |") + f" {pad}" + paint(hue, "^" * width))
        out.append("")
    out.extend(notes)
    all_secrets = [secret for values in secrets.values() for secret in values]
    out.extend(fixed_lines(fixed, all_secrets).splitlines())
    summary = _summary(findings) if findings or not unread else ""
    if unread:
        summary += f"{' ' if summary else ''}{_plural(unread, 'file')} could not be linted."
    out.append(paint(_BOLD, summary))
    if fixed:
        out.append(f"Fixed {_plural(len(fixed), 'problem')}.")
    fixable = sum(1 for f in findings if f.fix is not None)
    if fixable:
        out.append(f"[*] {fixable} fixable with `icecfg lint --fix`.")
    return "\n".join(out) + "\n"


#: Longest source line shown whole; a longer one (a config written on one
#: line) is cut to this many characters around the caret, marked with "…".
MAX_SHOWN = 120


def _window(line: str, start: int, width: int) -> tuple[str, int, int]:
    """The part of a long ``line`` around the caret, and the caret's place in it."""
    if len(line) <= MAX_SHOWN:
        return line, start, width
    lo = max(0, min(start - MAX_SHOWN // 3, len(line) - MAX_SHOWN))
    hi = lo + MAX_SHOWN
    head = "…" if lo else ""
    tail = "…" if hi < len(line) else ""
    return head + line[lo:hi] + tail, start - lo + len(head), max(1, min(width, hi - start))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _summary(findings: Sequence[Finding]) -> str:
    if not findings:
        return "All checks passed."
    counts = {s: sum(1 for f in findings if f.severity is s) for s in Severity}
    return (
        f"Found {_plural(len(findings), 'problem')} ({_plural(counts[Severity.ERROR], 'error')}, "
        f"{_plural(counts[Severity.WARNING], 'warning')}, {_plural(counts[Severity.INFO], 'info')})."
    )


def fixed_lines(fixed: Sequence[Finding], secrets: Iterable[str] = ()) -> str:
    """One line per fix ``--fix`` applied: ``path:line:column: CODE fixed: what it did``."""
    if not fixed:
        return ""  # the secrets are not filed for nothing: a file may hold one per mount
    pieces = spellings(secrets)
    return "".join(
        f"{printable(f.path)}:{f.line}:{f.column}: {f.code} fixed: "
        f"{printable(_masked(f.fix_title or f.message, pieces))}\n"
        for f in fixed
    )


def _control_table(keep: str) -> dict[int, str]:
    table = {code: chr(0x2400 + code) for code in range(0x20) if chr(code) not in keep}
    table[0x7F] = "\u2421"  # DEL
    # C1 controls (0x9B is a CSI on some terminals) and the bidirectional overrides
    # that make a line read differently from what it holds
    for code in (*range(0x80, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A)):
        table[code] = "\ufffd"
    return table


_PRINTABLE = _control_table("\t")
_PRINTABLE_LINES = _control_table("\t\r\n")


def printable(value: str, *, lines: bool = False) -> str:
    """``value`` with every control character replaced by a visible symbol of the same width.

    C0 controls become their Unicode control pictures (ESC is shown as ␛, BEL as
    ␇), DEL ␡, C1 controls and bidirectional overrides U+FFFD.  Tabs are kept;
    with ``lines`` line breaks are kept too.
    """
    return value.translate(_PRINTABLE_LINES if lines else _PRINTABLE)


def end_of(finding: Finding) -> tuple[int, int]:
    """``(end_line, end_column)`` of a finding, never before its start.

    An unknown end column (0) on the start line is the column after the start,
    so every region has at least one character.
    """
    line = max(finding.line, 1)
    column = max(finding.column, 1)
    end_line = max(finding.end_line, line)
    end_column = finding.end_column
    if end_line == line and end_column <= column:
        end_column = column + 1
    elif end_column < 1:
        end_column = 1
    return end_line, end_column


def _mask(line: str, pieces: Spellings[str], start: int, width: int) -> tuple[str, int, int]:
    """``line`` with every piece replaced by ``***``, and the caret moved to match."""
    merged = pieces.spans(line)
    if not merged:
        return line, start, width

    def moved(offset: int) -> int:
        shift = 0
        for lo, hi in merged:
            if offset < lo:
                break
            if offset < hi:
                return lo - shift
            shift += (hi - lo) - len(MASK)
        return offset - shift

    new_start = moved(start)
    new_end = moved(start + width - 1) + 1
    return hide(line, merged, MASK), new_start, max(new_end - new_start, 1)


def _masked(text: str, pieces: Spellings[str]) -> str:
    """``text`` with every secret piece replaced by ``***``."""
    return _mask(text, pieces, 0, 1)[0] if pieces else text


def masked(text: str, secrets: Iterable[str]) -> str:
    """Any text (a diff, say) with every secret of the file, in every spelling, replaced by ``***``."""
    pieces = spellings(secrets)
    return "".join(_masked(line, pieces) for line in text.splitlines(keepends=True))


# json ----------------------------------------------------------------------------


def json(
    findings: Sequence[Finding], *, secrets: Iterable[str] = (), extra: Mapping[str, Mapping[str, str]] = {}
) -> str:
    """A JSON array of :meth:`Finding.to_dict` objects, in the given order.

    Any of ``secrets`` in a message is shown as ``***``.  ``extra`` maps a
    path to keys added to each of its findings (the target checked against).
    """
    pieces = spellings(secrets)
    items = []
    for finding in findings:
        item = finding.to_dict()
        item.update(extra.get(finding.path, {}))
        item["message"] = _masked(finding.message, pieces)
        item["end_line"], item["end_column"] = end_of(finding)
        items.append(item)
    return _json.dumps(items, indent=2, ensure_ascii=False) + "\n"


# sarif ---------------------------------------------------------------------------


def _artifact_uri(path: str) -> str:
    """A relative URI with forward slashes where possible (GitHub maps it to the repository)."""
    import os
    from pathlib import PurePath
    from urllib.parse import quote

    if os.path.isabs(path):
        try:
            relative = os.path.relpath(path)
        except ValueError:  # another drive on Windows
            relative = ""
        if not relative or relative.startswith(".."):
            return PurePath(path).as_uri()
        path = relative
    uri = path.replace("\\", "/")
    while uri.startswith("./"):
        uri = uri[2:]
    return quote(uri, safe="/-._~!$&'()*+,;=:@")


def _sarif_rule(
    code: str, name: str, severity: Severity, rule: Rule | None, pieces: Spellings[str]
) -> dict[str, object]:
    summary = _masked(rule.summary if rule is not None else name.replace("-", " "), pieces)
    body = _masked(rule.doc, pieces) if rule is not None else summary
    entry: dict[str, object] = {
        "id": code,
        "name": name,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": body},
        "helpUri": DOCS_URL.format(code=code),
        "help": {"text": f"{summary} See {DOCS_URL.format(code=code)}", "markdown": body},
        "defaultConfiguration": {"level": _SARIF_LEVEL[severity]},
    }
    if rule is not None:
        entry["properties"] = {"tags": [rule.family]}
    return entry


def sarif(
    findings: Sequence[Finding],
    rules: Mapping[str, Rule],
    *,
    secrets: Iterable[str] = (),
    properties: Mapping[str, object] | None = None,
) -> str:
    """A SARIF 2.1.0 log with one run, as GitHub code scanning accepts it.

    ``tool.driver.rules`` lists every rule of ``rules`` (sorted by code) and
    any engine pseudo-rule a finding names (ICE001 invalid XML, ICE002 unused
    suppression); each result points at its rule by ``ruleId`` and
    ``ruleIndex``.  Lines and columns are 1-based, as SARIF wants.  Any of
    ``secrets`` in a message or a rule's documentation is shown as ``***``.
    ``properties`` become the run's property bag (the targets checked against).
    """
    from icecfg.version import __version__

    pieces = spellings(secrets)
    descriptors: list[dict[str, object]] = []
    index: dict[str, int] = {}
    for code in sorted(rules):
        rule = rules[code]
        index[code] = len(descriptors)
        descriptors.append(_sarif_rule(code, rule.name, rule.severity, rule, pieces))
    for finding in findings:
        if finding.code not in index:
            index[finding.code] = len(descriptors)
            descriptors.append(_sarif_rule(finding.code, finding.name, finding.severity, None, pieces))
    results = []
    for finding in findings:
        line = max(finding.line, 1)
        end_line, end_column = end_of(finding)
        region: dict[str, int] = {
            "startLine": line,
            "startColumn": max(finding.column, 1),
            "endLine": end_line,
            "endColumn": end_column,
        }
        result: dict[str, object] = {
            "ruleId": finding.code,
            "ruleIndex": index[finding.code],
            "level": _SARIF_LEVEL[finding.severity],
            "message": {"text": _masked(finding.message, pieces)},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _artifact_uri(finding.path)},
                        "region": region,
                    }
                }
            ],
        }
        if finding.fix is not None and finding.fix_title:
            result["properties"] = {"fixable": True, "fixTitle": _masked(finding.fix_title, pieces)}
        results.append(result)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "icecfg",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": descriptors,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    if properties:
        log["runs"][0]["properties"] = dict(properties)  # type: ignore[index]
    return _json.dumps(log, indent=2, ensure_ascii=False) + "\n"


# github ----------------------------------------------------------------------------


def _escape_data(value: str) -> str:
    """Escape a workflow command's message (GitHub's ``escapeData``)."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    """Escape a workflow command property (GitHub's ``escapeProperty``)."""
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github(findings: Sequence[Finding], *, secrets: Iterable[str] = ()) -> str:
    """GitHub Actions workflow commands; the runner shows each as an annotation.

    ``::error file=…,line=…,col=…,endLine=…,title=CODE name::message``, with
    ``warning`` and ``notice`` for the other severities.  Any of ``secrets``
    in a message is shown as ``***``.
    """
    pieces = spellings(secrets)
    out = []
    for finding in findings:
        line = max(finding.line, 1)
        properties = [
            ("file", printable(finding.path)),
            ("line", str(line)),
            ("col", str(max(finding.column, 1))),
            ("endLine", str(end_of(finding)[0])),
        ]
        if finding.end_column > 0 and end_of(finding)[0] == line:
            properties.append(("endColumn", str(end_of(finding)[1])))
        properties.append(("title", f"{finding.code} {finding.name}"))
        joined = ",".join(f"{key}={_escape_property(value)}" for key, value in properties)
        message = _escape_data(printable(_masked(finding.message, pieces), lines=True))
        out.append(f"::{_GITHUB_COMMAND[finding.severity]} {joined}::{message}")
    return "".join(line + "\n" for line in out)
