"""The secrets a file holds, as every command masks them: as Icecast reads them and as the file spells them."""

from __future__ import annotations

import pytest

import icecfg
from icecfg.secrets import secrets


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
