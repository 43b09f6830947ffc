"""Whatever the input, icecfg answers with findings or a ParseError: never a traceback, never a password."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import icecfg
from icecfg.lint import lint
from tests.bounds import hang_guard
from tests.samples import samples

SAMPLES = samples()


def _lint_everything(data: bytes, root: Path | None = None) -> None:
    try:
        cfg = icecfg.loads(data, path="fuzz.xml")
    except icecfg.ParseError as err:
        message = str(err)
        assert "\n" not in message
        return
    for target in ("2.4", "2.5", "kh"):
        findings = lint(cfg, target=target, root=str(root) if root else None, files=root is not None)
        for finding in findings:
            assert "\n" not in finding.message
            assert finding.line >= 0
    cfg.to_dict()
    assert icecfg.dumps(cfg) == data


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_random_bytes(data: bytes) -> None:
    _lint_everything(b"<icecast>" + data + b"</icecast>")
    _lint_everything(data)


XMLISH = st.text(alphabet="<>/!?-[]&;#=\"' abcdefghilmnoprstuxy0123456789\n\t", max_size=300)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(XMLISH)
def test_random_markup(text: str) -> None:
    _lint_everything(("<icecast>" + text + "</icecast>").encode())


def _mutations(data: bytes, seed: int) -> list[bytes]:
    """Line-level mutations of a real config: drop, duplicate, swap, truncate, flip bytes."""
    rng = random.Random(seed)
    lines = data.splitlines(keepends=True)
    out = []
    for _ in range(40):
        mutated = list(lines)
        for _ in range(rng.randint(1, 4)):
            op = rng.randrange(6)
            i = rng.randrange(len(mutated))
            if op == 0:
                del mutated[i]
            elif op == 1:
                mutated.insert(i, mutated[rng.randrange(len(mutated))])
            elif op == 2:
                j = rng.randrange(len(mutated))
                mutated[i], mutated[j] = mutated[j], mutated[i]
            elif op == 3:
                line = bytearray(mutated[i])
                if line:
                    line[rng.randrange(len(line))] = rng.randrange(256)
                mutated[i] = bytes(line)
            elif op == 4:
                mutated[i] = mutated[i].replace(b"1", b"").replace(b">", b"/>", 1)
            else:
                mutated = mutated[: i + 1]
        out.append(b"".join(mutated))
    return out


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_mutated_real_configs(name: str, tmp_path: Path) -> None:
    with hang_guard(600):  # a few seconds normally; the guard only catches a hang
        for seed in range(5):
            for data in _mutations(SAMPLES[name], seed):
                _lint_everything(data, root=tmp_path)


PASSWORDS = {
    "source": "Src-7fq2-SECRET",
    "relay": "Rly-9kd3-SECRET",
    "admin": "Adm-2mx8-SECRET",
    "master": "Mst-4hz1-SECRET",
    "mount": "Mnt-6pw5-SECRET",
    "upstream": "Ups-3jr7-SECRET",
    "url": "Url-8qn4-SECRET",
}

SECRET_CONFIG = f"""<icecast>
    <hostname> localhost </hostname>
    <source-password>{PASSWORDS["source"]}</source-password>
    <authentication>
        <source-password> {PASSWORDS["source"]} </source-password>
        <relay-password>{PASSWORDS["relay"]}</relay-password>
        <admin-user>admin</admin-user>
        <admin-password>{PASSWORDS["relay"]}</admin-password>
    </authentication>
    <master-server>127.0.0.1</master-server>
    <master-password>{PASSWORDS["master"]}</master-password>
    <listen-socket><port>8000</port></listen-socket>
    <mount>
        <mount-name>/live.ogg</mount-name>
        <password>{PASSWORDS["mount"]} </password>
        <authentication type="url">
            <option name="password" value="{PASSWORDS["url"]}"/>
        </authentication>
    </mount>
    <relay>
        <server>127.0.0.1</server>
        <mount>/x</mount>
        <password>{PASSWORDS["upstream"]}</password>
    </relay>
    <mount><mount-name>/b</mount-name><password>hackme</password></mount>
</icecast>
""".encode()


@pytest.mark.parametrize("output", ["text", "json", "sarif", "github"])
@pytest.mark.parametrize("target", ["2.4", "2.5", "kh"])
def test_no_output_ever_contains_a_password(tmp_path: Path, output: str, target: str) -> None:
    path = tmp_path / "icecast.xml"
    path.write_bytes(SECRET_CONFIG)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "icecfg.cli",
            "lint",
            str(path),
            "--isolated",
            "--format",
            output,
            "--target",
            target,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert result.stdout
    for secret in [*PASSWORDS.values(), "hackme"]:
        assert secret not in result.stdout
        assert secret not in result.stderr
    diff = subprocess.run(
        [sys.executable, "-m", "icecfg.cli", "lint", str(path), "--isolated", "--diff", "--target", target],
        capture_output=True,
        text=True,
        check=False,
    )
    for secret in PASSWORDS.values():
        assert secret not in diff.stdout
