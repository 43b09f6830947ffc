"""The secrets a file holds, as every command masks them: as Icecast reads them and as the file spells them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import icecfg
from icecfg.secrets import Spellings, secrets


def _secrets(xml: str) -> frozenset[str]:
    return secrets(icecfg.loads(xml.encode()).document.root)


def test_an_attribute_password_is_a_secret_as_read_and_as_written() -> None:
    """KH's attribute form of a password child: the value with its reference, and expanded."""
    found = _secrets('<icecast><authentication source-password="s3cret&amp;pass"/></icecast>')
    assert {"s3cret&pass", "s3cret&amp;pass"} <= found


_URL_AUTH = (
    '<icecast><mount><mount-name>/a</mount-name><authentication type="url">{}</authentication></mount></icecast>'
)


@pytest.mark.parametrize(
    ("options", "secret", "other"),
    [
        # an authenticator's secret option is one, its other options are not
        (
            '<option name="auth_password" value="opt-pass"/><option name="username" value="opt-user"/>',
            "opt-pass",
            "opt-user",
        ),
        # the password of a URL's user information
        ('<option name="listener_add" value="http://user:url-pass@auth.example.org/add"/>', "url-pass", "user"),
    ],
)
def test_an_authenticators_options_hold_their_secrets(options: str, secret: str, other: str) -> None:
    found = _secrets(_URL_AUTH.format(options))
    assert secret in found and other not in found


def test_a_placeholder_attribute_is_no_secret() -> None:
    """``${SOURCE_PASSWORD}`` names a secret a template tool fills in: masking it would hide the name only."""
    assert _secrets('<icecast><authentication source-password="${SOURCE_PASSWORD}"/></icecast>') == frozenset()


def test_an_attribute_named_like_no_password_is_no_secret() -> None:
    assert _secrets('<icecast><mount type="normal"><mount-name>/a</mount-name></mount></icecast>') == frozenset()


def _naive_spans(line: str, pieces: list[str]) -> list[tuple[int, int]]:
    """The runs of characters that some occurrence of a non-blank piece covers, found one piece at a time."""
    covered = [False] * (len(line) + 1)  # the last one stays False: it ends the last run
    for piece in {p for p in pieces if p.strip()}:
        at = line.find(piece)
        while at != -1:
            covered[at : at + len(piece)] = [True] * len(piece)
            at = line.find(piece, at + 1)
    runs, start = [], None
    for index, inside in enumerate(covered):
        if inside and start is None:
            start = index
        elif not inside and start is not None:
            runs.append((start, index))
            start = None
    return runs


_TEXT = st.text(alphabet="ab1 &", max_size=14)


@settings(max_examples=500, deadline=None)
@given(st.lists(_TEXT, max_size=6), st.lists(st.one_of(_TEXT, st.integers(0, 5)), max_size=8))
def test_spellings_find_every_piece_wherever_it_stands(pieces: list[str], parts: list[str | int]) -> None:
    """The windows read every few characters find what a search for each piece finds, in text and in bytes.

    A line is made of text and of pieces (an integer picks one), so that
    pieces stand at every offset from the windows read, overlap and repeat.
    """
    line = "".join(part if isinstance(part, str) else (pieces[part % len(pieces)] if pieces else "") for part in parts)
    expected = _naive_spans(line, pieces)
    assert Spellings(pieces).spans(line) == expected
    encoded = Spellings(pieces).encoded("utf-8")
    assert encoded.spans(line.encode()) == expected  # one byte a character: the same places
