"""Text as written: spaces Icecast keeps, and bind addresses it cannot bind."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator

from icecfg import spec
from icecfg.document import Element
from icecfg.lint.context import LintContext
from icecfg.lint.finding import Finding
from icecfg.lint.rule import rule
from icecfg.lint.rules.common import (
    leaf_groups,
    read_leaves_of_rows,
    shown,
)
from icecfg.lint.rules.values.shared import binds, set_text_fix
from icecfg.spec import Kind

_ADDRESSES = frozenset({Kind.IP})


#: Kinds whose text Icecast uses as written: names, paths, hosts, passwords.
_VERBATIM = frozenset(
    {
        Kind.STRING,
        Kind.PASSWORD,
        Kind.PATH,
        Kind.FILENAME,
        Kind.MOUNT,
        Kind.HOST,
        Kind.IP,
        Kind.URL,
        Kind.MIME,
        Kind.REF,
    }
)


def _bind_address_row(row: spec.ElementRow) -> bool:
    return row.value is not None and row.value.kind in _ADDRESSES and row.name == "bind-address"


def _whitespace_consequence(kind: Kind) -> str:
    return {
        Kind.PASSWORD: "the whitespace is part of the password clients must send",
        Kind.MOUNT: "the mount name includes it and matches no request for the name without it",
        Kind.PATH: "the path includes it and names a different file",
        Kind.FILENAME: "the file name includes it",
        Kind.HOST: "the host name includes it, in generated URLs and YP listings too",
        Kind.IP: "the address includes it and does not parse as an IP address",
        Kind.URL: "the URL includes it",
    }.get(kind, "Icecast uses the text as written")


@rule("ICE207", "untrimmed-value", "warning")
def untrimmed_value(ctx: LintContext) -> Iterator[Finding]:
    """Leading or trailing whitespace in a name, path, host or password; Icecast keeps it.

    ## Why
    Icecast never trims values: `<mount-name> /live</mount-name>` configures
    a mount called " /live", which no listener ever asks for, and a password
    written across lines includes the newline and the indentation.  The
    whitespace is invisible in review.  Tested on 2.5.0 and kh22: a mount
    named " /spaced" with a file fallback answers 404 for `/spaced`, the
    trimmed name plays the fallback.

    ## Bad
    ```xml
    <mount>
        <mount-name>
            /live.ogg
        </mount-name>
    </mount>
    ```

    ## Good
    ```xml
    <mount>
        <mount-name>/live.ogg</mount-name>
    </mount>
    ```

    ## Fix
    Remove the whitespace (`icecfg lint --fix` does it).
    """
    for _row, value, leaves in leaf_groups(ctx, _VERBATIM):
        for placed in leaves:  # the groups are of _VERBATIM rows only: no look at the kind per leaf
            text = placed.element.text
            if text is None or text == text.strip():
                continue
            element = placed.element
            name = element.local_name
            secret = value.secret
            if not text.strip():
                yield ctx.finding(
                    element,
                    f"<{name}> holds only whitespace: Icecast uses it as written; give it a value or remove it",
                )
                continue
            subject = f"<{name}>" if secret else f"<{name}> {shown(ctx, text, secret)}"
            stripped = text.strip()

            def fix(element: Element = element, stripped: str = stripped) -> None:
                element.set_text(stripped)

            yield ctx.finding(
                element,
                f"{subject} has leading or trailing whitespace: Icecast never trims values, so "
                f"{_whitespace_consequence(value.kind)}; remove it",
                at_text=True,
                fix=fix,
                fix_title=f"trim the whitespace of <{name}>",
            )


@rule("ICE208", "bind-address-not-numeric", "error")
def bind_address_not_numeric(ctx: LintContext) -> Iterator[Finding]:
    """`<bind-address>` that is not a numeric IP address; the socket cannot bind.

    ## Why
    Icecast binds listen sockets to numeric addresses only.  Checked on
    Icecast 2.4.4: `<bind-address>localhost</bind-address>` fails to bind;
    when that was the only socket, Icecast exits with "Server startup
    failed".  Otherwise it runs without the socket you configured.  Icecast
    2.5.0 and Icecast-KH do the same (tested: a second socket with
    `<bind-address>localhost</bind-address>` refuses connections, with
    `127.0.0.1` it serves).

    ## Bad
    ```xml
    <listen-socket>
        <port>8000</port>
        <bind-address>localhost</bind-address>
    </listen-socket>
    ```

    ## Good
    ```xml
    <listen-socket>
        <port>8000</port>
        <bind-address>127.0.0.1</bind-address>
    </listen-socket>
    ```

    ## Fix
    Write the address as digits (`127.0.0.1`, `::1`, `0.0.0.0`); `icecfg
    lint --fix` turns `localhost` into `127.0.0.1`.
    """
    numeric: set[str] = set()
    # only the <bind-address> rows are visited, not every host name of the file
    for placed, row, value in read_leaves_of_rows(ctx, _bind_address_row):
        text = placed.element.text
        if value.kind is not Kind.IP or row.name != "bind-address" or text is None or not text.strip():
            continue
        if not binds(ctx, placed):
            continue  # a root <bind-address> beside <listen-socket>s is not used at all
        address = text.strip()
        if address in numeric:
            continue  # a file binds its few addresses on many sockets: each is parsed once
        try:
            ipaddress.ip_address(address)
            numeric.add(address)
            continue
        except ValueError:
            pass
        fix: Callable[[], None] | None = None
        title = ""
        if address.lower() == "localhost":
            fix = set_text_fix(placed.element, "127.0.0.1")
            title = "write <bind-address>127.0.0.1</bind-address>"
        yield ctx.finding(
            placed.element,
            f"<bind-address> {address!r} is not a numeric IP address: Icecast cannot bind it "
            "(startup fails when no other socket binds); write the address as digits, e.g. 127.0.0.1",
            at_text=True,
            fix=fix,
            fix_title=title,
        )
