"""``icecfg lint`` as a CI gate: it must not pass by accident.

A typo in a rule selection, a file that was never read, fixes that go
nowhere or make new findings, a diff that ``patch`` rejects: each of these
let a broken configuration through CI before.  These tests run the command
line in a fresh process, as CI does.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import icecfg
from tests.test_lint_cli import BAD, FIXABLE, GOOD, codes, lint, write

ROOT = Path(__file__).resolve().parents[1]


# -- selections: a typo is an error, not an empty selection ------------------------------------


@pytest.mark.parametrize(
    ("argv", "bad", "closest"),
    [
        (["--select", "ICE999"], "ICE999", "did you mean ICE"),
        (["--select", "ICE101,unknown-elemnt"], "unknown-elemnt", "did you mean unknown-element?"),
        (["--ignore", "ICE11O"], "ICE11O", "did you mean ICE"),
        (["--select", "nonsense"], "nonsense", "see 'icecfg rules'"),
        (["--fail-on", "warn"], "warn", "did you mean warning?"),
        # an unset variable in a CI script: --select "$RULES"
        (["--select", ""], "", "names no rule"),
        (["--select", " , "], " , ", "names no rule"),
        (["--ignore", ""], "", "names no rule"),
    ],
)
def test_unknown_rule_codes_names_and_severities_are_usage_errors(
    tmp_path: Path, argv: list[str], bad: str, closest: str
) -> None:
    path = write(tmp_path / "icecast.xml", BAD)
    result = lint(str(path), *argv, "--isolated")
    assert result.returncode == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith(f"icecfg lint: {argv[0]}: ") and repr(bad) in line and closest in line


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("icecfg.toml", 'target = "2.4"\nselect = ["ICE999"]\n'),
        ("pyproject.toml", '[project]\nname = "x"\n\n[tool.icecfg]\nignore = ["ICE1", "nonsense"]\n'),
        ("icecfg.toml", 'extend-select = ["ICE89O"]\n'),
    ],
)
def test_unknown_rule_codes_in_settings_are_usage_errors(tmp_path: Path, name: str, text: str) -> None:
    settings = write(tmp_path / name, text.encode())
    path = write(tmp_path / "icecast.xml", BAD)
    result = lint(str(path))
    assert result.returncode == 2 and result.stdout == ""
    line = text.splitlines().index(next(t for t in text.splitlines() if "[" in t and "=" in t)) + 1
    assert result.stderr.startswith(f"icecfg lint: {settings}:{line}: ")
    assert "no rule code, prefix or name" in result.stderr


def test_prefixes_names_and_engine_codes_still_select(tmp_path: Path) -> None:
    path = write(tmp_path / "icecast.xml", BAD)
    for selector in ("ICE", "ice1", "ICE10", "ICE101", "unknown-element", "ICE001", "ICE002", "invalid-xml"):
        result = lint(str(path), "--select", selector, "--isolated")
        assert result.returncode in (0, 1), (selector, result.stderr)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--select", "ICE608"], "--select leaves no rule to run on Icecast 2.4.4 (ICE608 checks only Icecast-KH)"),
        (
            ["--select", "ICE6", "--ignore", "ICE6"],
            "--select and --ignore leave no rule to run on Icecast 2.4.4 (every rule selected is ignored)",
        ),
        (
            ["--select", "ICE609", "--no-fs"],
            "--select leaves no rule to run on Icecast 2.4.4 (ICE609 reads the server's files, which are not looked at)",
        ),
    ],
)
def test_a_selection_that_runs_no_rule_on_the_target_is_a_usage_error(
    tmp_path: Path, argv: list[str], message: str
) -> None:
    """A lint that runs nothing would say "All checks passed." of any file: the gate off without a typo."""
    path = write(tmp_path / "icecast.xml", BAD)
    result = lint(str(path), *argv, "--target", "2.4", "--isolated")
    assert (result.returncode, result.stdout, result.stderr) == (2, "", f"icecfg lint: {message}\n")


@pytest.mark.parametrize(
    ("target", "code", "releases"),
    [("2.4", "ICE305", "Icecast 2.5 and Icecast-KH"), ("kh", "ICE306", "Icecast 2.4.4 and Icecast 2.5")],
)
def test_a_table_rule_selected_where_the_table_has_nothing_is_a_usage_error(
    tmp_path: Path, target: str, code: str, releases: str
) -> None:
    """ICE305/ICE306 report only what the element table lists as removed/obsolete for the target.

    No element is removed in 2.4.4 and none is obsolete in Icecast-KH: selecting the rule alone
    there would pass every file, so it is refused like any rule of another release; a selection
    with another rule that runs there still lints.
    """
    path = write(tmp_path / "icecast.xml", BAD)
    label = "Icecast 2.4.4" if target == "2.4" else "Icecast-KH"
    result = lint(str(path), "--select", code, "--target", target, "--isolated")
    assert (result.returncode, result.stdout, result.stderr) == (
        2,
        "",
        f"icecfg lint: --select leaves no rule to run on {label} ({code} checks only {releases})\n",
    )
    assert lint(str(path), "--select", "ICE305,ICE306", "--target", target, "--isolated").returncode in (0, 1)
    assert lint(str(path), "--select", "ICE3", "--target", target, "--isolated").returncode in (0, 1)


def test_a_selection_for_another_release_runs_on_that_release(tmp_path: Path) -> None:
    settings = write(tmp_path / "icecfg.toml", b'select = ["ICE608"]\n')
    path = write(tmp_path / "icecast.xml", BAD)
    result = lint(str(path), "--target", "2.4")
    assert result.returncode == 2
    assert result.stderr == (
        f"icecfg lint: {settings}:1: select leaves no rule to run on Icecast 2.4.4 (ICE608 checks only Icecast-KH)\n"
    )
    assert lint(str(path), "--target", "kh").returncode in (0, 1)
    with pytest.raises(ValueError, match=r"run no rule on Icecast 2.4.4: ICE608 checks only Icecast-KH"):
        icecfg.check(icecfg.loads(BAD), target="2.4", select=["ICE608"])


# -- nothing says "passed" when a file was not linted -------------------------------------------


@pytest.mark.parametrize("output", ["text", "json", "sarif", "github"])
def test_a_missing_file_never_passes(tmp_path: Path, output: str) -> None:
    good = write(tmp_path / "good.xml", GOOD)
    for paths in ([str(tmp_path / "nope.xml")], [str(good), str(tmp_path / "nope.xml")]):
        result = lint(*paths, "--select", "ICE101", "--format", output, "--isolated")
        assert result.returncode == 2
        assert "passed" not in result.stdout.lower()
        assert f"cannot read {tmp_path / 'nope.xml'}" in result.stderr
    text = lint(str(tmp_path / "nope.xml"), "--isolated")
    assert text.stdout == "1 file could not be linted.\n"


def test_an_empty_directory_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = lint(str(tmp_path / "empty"), "--isolated")
    assert result.returncode == 2 and "passed" not in result.stdout


# -- --fix - and --diff: stdout carries the text, findings go to stderr ----------------------------


def test_fix_on_stdin_writes_the_fixed_text_to_stdout(tmp_path: Path) -> None:
    path = write(tmp_path / "icecast.xml", FIXABLE)
    in_place = lint(str(path), "--fix", "--select", "ICE204,ICE209,ICE804,ICE101", "--isolated")
    piped = lint("-", "--fix", "--select", "ICE204,ICE209,ICE804,ICE101", "--isolated", stdin=FIXABLE)
    assert piped.stdout == path.read_text() != FIXABLE.decode()
    assert "<fileserve>1</fileserve>" in piped.stdout
    # the report (what was fixed, what is left) is on stderr, as it was on stdout for a file
    assert "ICE204 fixed" in piped.stderr and "ICE101 [error]" in piped.stderr
    assert piped.returncode == in_place.returncode == 1


def test_fix_on_stdin_passes_an_unreadable_text_through(tmp_path: Path) -> None:
    broken = b"<icecast>\n<limits>\n</icecast>\n"
    result = lint("-", "--fix", "--isolated", stdin=broken)
    assert result.stdout == broken.decode()
    assert "ICE001" in result.stderr and result.returncode == 1


@pytest.mark.parametrize(
    "data",
    [
        # the changed line is the last one, then a context line is
        b"<icecast>\n  <limits>\n    <client>5</client>\n  </limits>\n  <fileserve>true</fileserve></icecast>",
        b"<icecast>\n  <limits>\n    <client>5</client>\n  </limits>\n  <fileserve>true</fileserve>\n</icecast>",
    ],
)
def test_diff_without_final_newline_applies_with_patch_and_findings_stay_off_stdout(
    tmp_path: Path, data: bytes
) -> None:
    write(tmp_path / "icecast.xml", data)
    write(tmp_path / "copy" / "icecast.xml", data)
    result = lint("icecast.xml", "--diff", "--select", "ICE204,ICE209,ICE804,ICE101", "--isolated", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith("--- a/icecast.xml\n+++ b/icecast.xml\n")
    assert "\\ No newline at end of file\n" in result.stdout
    assert "ICE101" not in result.stdout and "Found" not in result.stdout
    assert "ICE101 [error]" in result.stderr
    applied = _patch(result.stdout, tmp_path / "copy", "--forward")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert (tmp_path / "icecast.xml").read_bytes() == data  # --diff changes nothing
    fixed = lint("icecast.xml", "--fix", "--select", "ICE204,ICE209,ICE804,ICE101", "--isolated", cwd=tmp_path)
    assert fixed.returncode == 1
    assert (tmp_path / "copy" / "icecast.xml").read_bytes() == (tmp_path / "icecast.xml").read_bytes()
    assert not (tmp_path / "icecast.xml").read_bytes().endswith(b"\n")


#: Passwords as the source spells them: references, several lines; lint shows them in the source
#: lines of its findings and in the context lines of --diff.
SPELT_SECRETS = (
    b"<icecast>\n  <authentication>\n    <source-password>x&#65;ySecretValue</source-password>\n"
    b"    <admin-password>Tr0ub4dor&amp;3horse</admin-password>\n"
    b"    <relay-password>relay-first\nrelay-second&lt;z</relay-password>\n  </authentication>\n"
    b"  <fileserve>true</fileserve>\n</icecast>\n"
)
SPELT_FRAGMENTS = ["ySecretValue", "Tr0ub4dor", "3horse", "relay-first", "relay-second"]


def test_diff_and_findings_never_show_a_secret_however_it_is_spelt(tmp_path: Path) -> None:
    """Context lines stop short of a password line, so the diff applies; the findings mask it as written."""
    write(tmp_path / "icecast.xml", SPELT_SECRETS)
    write(tmp_path / "copy" / "icecast.xml", SPELT_SECRETS)
    result = lint("icecast.xml", "--diff", "--target", "2.4", "--isolated", cwd=tmp_path)
    assert result.returncode == 1
    assert [f for f in SPELT_FRAGMENTS if f in result.stdout + result.stderr] == []
    assert "-  <fileserve>true</fileserve>\n+  <fileserve>1</fileserve>\n" in result.stdout
    assert "<source-password>***</source-password>" in result.stderr  # a finding's source line, masked
    assert "secrets are masked" not in result.stderr
    applied = _patch(result.stdout, tmp_path / "copy", "--forward")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert b"<fileserve>1</fileserve>" in (tmp_path / "copy" / "icecast.xml").read_bytes()


def test_diff_keeps_the_file_s_encoding_and_finds_a_secret_in_it(tmp_path: Path) -> None:
    """An ISO-8859-1 file: the diff is its bytes, where the password is looked for as encoded."""
    data = (
        b'<?xml version="1.0" encoding="ISO-8859-1"?>\n<icecast>\n  <authentication>\n'
        b"    <admin-password>p\xe4ssw\xf6rd&#8364;secret</admin-password>\n  </authentication>\n"
        b"  <fileserve>true</fileserve>\n</icecast>\n"
    )
    write(tmp_path / "icecast.xml", data)
    write(tmp_path / "copy" / "icecast.xml", data)
    result = subprocess.run(
        [sys.executable, "-m", "icecfg.cli", "lint", "icecast.xml", "--diff", "--target", "2.4", "--isolated"],
        cwd=tmp_path,
        capture_output=True,
        check=False,
    )
    assert result.returncode == 1
    shown = result.stdout + result.stderr
    assert [f for f in (b"p\xe4ss", b"\xf6rd", b"8364;secret") if f in shown] == []
    applied = subprocess.run(["patch", "-p1", "-s"], input=result.stdout, cwd=tmp_path / "copy", check=False)
    assert applied.returncode == 0
    assert (tmp_path / "copy" / "icecast.xml").read_bytes() == data.replace(b">true<", b">1<")


def test_diff_masks_a_changed_line_that_holds_a_secret_and_says_it_does_not_apply(tmp_path: Path) -> None:
    data = b"<icecast><source-password>x&#65;ySecretValue</source-password><fileserve>true</fileserve></icecast>\n"
    write(tmp_path / "icecast.xml", data)
    result = lint("icecast.xml", "--diff", "--select", "ICE204", "--isolated", cwd=tmp_path)
    assert "ySecretValue" not in result.stdout + result.stderr
    assert "+<icecast><source-password>***</source-password><fileserve>1</fileserve></icecast>\n" in result.stdout
    assert (
        "icecfg lint: secrets are masked in the diff, so it does not apply; use --fix for icecast.xml\n"
        in result.stderr
    )


# -- fixes converge and say what they did ------------------------------------------------------------


def test_fix_runs_until_nothing_is_fixable_and_reports_each_fix(tmp_path: Path) -> None:
    path = write(tmp_path / "icecast.xml", FIXABLE)
    result = lint(str(path), "--fix", "--select", "ICE2,ICE8,ICE101", "--isolated")
    text = path.read_text()
    # ICE209 writes debug as 4; ICE804 then lowers the debug level to 3 in the same run
    assert "<loglevel>3</loglevel>" in text and "<fileserve>1</fileserve>" in text
    assert f"{path}:5:15: ICE209 fixed: write <loglevel>4</loglevel>" in result.stdout
    assert "ICE804 fixed: write <loglevel>3</loglevel>" in result.stdout
    assert "ICE204 fixed" in result.stdout and "Fixed 3 problems." in result.stdout
    assert "fixable" not in result.stdout  # nothing fixable is left
    again = lint(str(path), "--select", "ICE2,ICE8", "--format", "json", "--isolated")
    assert [f for f in json.loads(again.stdout) if f["fixable"]] == []


TLS_WITHOUT_CERTIFICATE = b"""<icecast>
  <listen-socket><port>8000</port></listen-socket>
  <listen-socket><port>8443</port><tls>1</tls></listen-socket>
</icecast>
"""


def test_tls_to_ssl_is_fixed_only_when_a_certificate_comes_with_it(tmp_path: Path) -> None:
    # without a certificate <ssl>1 serves plain HTTP like the ignored <tls> and ICE401 would flag it
    path = write(tmp_path / "icecast.xml", TLS_WITHOUT_CERTIFICATE)
    before = json.loads(lint(str(path), "--select", "ICE303,ICE401", "--format", "json", "--isolated").stdout)
    assert [(f["code"], f["fixable"]) for f in before] == [("ICE303", False)]
    lint(str(path), "--fix", "--select", "ICE303,ICE401", "--isolated")
    assert path.read_bytes() == TLS_WITHOUT_CERTIFICATE
    with_certificate = TLS_WITHOUT_CERTIFICATE.replace(
        b"</icecast>", b"  <paths><tls-certificate>/etc/icecast2/bundle.pem</tls-certificate></paths>\n</icecast>"
    )
    write(path, with_certificate)
    result = lint(str(path), "--fix", "--select", "ICE303,ICE401", "--isolated")
    assert result.returncode == 0, result.stdout
    text = path.read_text()
    assert "<ssl>1</ssl>" in text and "<ssl-certificate>/etc/icecast2/bundle.pem</ssl-certificate>" in text


# -- rule pages and positions ------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "name"), [("ICE001", "invalid-xml"), ("ICE002", "unused-suppression")])
def test_engine_codes_have_a_rule_page(code: str, name: str) -> None:
    for asked in (code, code.lower(), name):
        result = subprocess.run(
            [sys.executable, "-m", "icecfg.cli", "rule", asked], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(f"# {code} {name}\n")
        assert result.stdout == (ROOT / "docs" / "rules" / f"{code}.md").read_text()


# -- directories -------------------------------------------------------------------------------------


def test_directory_search_skips_hidden_vcs_foreign_and_excluded_files(tmp_path: Path) -> None:
    tree = tmp_path / "conf"
    write(tree / "a.xml", BAD)
    write(tree / "live" / "b.xml", b"<?xml version='1.0'?>\n<!-- station -->\n<!DOCTYPE icecast>\n" + BAD)
    write(tree / ".git" / "c.xml", BAD)
    write(tree / ".cache" / "d.xml", BAD)
    write(tree / "CVS" / "e.xml", BAD)
    write(tree / ".hidden.xml", BAD)
    write(tree / "pom.xml", b"<project><modelVersion>4.0.0</modelVersion></project>\n")
    write(tree / "backup" / "f.xml", BAD)
    write(tree / "live" / "g.orig.xml", BAD)
    result = lint(
        str(tree),
        "--exclude",
        "backup",
        "--exclude",
        "*.orig.xml",
        "--select",
        "ICE101",
        "--format",
        "json",
        "--isolated",
    )
    found = sorted(Path(item["path"]).relative_to(tree).as_posix() for item in json.loads(result.stdout))
    assert found == ["a.xml", "live/b.xml"]
    # named explicitly, a file is always linted: a foreign root is ICE001
    explicit = lint(str(tree / "pom.xml"), str(tree / ".git" / "c.xml"), "--format", "json", "--isolated")
    assert sorted(codes(explicit.stdout))[:1] == ["ICE001"] and "ICE101" in codes(explicit.stdout)


def test_exclude_from_settings(tmp_path: Path) -> None:
    write(tmp_path / "icecfg.toml", b'select = ["ICE101"]\nformat = "json"\nexclude = ["old"]\n')
    write(tmp_path / "a.xml", BAD)
    write(tmp_path / "old" / "b.xml", BAD)
    result = lint(str(tmp_path))
    assert [Path(i["path"]).name for i in json.loads(result.stdout)] == ["a.xml"]


# -- the terminal is not the file's to drive ---------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"<icecast>\n  <limits>\n    <client>\x1b]0;owned\x07\x1b[2J5</client>\n  </limits>\n</icecast>\n",
        "<icecast>\n  <limits>\n    <client>5</client><!-- \u202e\u009b31m -->\n  </limits>\n</icecast>\n".encode(),
    ],
)
def test_echoed_lines_carry_no_control_characters(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path / "icecast.xml", data)
    for output in ("text", "github"):
        result = lint(str(path), "--format", output, "--isolated")
        assert result.returncode == 1
        shown = result.stdout.replace("\n", "")
        assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 or 0x202A <= ord(c) <= 0x202E for c in shown), shown
    text = lint(str(path), "--isolated").stdout
    assert ("\u241b" in text) or ("\ufffd" in text)


def test_deprecated_config_still_names_the_settings_file(tmp_path: Path) -> None:
    settings = write(tmp_path / "elsewhere" / "lint.toml", b'select = ["ICE101"]\nformat = "json"\n')
    path = write(tmp_path / "icecast.xml", BAD)
    new = lint(str(path), "--settings", str(settings))
    assert codes(new.stdout) == ["ICE101"] and new.stderr == ""
    old = lint(str(path), "--config", str(settings))
    assert codes(old.stdout) == ["ICE101"]
    assert "--config is deprecated" in old.stderr and "--settings" in old.stderr


# -- the diff applies where the docs say, without fuzz -------------------------------------------

SECRET_NEAR_A_FIX = (
    b"<icecast>\n  <authentication>\n    <source-password>s3cret&amp;pass</source-password>\n"
    b"    <admin-password>adm1n-pass</admin-password>\n  </authentication>\n  <fileserve>true</fileserve>\n"
    b"  <limits>\n    <clients>100</clients>\n  </limits>\n</icecast>\n"
)


def _patch(diff: str, cwd: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """GNU patch as a user runs it on the diff: -p1, nothing asked."""
    return subprocess.run(
        ["patch", "-p1", "--batch", *options], input=diff, cwd=cwd, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize("name", ["../icecast.xml", "sub/../../icecast.xml"])
def test_a_diff_of_a_file_outside_the_current_directory_says_where_patch_applies_it(tmp_path: Path, name: str) -> None:
    """``lint --diff ../x.xml`` wrote ``a/../x.xml`` headers, which GNU patch refuses."""
    path = write(tmp_path / "icecast.xml", FIXABLE)
    here = tmp_path / "work"
    (here / "sub").mkdir(parents=True)
    result = lint(name, "--diff", "--select", "ICE204", "--isolated", cwd=here)
    assert result.stdout.startswith("--- a/icecast.xml\n+++ b/icecast.xml\n")
    assert (
        f"icecfg lint: the diff names the files relative to {tmp_path}, not the current directory: "
        f"apply it there (patch -p1 -d {tmp_path})\n"
    ) in result.stderr
    applied = _patch(result.stdout, here, "-d", str(tmp_path))
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert path.read_bytes() == FIXABLE.replace(b">true<", b">1<")


def test_a_diff_of_files_below_the_current_directory_applies_there(tmp_path: Path) -> None:
    write(tmp_path / "etc" / "icecast.xml", FIXABLE)
    write(tmp_path / "copy" / "etc" / "icecast.xml", FIXABLE)
    absolute = str(tmp_path / "etc" / "icecast.xml")
    result = lint("./etc/../etc/icecast.xml", absolute, "--diff", "--select", "ICE204", "--isolated", cwd=tmp_path)
    assert result.stdout.count("--- a/etc/icecast.xml\n+++ b/etc/icecast.xml\n") == 2
    assert "patch -p1 -d" not in result.stderr
    first = result.stdout[: result.stdout.index("--- a/", 1)]
    applied = _patch(first, tmp_path / "copy")
    assert applied.returncode == 0, applied.stdout + applied.stderr


def test_a_diff_holds_no_password_and_applies_without_fuzz(tmp_path: Path) -> None:
    """The context lines were masked (``***``): patch applied the diff only 'with fuzz 2'."""
    write(tmp_path / "icecast.xml", SECRET_NEAR_A_FIX)
    write(tmp_path / "copy" / "icecast.xml", SECRET_NEAR_A_FIX)
    result = lint("icecast.xml", "--diff", "--select", "ICE204", "--isolated", cwd=tmp_path)
    assert "***" not in result.stdout
    for secret in ("s3cret", "adm1n-pass"):
        assert secret not in result.stdout + result.stderr
    applied = _patch(result.stdout, tmp_path / "copy")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "fuzz" not in applied.stdout + applied.stderr and "offset" not in applied.stdout
    assert lint("icecast.xml", "--fix", "--select", "ICE204", "--isolated", cwd=tmp_path).returncode == 0
    assert (tmp_path / "copy" / "icecast.xml").read_bytes() == (tmp_path / "icecast.xml").read_bytes()


STDIN_ADVICE = "the diff of standard input names no file: apply it to the file that was piped in (patch FILE < DIFF)\n"


def test_a_diff_of_standard_input_names_no_file_and_patch_applies_it_to_the_one_named(tmp_path: Path) -> None:
    """``lint --diff -`` was headed ``a/-``, a file named ``-``: ``patch -p1`` asked which file to patch."""
    path = write(tmp_path / "icecast.xml", FIXABLE)
    result = lint("--diff", "--select", "ICE204", "--isolated", "-", cwd=tmp_path, stdin=FIXABLE)
    assert result.stdout.startswith("@@ "), result.stdout  # no header: no name patch could take for a file
    assert f"icecfg lint: {STDIN_ADVICE}" in result.stderr
    assert _patch(result.stdout, tmp_path).returncode != 0  # -p1 has no file to find: refused, nothing asked
    applied = subprocess.run(
        ["patch", "--batch", "icecast.xml"],
        check=False,
        input=result.stdout,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert path.read_bytes() == FIXABLE.replace(b">true<", b">1<")


def test_standard_input_cannot_share_a_diff_with_other_files(tmp_path: Path) -> None:
    """Hunks without a header after another file's would be taken by patch as more of that file."""
    write(tmp_path / "icecast.xml", FIXABLE)
    result = lint("--diff", "--isolated", "icecast.xml", "-", cwd=tmp_path, stdin=FIXABLE)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (
        "icecfg lint: --diff: standard input (-) has no file name for the diff to give, "
        "so it cannot share one with other files: diff it on its own\n"
    )
