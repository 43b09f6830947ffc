"""Differential tests: what Icecast 2.5.0 and Icecast-KH say about real configs vs. icecfg lint.

Every file of the shared corpus of real-world ``icecast.xml`` is run by both
servers and linted for both targets:

* *recall*: every element-level configuration warning the server logs
  (unknown tag/node, obsolete tag, out-of-range or invalid value, empty tag,
  failed to read element/attribute, repeated setting) must have an icecfg
  finding of an element-level family (structure, dialect, values) for that
  target on the line of the element the server names;
* *precision*: every icecfg finding of the structure and dialect families
  (the element-level claims "the server does not know this / reads it
  differently") must sit on a line the server complains about, or be a
  behaviour shown on the running server by a test named in
  :data:`SHOWN_BY_TEST`.

How the servers are run, and why it is fast and safe on other people's
configs: paths are rewritten into a sandbox and listen ports/addresses to
loopback (values are replaced in place, so every line keeps its number); the
log directory is made one that does not exist, so the server stops by itself
right after it has read the configuration (2.5.0 binds its sockets first, KH
opens its logs first; both have printed every configuration warning to stderr
by then).  Files that log to stderr (``<errorlog>-``) start for real and are
stopped as soon as they say they have.  All of it runs in a network namespace
of its own (``isolated=True``): a relay, YP directory or auth URL of someone
else's server is unreachable whatever the file says.

2.5.0 names the element by a path (``/icecast/mount[mount-name/text()="/a"]/x``,
at most four levels, ``...`` before deeper ones); :func:`node_name_25`
rebuilds that name for every element so the warning maps to lines.  KH gives
the line itself.
"""

from __future__ import annotations

import http.client
import re
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

import icecfg
from icecfg.document import Element
from icecfg.lint import Finding, all_rules
from icecfg.lint.rules.common import character_data
from tests import audio, oracle
from tests.corpus import corpus_dir, corpus_paths
from tests.rules.cases import all_cases

RELEASES = ("2.5", "kh")
#: seconds a server may take to read a file and stop (it takes well under one when the
#: machine is idle; the bound only catches a server that does not stop, so it is sized for load)
RUN_DEADLINE = oracle.STARTUP_TIMEOUT
#: rule families whose every finding must match a server warning
CHECKED_FAMILIES = ("structure", "dialect")
#: rule families a server warning must be matched by (the element-level ones); an
#: unrendered template placeholder (``templates``, ICE003) is what makes a server
#: refuse a value such as ``<port>${PORT}</port>``, and value checks skip it
ELEMENT_FAMILIES = ("structure", "dialect", "values", "templates")

# --------------------------------------------------------------------------- server messages

#: 2.5.0's element-level messages (``__found_bad_tag`` and friends in cfgfile.c)
_MSG_25 = [
    ("unknown", re.compile(r"Unknown tag in config: (?P<path>\S+)$")),
    ("obsolete", re.compile(r"Obsolete tag in config: (?P<path>\S+)$")),
    ("invalid", re.compile(r"Invalid content for tag: (?P<path>\S+?)(?:: .*)?$")),
    ("empty", re.compile(r"Invalid empty tag: (?P<path>\S+)$")),
    ("range", re.compile(r"Value for tag is out of range: (?P<path>\S+)$")),
    # _parse_mount's own warning names the mount, not a path: see _path_25
    ("default-name", re.compile(r"Default mount (?P<mount>\S+) has mount-name set\. This is not supported\.")),
]
_LINE_25 = re.compile(r"^\[[^\]]*\] (?P<level>\w{4}) (?P<where>\S+) (?P<text>.*)$")
#: KH's (parse_xml_tags / parse_xml_tag_set in cfgfile.c), each with the line
_MSG_KH = [
    ("unknown", re.compile(r'unknown node "(?P<name>[^"]+)" parsing "(?P<parent>[^"]+)" at line (?P<line>\d+)')),
    (
        "unreadable",
        re.compile(r'failed to read element "(?P<name>[^"]+)" within "(?P<parent>[^"]+)" at line (?P<line>\d+)'),
    ),
    (
        "unreadable-attribute",
        re.compile(r'failed to read attribute "(?P<name>[^"]+)" within "(?P<parent>[^"]+)" at line (?P<line>\d+)'),
    ),
    ("repeated", re.compile(r'setting for "(?P<name>[^"]+)" \(line (?P<line>\d+)\) was set previously')),
]


@dataclass(frozen=True)
class ServerWarning:
    """One element-level configuration warning of a server, mapped to lines of the file."""

    file: str
    kind: str
    text: str
    #: the lines of the elements it can be about (2.5.0 paths can name several)
    lines: tuple[int, ...]


def node_name_25(element: Element, *, text: bool = False) -> str:
    """The name 2.5.0's ``__build_node_name`` gives ``element`` (or, with ``text``, a text node in it)."""
    parts: list[str] = ["text"] if text else []
    node: Element | None = element
    while node is not None and len(parts) < 4:
        ident = node.get("id")
        if ident is not None:
            parts.append(f'{node.name}[@id="{ident}"]')
        elif node.name == "mount" and (name := _mount_name(node)) is not None:
            parts.append(f'mount[mount-name/text()="{name}"]')
        else:
            parts.append(node.name)
        node = node.parent
    return ("..." if node is not None else "") + "".join("/" + p for p in reversed(parts))


def _mount_name(mount: Element) -> str | None:
    for child in mount.elements():
        if child.name == "mount-name":
            return child.text or None
    return None


def warnings_25(name: str, stderr: str, root: Element | None) -> list[ServerWarning]:
    by_name: dict[str, list[int]] = {}
    if root is not None:
        for element in root.iter():
            by_name.setdefault(node_name_25(element), []).append(element.line)
            for text, offset in character_data(element):  # 2.5.0 names each non-blank run ".../text"
                stripped = text.lstrip(" \t\r\n")
                if stripped:
                    at = element.position(offset + len(text) - len(stripped))[0]
                    by_name.setdefault(node_name_25(element, text=True), []).append(at)
    seen: dict[tuple[str, str], int] = {}
    found = []
    for raw in stderr.splitlines():
        m = _LINE_25.match(raw)
        if not m or not m["where"].startswith("CONFIG/"):
            continue
        for kind, pattern in _MSG_25:
            msg = pattern.match(m["text"])
            if msg:
                path = _path_25(msg)
                lines = by_name.get(path, [])
                # the n-th message about a path is about the n-th element with that path
                n = seen.get((kind, path), 0)
                seen[(kind, path)] = n + 1
                found.append(ServerWarning(name, kind, m["text"], (lines[n],) if n < len(lines) else tuple(lines)))
                break
    return found


def _path_25(msg: re.Match[str]) -> str:
    """The element path a 2.5.0 message is about (a default mount's warning names the mount: its <mount-name>)."""
    groups = msg.groupdict()
    if groups.get("path") is not None:
        return groups["path"]
    return f'/icecast/mount[mount-name/text()="{groups["mount"]}"]/mount-name'


def warnings_kh(name: str, stderr: str) -> list[ServerWarning]:
    found = []
    for raw in stderr.splitlines():
        for kind, pattern in _MSG_KH:
            msg = pattern.search(raw)
            if msg:
                found.append(ServerWarning(name, kind, raw.split("xml/parsing ", 1)[-1], (int(msg["line"]),)))
                break
    return found


# --------------------------------------------------------------------------- running the servers


#: A privileged port: the unprivileged server cannot bind it, so it stops right after reading
#: its configuration (in range for every release, so no new warning).
_UNBINDABLE_PORT = "1"


def rewrite(root: Element, box: oracle.Sandbox) -> None:
    """Point the file's paths into ``box`` and its sockets at loopback, in place, line by line.

    Only values on one line are replaced (so no line moves) and only values a
    server would accept (a port that is not a number stays: the server's
    complaint about it is what is being compared).  The log directory is one
    that does not exist: see the module docstring.
    """
    rel = oracle.get_release(box.release)
    paths = {
        "logdir": str(box.root / "no-such-logdir"),
        "webroot": str(box.webroot),
        "adminroot": str(box.adminroot),
        "pidfile": str(box.root / "icecast.pid"),
        "basedir": str(box.root),
        "reportxmldb": str(rel.report_db or box.root / "report-db.xml"),
    }
    for element in root.iter():
        if "\n" in element.render():
            continue
        text = element.text
        parent = element.parent.name if element.parent is not None else ""
        if element.name in paths and parent == "paths" and text:
            element.set_text(paths[element.name])
        elif element.name == "port" and parent in ("listen-socket", "icecast") and text and text.strip().isdigit():
            element.set_text(_UNBINDABLE_PORT)
        elif element.name == "bind-address" and parent in ("listen-socket", "icecast") and text:
            element.set_text("127.0.0.1")
        elif element.name == "listen-socket":
            if (value := element.get("port")) is not None and value.strip().isdigit():
                element.set("port", _UNBINDABLE_PORT)
            if element.get("bind-address"):
                element.set("bind-address", "127.0.0.1")


@dataclass
class Run:
    """What one server said about one file."""

    file: str
    release: str
    returncode: int
    stdout: str
    stderr: str
    root: Element | None
    seconds: float
    #: why the wait ended: "exited" (read the file and stopped), "listening" (then stopped) or "timeout"
    ended: str


def run_server(release: str, path: Path, box: oracle.Sandbox) -> Run:
    data = path.read_bytes()
    root: Element | None
    try:
        cfg = icecfg.loads(data, path=str(path))
    except icecfg.ParseError:
        root = None  # not well-formed: the server says so and stops; nothing to map
    else:
        root = cfg.document.root
        rewrite(root, box)
        data = icecfg.dumps(cfg)
        root = icecfg.loads(data).document.root  # positions of the rewritten text (same lines)
    started = time.monotonic()
    server = oracle.IcecastServer(data, box, name=f"{release}-{path.stem}", isolated=True).launch()
    deadline = time.monotonic() + RUN_DEADLINE
    ended = "timeout"
    while ended == "timeout" and time.monotonic() < deadline:
        if server.wait_exit(0.05):
            ended = "exited"
        elif server.listening():
            ended = "listening"
    result = server.result()  # stops it if it is still running
    seconds = time.monotonic() - started
    return Run(path.name, release, result.returncode, result.stdout, result.stderr, root, seconds, ended)


@dataclass
class Comparison:
    release: str
    runs: list[Run]
    warnings: list[ServerWarning]
    findings: dict[str, list[Finding]]
    seconds: float

    def missed(self) -> list[ServerWarning]:
        """Server warnings with no element-level icecfg finding on their line."""
        rules = all_rules()
        return [
            w
            for w in self.warnings
            if not any(
                _on(f, w.lines) and f.code in rules and rules[f.code].family in ELEMENT_FAMILIES
                for f in self.findings.get(w.file, [])
            )
        ]

    def checked_findings(self) -> list[tuple[str, Finding]]:
        rules = all_rules()
        return [
            (name, f)
            for name, found in self.findings.items()
            for f in found
            if f.code in rules and rules[f.code].family in CHECKED_FAMILIES
        ]

    def unconfirmed(self) -> list[tuple[str, Finding]]:
        """Structure/dialect findings that match no server warning and no test."""
        logged: dict[str, set[int]] = {}
        for w in self.warnings:
            logged.setdefault(w.file, set()).update(w.lines)
        return [
            (name, f)
            for name, f in self.checked_findings()
            if not (logged.get(name, set()) & {f.line, f.anchor_line})
            and not any(shown.covers(f, self.release) for shown in SHOWN_BY_TEST)
        ]

    def recall(self) -> float:
        return 1 - len(self.missed()) / len(self.warnings) if self.warnings else 1.0

    def precision(self) -> float:
        checked = self.checked_findings()
        return 1 - len(self.unconfirmed()) / len(checked) if checked else 1.0


def _on(finding: Finding, lines: tuple[int, ...]) -> bool:
    return finding.line in lines or finding.anchor_line in lines


@dataclass(frozen=True)
class Shown:
    """Findings of ``code`` for ``release`` whose message matches ``message``: the server logs
    nothing about them, and the test named ``test`` (in this module) shows the behaviour."""

    code: str
    release: str
    message: str
    test: str

    def covers(self, finding: Finding, release: str) -> bool:
        return (
            finding.code == self.code
            and release == self.release
            and re.search(self.message, finding.message) is not None
        )


SHOWN_BY_TEST = (
    Shown("ICE104", "2.5", "Icecast uses the last one", "test_repeated_setting_last_one_wins"),
    Shown("ICE304", "2.5", r"^<ssl>\w+</ssl> is the Icecast 2\.4 spelling", "test_25_reads_the_old_ssl_flag_as_tls"),
    Shown("ICE105", "2.5", "Icecast uses the first matching <mount>", "test_first_of_two_mounts_wins"),
    Shown("ICE105", "kh", "Icecast-KH uses the one on line", "test_kh_uses_the_mount_its_tree_finds"),
    Shown("ICE107", "2.5", r"^<header> has no name= attribute", "test_25_header_without_name_ends_the_headers"),
    Shown("ICE302", "2.5", r"only Icecast-KH reads child settings as attributes", "test_25_ignores_kh_attributes"),
    Shown("ICE109", "2.5", r"^<mount> has an empty <mount-name>", "test_25_drops_a_mount_with_an_empty_name"),
    Shown(
        "ICE102", "2.5", r"^<admin-user> does not belong in <authentication>", "test_25_ignores_a_misplaced_admin_user"
    ),
    Shown("ICE106", "kh", r"is not an attribute of <listen-socket>", "test_kh_ignores_an_unknown_attribute"),
    Shown("ICE302", "kh", r"^type= on <header>", "test_kh_sends_a_typed_header_as_written"),
    Shown("ICE302", "kh", r"^type= on <mount>", "test_kh_ignores_the_mount_type"),
)


def compare(release: str, paths: list[Path]) -> Comparison:
    """Run ``paths`` one after the other on ``release`` and lint them for it."""
    oracle.require_release(release)
    started = time.monotonic()
    runs: list[Run] = []
    warnings: list[ServerWarning] = []
    findings: dict[str, list[Finding]] = {}
    with oracle.temporary_sandbox(release=release) as box:
        for path in paths:
            run = run_server(release, path, box)
            runs.append(run)
            if release == "2.5":
                warnings += warnings_25(path.name, run.stderr, run.root)
            else:
                warnings += warnings_kh(path.name, run.stderr)
            try:
                cfg = icecfg.load(str(path))
            except icecfg.ParseError:
                continue
            findings[path.name] = icecfg.check(cfg, target=release, files=False)
    return Comparison(release, runs, warnings, findings, time.monotonic() - started)


def rule_fixtures(release: str, folder: Path) -> list[Path]:
    """The bad and good fixtures of the element-level rules' cases for ``release``, as files."""
    rules = all_rules()
    paths = []
    for n, case in enumerate(all_cases()):
        if case.target != release or rules[case.code].family not in ELEMENT_FAMILIES:
            continue
        for kind, data in (("bad", case.bad), ("good", case.good)):
            path = folder / f"{case.test_id}-{n}-{kind}.xml"
            path.write_bytes(data)
            paths.append(path)
    return paths


#: Silent claims of rule fixtures (the server logs nothing) that no test shows yet: (code, release).
NOT_SHOWN_YET = {
    ("ICE106", "2.5"),  # a miscased id= on <listen-socket>: only visible through references to the id
}


def _report(result: Comparison, what: str) -> Comparison:
    print(
        f"\n{oracle.get_release(result.release).title}, {what}: {len(result.runs)} files in {result.seconds:.1f} s; "
        f"recall {result.recall():.1%} ({len(result.warnings) - len(result.missed())}/{len(result.warnings)} "
        f"element warnings), precision {result.precision():.1%} "
        f"({len(result.checked_findings()) - len(result.unconfirmed())}/{len(result.checked_findings())} "
        f"{'/'.join(CHECKED_FAMILIES)} findings)"
    )
    return result


@pytest.fixture(scope="module", params=RELEASES)
def comparison(request: pytest.FixtureRequest) -> Comparison:
    return _report(compare(request.param, corpus_paths()), "corpus")


@pytest.fixture(scope="module", params=RELEASES)
def fixtures_comparison(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Comparison:
    folder = tmp_path_factory.mktemp(f"rule-fixtures-{request.param}")
    return _report(compare(request.param, rule_fixtures(request.param, folder)), "rule fixtures")


def test_every_file_is_read_and_the_server_stops_by_itself(comparison: Comparison) -> None:
    """Each run ends on its own right after reading the file (or is stopped once listening);
    a file that is not well-formed is refused by the server where icecfg refuses it."""
    assert len(comparison.runs) == len(corpus_paths())
    for run in comparison.runs:
        assert run.ended != "timeout", f"{run.file}: neither stopped nor listening after {RUN_DEADLINE} s"
        if run.root is not None:
            continue
        with pytest.raises(icecfg.ParseError) as refused:
            icecfg.load(str(corpus_dir() / run.file))
        assert "error parsing config file" in run.stdout + run.stderr, run
        if comparison.release == "2.5":  # libxml2's own message, with the line
            assert f".xml:{refused.value.line}: parser error" in run.stderr, (refused.value, run.stderr)


def test_every_element_warning_has_a_finding(comparison: Comparison) -> None:
    missed = comparison.missed()
    assert not missed, "\n".join(
        f"{w.file}:{','.join(map(str, w.lines)) or '?'}: {w.text}  | icecfg: "
        + "; ".join(f"{f.code}@{f.line}" for f in comparison.findings.get(w.file, []) if _on(f, w.lines) or not w.lines)
        for w in missed
    )


def test_every_structure_finding_is_what_the_server_says(comparison: Comparison) -> None:
    unconfirmed = comparison.unconfirmed()
    assert not unconfirmed, "\n".join(f"{name}:{f.line}: {f.code} {f.message}" for name, f in unconfirmed)


def test_rule_fixture_warnings_have_findings(fixtures_comparison: Comparison) -> None:
    """The rules' own bad/good fixtures, run on the server: every warning it logs is found."""
    assert fixtures_comparison.runs
    missed = fixtures_comparison.missed()
    assert not missed, "\n".join(f"{w.file}: {w.text}" for w in missed)


def test_rule_fixture_findings_are_what_the_server_says(fixtures_comparison: Comparison) -> None:
    """Structure/dialect findings on the fixtures are logged by the server or shown by a test,
    except the claims listed in NOT_SHOWN_YET (which must not grow)."""
    left = {(f.code, fixtures_comparison.release) for _name, f in fixtures_comparison.unconfirmed()}
    assert left <= NOT_SHOWN_YET, sorted(left - NOT_SHOWN_YET)


def test_every_behaviour_named_for_precision_has_its_test() -> None:
    names = {name for name, value in globals().items() if name.startswith("test_") and callable(value)}
    assert {shown.test for shown in SHOWN_BY_TEST} <= names


# --------------------------------------------------------------------------- behaviours the servers do not log

SOURCE_PASSWORD = "src-" + "0f3a9c"
ADMIN_PASSWORD = "adm-" + "77d1e2"


def _config(box: oracle.Sandbox, ports: list[int], **kwargs: object) -> bytes:
    return oracle.basic_config(box, ports, source_password=SOURCE_PASSWORD, admin_password=ADMIN_PASSWORD, **kwargs)  # type: ignore[arg-type]


def _line_of(data: bytes, fragment: str) -> int:
    return next(n for n, line in enumerate(data.decode().splitlines(), 1) if fragment in line)


def _genres_while_streaming(srv: oracle.IcecastServer, port: int, mount: str, ogg: Path) -> list[bytes]:
    """Stream a source to ``mount`` and return the genres the admin stats list meanwhile.

    The genre shows which <mount> block applied (the default is "various").
    """
    with srv.source(port, mount, ogg, password=SOURCE_PASSWORD) as src:
        assert src.accepted, (src.status, src.reason)
        srv.wait_mount(port, mount, 5)
        stats = srv.http_get(port, "/admin/stats.xml", auth=("admin", ADMIN_PASSWORD)).body
    return re.findall(rb"<genre>([^<]*)</genre>", stats)


def _findings(data: bytes, release: str, code: str) -> list[Finding]:
    return [f for f in icecfg.check(icecfg.loads(data), target=release, files=False) if f.code == code]


@pytest.mark.parametrize("release", RELEASES)
def test_repeated_setting_last_one_wins(release: str) -> None:
    """ICE104: both keep the last of two <location>s; 2.5 says nothing, KH warns at the second."""
    oracle.require_release(release)
    port = oracle.free_port()
    with oracle.temporary_sandbox(release=release) as box:
        cfg = _config(box, [port], extra="\n  <location>second</location>")
        first, second = _line_of(cfg, "<location>harness"), _line_of(cfg, "<location>second")
        expected = first if release == "2.5" else second
        assert [f.line for f in _findings(cfg, release, "ICE104")] == [expected]
        with oracle.IcecastServer(cfg, box, wait_port=port, name="repeat") as srv:
            stats = srv.http_get(port, "/admin/stats.xml", auth=("admin", ADMIN_PASSWORD))
            assert stats.status == 200
            assert b"<location>second</location>" in stats.body
            if release == "2.5":
                assert srv.stderr() == ""
            else:
                assert f'setting for "location" (line {second}) was set previously' in srv.stderr()


@pytest.mark.parametrize(("old", "new", "plain_too"), [("1", "rfc2818", False), ("auto", "auto", True)])
def test_25_reads_the_old_ssl_flag_as_tls(old: str, new: str, plain_too: bool) -> None:
    """ICE304: 2.5.0 takes <ssl> silently as <tls>: <ssl>1 is rfc2818 (TLS only), <ssl>auto is auto."""
    oracle.require_release("2.5")
    plain, secure = oracle.free_ports(2)
    with oracle.temporary_sandbox(release="2.5") as box:
        pem = oracle.make_tls_pem(box)
        tls = _config(box, [plain], tls_ports=(secure,), tls_certificate=pem)
        written = f"<ssl>{old}</ssl>"
        for flag in (written, f"<tls>{new}</tls>"):  # as written, and as the finding advises
            cfg = tls.replace(b"<tls>1</tls>", flag.encode())
            findings = _findings(cfg, "2.5", "ICE304")
            assert [f.line for f in findings] == ([_line_of(cfg, written)] if flag == written else [])
            assert all(f"<tls>{new}</tls>" in f.message for f in findings)
            with oracle.IcecastServer(cfg, box, wait_port=secure, wait_tls=True, name="ssl-flag") as srv:
                assert srv.http_get(secure, "/status-json.xsl", tls=True).status == 200
                if plain_too:
                    assert srv.http_get(secure, "/status-json.xsl").status == 200
                else:
                    with pytest.raises((OSError, http.client.HTTPException)):
                        oracle.http_get(secure, "/status-json.xsl", timeout=2)
                assert srv.stderr() == ""


@pytest.mark.parametrize("release", RELEASES)
def test_first_of_two_mounts_wins(release: str) -> None:
    """ICE105: of two <mount>s for one name the first applies, the second is ignored silently."""
    oracle.require_release(release)
    port = oracle.free_port()
    ogg = audio.make_ogg(seconds=2, rate=22050, channels=1, bitrate_kbps=64)
    first = "<mount><mount-name>/a.ogg</mount-name><genre>First</genre></mount>"
    second = "<mount><mount-name>/a.ogg</mount-name><genre>Second</genre></mount>"
    with oracle.temporary_sandbox(release=release) as box:
        for blocks, genre in (([first, second], b"First"), ([second], b"Second")):
            cfg = _config(box, [port], extra="".join(f"\n  {b}" for b in blocks))
            expected = [_line_of(cfg, second)] if len(blocks) == 2 else []
            assert [f.line for f in _findings(cfg, release, "ICE105")] == expected
            with oracle.IcecastServer(cfg, box, wait_port=port, name="two-mounts") as srv:
                assert _genres_while_streaming(srv, port, "/a.ogg", ogg) == [genre]
                assert srv.stderr() == ""


def test_kh_uses_the_mount_its_tree_finds() -> None:
    """ICE105 on KH: of two <mount>s for one name, the one KH's mount tree finds (with a "/0.ogg": the second)."""
    oracle.require_release("kh")
    port = oracle.free_port()
    ogg = audio.make_ogg(seconds=2, rate=22050, channels=1, bitrate_kbps=64)
    first = "<mount><mount-name>/a.ogg</mount-name><genre>First</genre></mount>"
    second = "<mount><mount-name>/a.ogg</mount-name><genre>Second</genre></mount>"
    other = "<mount><mount-name>/0.ogg</mount-name></mount>"
    with oracle.temporary_sandbox(release="kh") as box:
        for blocks, genre in (([first, second], b"First"), ([first, second, other], b"Second")):
            cfg = _config(box, [port], extra="".join(f"\n  {b}" for b in blocks))
            used = _line_of(cfg, f"<genre>{genre.decode()}</genre>")
            found = _findings(cfg, "kh", "ICE105")
            assert [f.line for f in found] == [_line_of(cfg, second if genre == b"First" else first)]
            assert f"Icecast-KH uses the one on line {used} " in found[0].message
            with oracle.IcecastServer(cfg, box, wait_port=port, name="kh-two-mounts") as srv:
                assert _genres_while_streaming(srv, port, "/a.ogg", ogg) == [genre]
                assert srv.stderr() == ""


def test_25_header_without_name_ends_the_headers() -> None:
    """ICE107: 2.5.0 stops reading <http-headers> at a <header> without name=, silently."""
    oracle.require_release("2.5")
    port = oracle.free_port()
    after = '<header name="X-After" value="1"/>'
    with oracle.temporary_sandbox(release="2.5") as box:
        for first, kept in (('<header type="cors" value="*"/>', False), ('<header name="X-First" value="*"/>', True)):
            cfg = _config(box, [port], extra=f"\n  <http-headers>{first}{after}</http-headers>")
            assert bool(_findings(cfg, "2.5", "ICE107")) is not kept
            with oracle.IcecastServer(cfg, box, wait_port=port, name="headers") as srv:
                assert (srv.http_get(port, "/status-json.xsl").headers.get("X-After") == "1") is kept
                assert srv.stderr() == ""


def test_25_ignores_kh_attributes() -> None:
    """ICE302: 2.5.0 does not read KH's attribute form: <mount password=...> sets no password."""
    oracle.require_release("2.5")
    port = oracle.free_port()
    ogg = audio.make_ogg(seconds=2, rate=22050, channels=1, bitrate_kbps=64)
    own = "mount-" + "5be1"
    attribute = f'<mount password="{own}"><mount-name>/a.ogg</mount-name></mount>'
    child = f"<mount><mount-name>/a.ogg</mount-name><password>{own}</password></mount>"
    with oracle.temporary_sandbox(release="2.5") as box:
        for block, own_works in ((attribute, False), (child, True)):
            cfg = _config(box, [port], extra=f"\n  {block}")
            assert bool(_findings(cfg, "2.5", "ICE302")) is not own_works
            with oracle.IcecastServer(cfg, box, wait_port=port, name="kh-attribute") as srv:
                with srv.source(port, "/a.ogg", ogg, password=own) as src:
                    assert src.accepted is own_works, src.status
                assert srv.stderr() == ""


def test_kh_ignores_an_unknown_attribute() -> None:
    """ICE106: KH skips an attribute it does not know silently: <listen-socket prot=...> opens no port."""
    oracle.require_release("kh")
    port, other = oracle.free_ports(2)
    with oracle.temporary_sandbox(release="kh") as box:
        for attr, listening in (("prot", False), ("port", True)):
            socket = f'<listen-socket {attr}="{other}" bind-address="127.0.0.1"/>'
            cfg = _config(box, [port], extra=f"\n  {socket}")
            assert bool(_findings(cfg, "kh", "ICE106")) is not listening
            with oracle.IcecastServer(cfg, box, wait_port=port, name="unknown-attribute") as srv:
                if listening:
                    assert srv.http_get(other, "/status.xsl").status == 200
                else:
                    with pytest.raises(ConnectionRefusedError):
                        oracle.http_get(other, "/status.xsl", timeout=1)
                assert srv.stderr() == ""


def test_kh_sends_a_typed_header_as_written() -> None:
    """ICE302: KH ignores type="cors" and sends the header as written: an empty CORS origin."""
    oracle.require_release("kh")
    port = oracle.free_port()
    header = '<header type="cors" name="Access-Control-Allow-Origin" />'
    with oracle.temporary_sandbox(release="kh") as box:
        typed = _config(box, [port], extra=f"\n  <http-headers>{header}</http-headers>")
        (finding,) = _findings(typed, "kh", "ICE302")
        assert finding.line == _line_of(typed, header)
        assert "sends the header as written on every response, with an empty value" in finding.message
        origin = {"Origin": "http://player.example.org"}
        with oracle.IcecastServer(typed, box, wait_port=port, name="typed-header") as srv:
            assert srv.http_get(port, "/status.xsl", headers=origin).headers.get_all("Access-Control-Allow-Origin") == [
                ""
            ]
            assert srv.stderr() == ""
        without = _config(box, [port])
        with oracle.IcecastServer(without, box, wait_port=port, name="no-header") as srv:
            assert srv.http_get(port, "/status.xsl", headers=origin).headers.get("Access-Control-Allow-Origin")


def test_kh_ignores_the_mount_type() -> None:
    """ICE302: on KH a type="default" block is the ordinary mount it names; type="normal" changes nothing."""
    oracle.require_release("kh")
    port = oracle.free_port()
    ogg = audio.make_ogg(seconds=2, rate=22050, channels=1, bitrate_kbps=64)
    block = '<mount type="default"><mount-name>/cast.ogg</mount-name><max-listeners>0</max-listeners></mount>'
    with oracle.temporary_sandbox(release="kh") as box:
        cfg = _config(box, [port], extra=f"\n  {block}")
        (finding,) = _findings(cfg, "kh", "ICE302")
        assert finding.line == _line_of(cfg, block)
        assert "this block is the ordinary mount its <mount-name> names" in finding.message
        assert _findings(cfg.replace(b'type="default"', b'type="normal"'), "kh", "ICE302") == []
        with oracle.IcecastServer(cfg, box, wait_port=port, name="mount-type") as srv:
            with (
                srv.source(port, "/cast.ogg", ogg, password=SOURCE_PASSWORD) as cast,
                srv.source(port, "/other.ogg", ogg, password=SOURCE_PASSWORD) as other,
            ):
                assert cast.accepted and other.accepted
                srv.wait_mount(port, "/other.ogg", 5)
                # the block's limit applies to the mount it names only, not as a default to others
                assert srv.http_get(port, "/other.ogg", timeout=2, max_body=4).status == 200
                assert srv.http_get(port, "/cast.ogg", timeout=2, max_body=4).status != 200
            assert srv.stderr() == ""


def test_25_drops_a_mount_with_an_empty_name() -> None:
    """ICE109: 2.5.0 ignores a <mount> whose <mount-name> is empty, without a word; named, it applies."""
    oracle.require_release("2.5")
    port = oracle.free_port()
    ogg = audio.make_ogg(seconds=2, rate=22050, channels=1, bitrate_kbps=64)
    with oracle.temporary_sandbox(release="2.5") as box:
        for name, genre in (("", b"various"), ("/live.ogg", b"Named")):
            block = f'<mount type="normal"><mount-name>{name}</mount-name><genre>Named</genre></mount>'
            cfg = _config(box, [port], extra=f"\n  {block}")
            assert bool(_findings(cfg, "2.5", "ICE109")) is (name == "")
            with oracle.IcecastServer(cfg, box, wait_port=port, name="empty-mount-name") as srv:
                assert _genres_while_streaming(srv, port, "/live.ogg", ogg) == [genre]
                assert srv.stderr() == ""


def test_25_ignores_a_misplaced_admin_user() -> None:
    """ICE102: 2.5.0 skips an <admin-user> inside a mount's <authentication> silently."""
    oracle.require_release("2.5")
    port = oracle.free_port()
    misplaced = (
        '<mount><mount-name>/a.ogg</mount-name><authentication type="url">'
        "<admin-user>boss</admin-user></authentication></mount>"
    )
    with oracle.temporary_sandbox(release="2.5") as box:
        base = _config(box, [port])
        bad = base.replace(b"</icecast>", f"  {misplaced}\n</icecast>".encode())
        (finding,) = _findings(bad, "2.5", "ICE102")
        assert finding.line == _line_of(bad, "<admin-user>boss")
        fixed = base.replace(b"<admin-user>admin</admin-user>", b"<admin-user>boss</admin-user>")
        assert _findings(fixed, "2.5", "ICE102") == []
        for cfg, boss_is_admin in ((bad, False), (fixed, True)):
            with oracle.IcecastServer(cfg, box, wait_port=port, name="admin-user") as srv:
                status = srv.http_get(port, "/admin/stats.xml", auth=("boss", ADMIN_PASSWORD)).status
                assert (status == 200) is boss_is_admin, status
                assert srv.stderr() == ""
