"""Logging rules (ICE8xx) and the opt-in privacy rule ICE890."""

from __future__ import annotations

from pathlib import Path

import pytest

import icecfg
from icecfg.lint import lint
from icecfg.lint.engine import selected
from icecfg.lint.rule import all_rules
from tests.rules.cases import Case, check_case, run

#: Rules that only run when selected explicitly.
OPT_IN = {"ICE890"}

LOGDIR = "<paths><logdir>/var/log/icecast2</logdir></paths>"


def cfg(logging: str, paths: str = LOGDIR, extra: str = "") -> bytes:
    return f"<icecast>{paths}{extra}<logging>{logging}</logging></icecast>".encode()


LOG_FILES = {"/var/log/icecast2/.keep": b"", "/var/log/icecast2/sub/.keep": b""}

CASES = [
    # ICE801 log-name-absolute ----------------------------------------------------------
    Case(
        "ICE801",
        cfg("<errorlog>/var/log/err.log</errorlog>"),
        cfg("<errorlog>err.log</errorlog>"),
        message="<errorlog> /var/log/err.log is appended to <logdir> (/var/log/icecast2//var/log/err.log): "
        "Icecast 2.4.4 exits at startup with 'FATAL: could not open error logging",
    ),
    Case(
        "ICE801",
        cfg("<accesslog>/dev/null</accesslog>"),
        cfg("<accesslog>../../../dev/null</accesslog>"),
        message="to discard it write ../../../dev/null (relative to logdir) or - for stderr",
        id="dev-null",
    ),
    Case(
        "ICE801",
        cfg("<playlistlog>/tmp/playlist.log</playlistlog>"),
        cfg("<playlistlog>playlist.log</playlistlog>"),
        target="2.5",
        message="Icecast 2.5 prints 'FATAL: could not open playlist logging",
    ),
    Case(
        "ICE801",
        cfg('<errorlog name="/var/log/icecast2/err.log">err.log</errorlog>'),
        cfg('<errorlog name="err.log">/var/log/err.log</errorlog>'),
        target="kh",
        message="<errorlog> /var/log/icecast2/err.log is appended to <logdir>",
        id="kh-name-attribute",
    ),
    Case(
        "ICE801",
        cfg('<errorlog name="err.log">/var/log/err.log</errorlog>'),
        cfg('<errorlog name="/var/log/err.log">err.log</errorlog>'),
        message="<errorlog> /var/log/err.log is appended",
        id="2.4-reads-no-attribute",
    ),
    # ICE802 playlistlog-dash -----------------------------------------------------------
    Case(
        "ICE802",
        cfg("<errorlog>-</errorlog><playlistlog>-</playlistlog>"),
        cfg("<errorlog>-</errorlog><accesslog>-</accesslog>"),
        message="writes the playlist log to a file named - (/var/log/icecast2/-)",
    ),
    Case(
        "ICE802",
        cfg('<playlistlog name="-"/>'),
        cfg('<playlistlog name="playlist.log">-</playlistlog>'),
        target="kh",
        message="Icecast-KH cannot open a log of that name and stops at startup",
        id="kh-name-attribute",
    ),
    Case(
        "ICE802",
        cfg("<errorlog>-</errorlog><playlistlog>-</playlistlog>"),
        cfg("<errorlog>-</errorlog><playlistlog>playlist.log</playlistlog>"),
        target="2.5",
        message="writes the playlist log to a file named - (/var/log/icecast2/-)",
    ),
    # ICE803 log-directory-missing ------------------------------------------------------
    Case(
        "ICE803",
        cfg("<errorlog>error.log</errorlog>", paths="<paths><logdir>/var/log/icecast</logdir></paths>"),
        cfg("<errorlog>error.log</errorlog>"),
        files=LOG_FILES,
        message="<logdir> /var/log/icecast does not exist, so Icecast cannot open <errorlog> error.log, <accesslog> access.log and exits",
    ),
    Case(
        "ICE803",
        cfg("<errorlog>-</errorlog><accesslog>nosuch/access.log</accesslog>"),
        cfg("<errorlog>-</errorlog><accesslog>sub/access.log</accesslog>"),
        files=LOG_FILES,
        message="<accesslog> nosuch/access.log: the directory /var/log/icecast2/nosuch does not exist",
        id="subdirectory",
    ),
    Case(
        "ICE803",
        b"<icecast><logging/></icecast>",
        b"<icecast><logging><errorlog>-</errorlog><accesslog>-</accesslog></logging></icecast>",
        files=LOG_FILES,
        message="the default <logdir> /usr/local/icecast/logs does not exist",
        target="2.5",
        id="default-logdir",
    ),
    Case(
        "ICE803",
        cfg(
            "",
            paths="<paths><basedir>/srv/jail</basedir><logdir>/var/log/icecast2</logdir></paths>",
            extra="<security><chroot>1</chroot></security>",
        ),
        cfg("", paths="<paths><basedir>/srv/jail</basedir><logdir>/var/log/icecast2</logdir></paths>"),
        files=LOG_FILES,
        message="/srv/jail/var/log/icecast2 (inside the chroot) does not exist",
        id="chroot",
    ),
    Case(
        "ICE803",
        cfg("<errorlog>error.log</errorlog>", paths="<paths><logdir>/var/log/icecast</logdir></paths>"),
        cfg("<errorlog>error.log</errorlog>"),
        files=LOG_FILES,
        target="kh",
        message="it writes the error log to stderr and keeps no other log, silently",
    ),
    # ICE804 loglevel-debug -------------------------------------------------------------
    Case("ICE804", cfg("<loglevel>4</loglevel>"), cfg("<loglevel>3</loglevel>"), message="is debug"),
    Case(
        "ICE804",
        cfg("<loglevel>debug</loglevel>"),
        cfg("<loglevel>info</loglevel>"),
        target="2.5",
        id="2.5-word",
    ),
    Case("ICE804", cfg("<loglevel>4</loglevel>"), cfg("<loglevel>debug</loglevel>"), id="2.4-word-is-0"),
    Case("ICE804", cfg("<loglevel>debug</loglevel>"), cfg("<loglevel>info</loglevel>"), target="kh", id="kh-word"),
    # ICE805 logsize-in-bytes -----------------------------------------------------------
    Case(
        "ICE805",
        cfg("<logsize>10485760</logsize>"),
        cfg("<logsize>10240</logsize>"),
        message="logs rotate only after 10 GiB; if 10485760 bytes were meant, write 10240",
    ),
    Case(
        "ICE805",
        cfg("<logsize>10485760</logsize>"),
        cfg("<logsize>10240</logsize>"),
        target="2.5",
        message="logs rotate only after 10 GiB",
    ),
    # ICE806 log-name-empty (KH) --------------------------------------------------------
    Case(
        "ICE806",
        cfg('<errorlog name="">error.log</errorlog>'),
        cfg('<errorlog name="error.log"></errorlog><accesslog><name></name></accesslog>'),
        target="kh",
        message='<errorlog name=""> gives the log an empty name: Icecast-KH crashes at start (SIGSEGV)',
    ),
    Case(
        "ICE806",
        cfg('<accesslog>a.log</accesslog><accesslog name=""/>'),
        cfg('<accesslog name=""/><accesslog>a.log</accesslog>'),
        target="kh",
        message="Icecast-KH keeps no access log, silently",
        id="kh-access-later-element",
    ),
    # ICE890 access-log-on-disk (opt-in) ------------------------------------------------
    Case(
        "ICE890",
        cfg("<accesslog>access.log</accesslog>"),
        cfg("<accesslog>../../../dev/null</accesslog>"),
        message="the access log /var/log/icecast2/access.log keeps every listener's IP address on disk; "
        "to keep none write <accesslog>../../../dev/null</accesslog>",
    ),
    Case("ICE890", cfg("<errorlog>error.log</errorlog>"), cfg("<accesslog>-</accesslog>"), id="default-name"),
    Case(
        "ICE890",
        cfg("<accesslog>access.log</accesslog>"),
        cfg("<accesslog>access.log</accesslog><accesslog_ip>0</accesslog_ip>"),
        target="kh",
        message="or set <accesslog_ip>0</accesslog_ip>",
    ),
    Case(
        "ICE890",
        cfg("<accesslog>access.log</accesslog>"),
        cfg("<accesslog>../../../dev/null</accesslog>"),
        target="2.5",
        message="keeps every listener's IP address on disk",
    ),
]


def check_opt_in_case(case: Case, tmp_path: Path) -> None:
    """An opt-in rule: silent by default and under its family prefix, active when selected."""
    config = icecfg.loads(case.bad, path="icecast.xml")
    for select in ((), ("ICE8",), ("ICE",)):
        found = lint(config, target=case.target, root=str(tmp_path), select=select)
        assert not [f for f in found if f.code == case.code], select
    bad = [f for f in lint(config, target=case.target, root=str(tmp_path), select=[case.code]) if f.code == case.code]
    assert bad and any(case.message in f.message for f in bad), [f.message for f in bad]
    good_config = icecfg.loads(case.good, path="icecast.xml")
    good = lint(good_config, target=case.target, root=str(tmp_path), select=[case.code])
    assert not [f for f in good if f.code == case.code]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.test_id)
def test_rule(case: Case, tmp_path: Path) -> None:
    if case.code in OPT_IN:
        check_opt_in_case(case, tmp_path)
    else:
        check_case(case, tmp_path)


@pytest.mark.parametrize("select", ["ICE890", "ice89", "access-log-on-disk"])
def test_privacy_rule_is_selected_by_code_name_or_narrow_prefix(select: str) -> None:
    assert [r.code for r in selected(all_rules().values(), [select]) if r.code == "ICE890"] == ["ICE890"]


@pytest.mark.parametrize("select", [[], ["ICE8"], ["ICE"], ["ICE80"]])
def test_privacy_rule_is_off_otherwise(select: list[str]) -> None:
    chosen = [r.code for r in selected(all_rules().values(), select)]
    assert "ICE890" not in chosen
    assert "ICE801" in chosen  # the family's other rules are selected as usual


def test_ignore_still_wins_over_an_explicit_select() -> None:
    assert not [r for r in selected(all_rules().values(), ["ICE890"], ["ICE89"]) if r.code == "ICE890"]


def test_opt_in_flag_is_on_the_rule() -> None:
    rules = all_rules()
    assert rules["ICE890"].default_enabled is False
    assert rules["ICE801"].default_enabled is True


def test_ice801_fix_keeps_the_file_when_it_is_in_logdir() -> None:
    config = icecfg.loads(cfg("<errorlog>/var/log/icecast2/error.log</errorlog>"))
    (finding,) = [f for f in lint(config, files=False) if f.code == "ICE801"]
    assert finding.fix is not None and "write error.log" in finding.message
    finding.fix()
    assert b"<errorlog>error.log</errorlog>" in config.document.dumps()
    config = icecfg.loads(cfg("<errorlog>/tmp/error.log</errorlog>"))
    (finding,) = [f for f in lint(config, files=False) if f.code == "ICE801"]
    assert finding.fix is None


def test_ice890_fix_discards_the_access_log(tmp_path: Path) -> None:
    config = icecfg.loads(cfg("<errorlog>error.log</errorlog>"))
    (finding,) = [f for f in lint(config, files=False, select=["ICE890"]) if f.code == "ICE890"]
    assert finding.fix is not None
    finding.fix()
    assert b"<accesslog>../../../dev/null</accesslog>" in config.document.dumps()
    assert not [f for f in lint(config, files=False, select=["ICE890"]) if f.code == "ICE890"]


def test_ice890_offers_no_fix_inside_a_chroot() -> None:
    data = cfg("", extra="<security><chroot>1</chroot></security>")
    (finding,) = lint(icecfg.loads(data), files=False, select=["ICE890"])
    assert finding.code == "ICE890" and finding.fix is None


def test_logdir_check_needs_the_filesystem() -> None:
    data = cfg("", paths="<paths><logdir>/nonexistent/dir</logdir></paths>")
    assert not [f for f in run(data, files=False) if f.code == "ICE803"]


def test_ice801_fix_on_kh_writes_the_name_attribute_kh_reads() -> None:
    config = icecfg.loads(cfg('<errorlog name="/var/log/icecast2/error.log">x.log</errorlog>'))
    (finding,) = [f for f in lint(config, "kh", files=False) if f.code == "ICE801"]
    attribute_column = cfg("").index(b"</logging>") + len("<errorlog ") + 1
    assert (finding.line, finding.column) == (1, attribute_column)
    assert finding.fix is not None and finding.fix_title == 'write <errorlog name="error.log">'
    finding.fix()
    assert b'<errorlog name="error.log">x.log</errorlog>' in config.document.dumps()
    assert not [f for f in lint(config, "kh", files=False) if f.code in ("ICE801", "ICE806")]


@pytest.mark.parametrize(("tag", "severity"), [("errorlog", "error"), ("accesslog", "warning")])
def test_ice806_fix_removes_the_empty_name_and_kh_reads_the_text(tag: str, severity: str) -> None:
    config = icecfg.loads(cfg(f'<{tag} name="">{tag}.log</{tag}>'))
    (finding,) = [f for f in lint(config, "kh", files=False) if f.code == "ICE806"]
    assert finding.severity == severity
    assert finding.fix is not None
    finding.fix()
    assert f"<{tag}>{tag}.log</{tag}>".encode() in config.document.dumps()
    log = icecfg.explain(config, "kh").logging.log(tag.removesuffix("log"))
    assert (log.destination, log.name.value) == ("file", f"{tag}.log")
    assert not [f for f in lint(config, "kh", files=False) if f.code == "ICE806"]


#: A chroot into /srv/jail (with the user switch it needs), around the given <paths> content.
def _jailed(paths: str, logging: str = "") -> bytes:
    return (
        f"<icecast><paths><basedir>/srv/jail</basedir>{paths}</paths>"
        "<security><chroot>1</chroot><changeowner><user>icecast2</user><group>icecast</group></changeowner>"
        f"</security><logging>{logging}</logging></icecast>"
    ).encode()


@pytest.mark.parametrize("target", ["2.4", "2.5", "kh"])
@pytest.mark.parametrize(
    ("logdir", "owner"),
    [
        ("/var/log/icecast2", "ICE803"),  # exists only outside the chroot
        ("/nowhere", "ICE803"),  # exists nowhere
        ("/srv/jail/logs", "ICE508"),  # written with the basedir prefix
    ],
)
def test_one_missing_log_directory_in_a_chroot_is_one_finding(
    logdir: str, owner: str, target: str, tmp_path: Path
) -> None:
    """ICE803 owns a missing log directory, chroot or not; ICE509 leaves <logdir> to it, and both leave
    a path written with the basedir prefix to ICE508: one missing directory, one finding."""
    for keep in ("var/log/icecast2/.keep", "srv/jail/logs/.keep"):
        (tmp_path / keep).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / keep).write_bytes(b"")
    data = _jailed(f"<logdir>{logdir}</logdir>")
    about = [f for f in run(data, target, tmp_path) if f.code in ("ICE508", "ICE509", "ICE803")]
    assert [f.code for f in about] == [owner], [f.message for f in about]
    if logdir == "/var/log/icecast2":
        assert "(it exists only outside the chroot)" in about[0].message


def test_a_chroot_without_log_files_needs_no_log_directory(tmp_path: Path) -> None:
    """Logs on stderr need no directory, inside a chroot as outside: nothing is reported."""
    data = _jailed("<logdir>/nowhere</logdir>", "<errorlog>-</errorlog><accesslog>-</accesslog>")
    assert not [f for f in run(data, "2.5", tmp_path) if f.code in ("ICE508", "ICE509", "ICE803")]
