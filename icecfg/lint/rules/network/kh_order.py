"""Icecast-KH reads server settings only before the first <mount>."""

from __future__ import annotations

from collections.abc import Iterator

from icecfg.lint.context import LintContext
from icecfg.lint.finding import Finding
from icecfg.lint.rule import rule
from icecfg.spec import Dialect


@rule("ICE916", "kh-server-settings-after-mount", "warning", dialects=(Dialect.KH,))
def kh_server_settings_after_mount(ctx: LintContext) -> Iterator[Finding]:
    """Icecast-KH: `<limits>` or server-wide `<http-headers>` after a `<mount>` does not reach that mount.

    ## Why
    Icecast-KH starts each mount with the queue size, burst size and source
    timeout of `<limits>`, and the server-wide `<http-headers>`, as they
    stand when it reads the `<mount>` (`_parse_mount` in its `cfgfile.c`).
    A `<limits>` or `<http-headers>` written further down changes the
    server's values, not the mounts read before it: those keep KH's defaults
    (a 64 KB burst, a 10 s source timeout) and send none of the headers.

    ## On each release
    - Icecast-KH: a mount written before `<limits>` bursts its default
      65,536 bytes and drops a stalled source after the default timeout; a
      server-wide header written after a `<mount>` is not sent on its stream
      (verified, `tests/test_oracle_explain.py`).
    - 2.4.4 and 2.5.0 use `<limits>` and the server-wide headers wherever
      they are written (verified), so the rule is for KH alone.

    ## Bad
    ```xml
    <mount><mount-name>/live.mp3</mount-name></mount>
    <limits><burst-size>16000</burst-size></limits>
    <http-headers><header name="Access-Control-Allow-Origin" value="*"/></http-headers>
    ```

    ## Good
    ```xml
    <limits><burst-size>16000</burst-size></limits>
    <http-headers><header name="Access-Control-Allow-Origin" value="*"/></http-headers>
    <mount><mount-name>/live.mp3</mount-name></mount>
    ```

    ## Fix
    Move `<limits>` and `<http-headers>` above the first `<mount>`, or set
    the values on the mount itself.
    """
    root = ctx.config.document.root
    if root.find("mount") is None:
        return
    yield from _kh_limits_missed(ctx)
    yield from _kh_headers_missed(ctx)


def _kh_limits_missed(ctx: LintContext) -> Iterator[Finding]:
    """One finding at the ``<limits>`` setting that comes too late for some mounts (the mounts keep their copy)."""
    late: dict[str, list[tuple[str, object]]] = {}  # setting -> (mount, value it keeps)
    for mount in ctx.effective.mounts.mounts:
        for name, copied in (mount.kh_limits or {}).items():
            if mount.settings.get(name) is copied:
                late.setdefault(name, []).append((mount.label, copied.value))
    for name, missed in late.items():
        final = ctx.effective.limits.values.get(name)
        anchor = final.origin.element if final is not None else None
        kept = ", ".join(f"{label} keeps {value}" for label, value in missed[:3])
        more = f" and {len(missed) - 3} more" if len(missed) > 3 else ""
        yield ctx.finding(
            anchor,
            f"<{name}> in <limits> comes after {len(missed)} <mount>(s) Icecast-KH has already read, "
            f"which keep the value they copied ({kept}{more}); move <limits> above the first <mount> "
            f"or set <{name}> on the mount",
        )


def _kh_headers_missed(ctx: LintContext) -> Iterator[Finding]:
    """One finding at each server-wide header some mounts do not send, naming the first of them."""
    for late in ctx.effective.kh_late_headers:
        header, count = late.node, late.count
        names = ", ".join(mount.label for mount in late.first) + (f" and {count - 3} more" if count > 3 else "")
        yield ctx.finding(
            header,
            f"server-wide header {header.get('name')} comes after {count} <mount>(s) ({names}): "
            "Icecast-KH copies the server-wide headers into a mount as it reads it and does not send this one "
            "there; move <http-headers> above the first <mount>",
            attribute="name",
        )
