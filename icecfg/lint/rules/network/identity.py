"""How a 2.5 server names itself: a host name TLS and YP can use, a location and admin address of its own."""

from __future__ import annotations

from collections.abc import Iterator

from icecfg.lint.context import LintContext
from icecfg.lint.finding import Finding
from icecfg.lint.rule import rule
from icecfg.lint.rules.network.shared import hostname
from icecfg.spec import Dialect


def _hostcheck(hostname: str) -> str | None:
    """What 2.5's ``util_hostcheck`` finds wrong with an (already lower-cased) hostname, or None."""
    if hostname in ("localhost", "localhost.localdomain", "localhost.localnet"):
        return "is localhost, the default"
    if all(c.isdigit() or c == "." for c in hostname):
        return "is an IPv4 address"
    if ":" in hostname and all(c in "0123456789abcdef:" for c in hostname):
        return "is an IPv6 address"
    if any(not (c.isascii() and (c.isalnum() or c in ".-")) for c in hostname):
        return "contains characters a host name does not have"
    if "." not in hostname:
        return "is not a fully qualified domain name"
    return None


_IDENTITY_DEFAULTS = {"location": "Earth", "admin": "icemaster@localhost"}


@rule("ICE914", "hostname-not-fqdn", "warning", dialects=(Dialect.V25,))
def hostname_not_fqdn(ctx: LintContext) -> Iterator[Finding]:
    """`<hostname>` unset, localhost, an IP address or a short name: Icecast 2.5 warns at every start.

    ## Why
    Icecast 2.5 checks `<hostname>` (`__check_hostname`, `util_hostcheck`):
    unset or `localhost` ("YP directory listing support will be disabled"),
    an IPv4 or IPv6 address, unusual characters or a name without a dot
    each log a warning at every start and count as a configuration problem
    on the admin dashboard (verified on 2.5.0).  The host name goes into
    playlists, stream URLs and YP listings.  (Where YP listings are
    configured, ICE904 reports a local host name instead.)

    ## On each release
    - 2.5.0: verified (`tests/test_oracle_releases.py`).

    ## Bad
    ```xml
    <hostname>localhost</hostname>
    ```

    ## Good
    ```xml
    <hostname>radio.example.org</hostname>
    ```

    ## Fix
    Set `<hostname>` to the server's public, fully qualified DNS name.
    """
    last, text = hostname(ctx)
    problem = _hostcheck((text or "localhost").lower())
    if problem is None:
        return
    if problem.startswith("is localhost") and (ctx.effective.directories or ctx.effective.public_mounts):
        return  # ICE904 says it, with the YP consequence
    shown = "<hostname> is not set, so it" if text is None else f"<hostname> {text!r}"
    yp = " and says YP listing support will be disabled" if problem.startswith("is localhost") else ""
    yield ctx.finding(
        last,
        f"{shown} {problem}: Icecast 2.5 logs a warning about it at every start{yp}; "
        "set it to the server's public DNS name (radio.example.org)",
        at_text=text is not None,
    )


#: 2.5's CONFIG_DEFAULT_LOCATION and CONFIG_DEFAULT_ADMIN.


@rule("ICE915", "default-location-or-admin", "warning", dialects=(Dialect.V25,))
def default_location_or_admin(ctx: LintContext) -> Iterator[Finding]:
    """`<location>` or `<admin>` unset or left at the default; Icecast 2.5 warns at every start.

    ## Why
    Icecast 2.5 logs "Warning, <location> not configured, using default
    value "Earth"" and "Warning, <admin> contact not configured, using
    default value "icemaster@localhost". This breaks YP directory
    listings." when either is missing or still the sample's value
    (`cfgfile.c` l.1506-1524; verified on 2.5.0), and shows both as
    configuration problems on the admin dashboard.

    ## On each release
    - 2.5.0: verified (`tests/test_oracle_releases.py`).

    ## Bad
    ```xml
    <location>Earth</location>
    <admin>icemaster@localhost</admin>
    ```

    ## Good
    ```xml
    <location>Berlin, Germany</location>
    <admin>radio-admin@example.org</admin>
    ```

    ## Fix
    Say where the server is and give an address that reaches its
    administrator.
    """
    for name, default in _IDENTITY_DEFAULTS.items():
        used = ctx.effective.values.get(name)
        last = used.origin.element if used is not None else None
        text = last.text if last is not None else None
        if text is not None and text != default:
            continue
        what = f"<{name}> is not set" if text is None else f"<{name}> is the default {default!r}"
        breaks = "; it breaks YP directory listings" if name == "admin" else ""
        yield ctx.finding(
            last,
            f"{what}: Icecast 2.5 logs a warning at every start{breaks}; set your own",
            at_text=text is not None,
        )
