"""Resource limits: client slots sources take, burst and queue sizes."""

from __future__ import annotations

from collections.abc import Iterator

from icecfg.document import Element
from icecfg.effective.bursts import written_here
from icecfg.effective.provenance import Source, Traced
from icecfg.lint.context import LintContext
from icecfg.lint.finding import Finding
from icecfg.lint.rule import rule
from icecfg.spec import Dialect


def _limit(ctx: LintContext, name: str) -> tuple[Element | None, int | None, str]:
    """The value the target uses for a <limits> child, the element that sets it, and how it came to be.

    The effective configuration applies the defaults and 2.5's range check
    (the third item then says which default replaced what); a KH value it
    could not read at all is left to the value rules.
    """
    found = ctx.effective.limits.values.get(name)
    if found is None:
        return None, None, ""
    value, origin = found.value, found.origin
    if origin.source is Source.DEFAULT and origin.note:
        return None, None, ""  # KH could not read the text: the value rules report it
    kept = ""
    if origin.source is Source.CLAMPED and origin.element is not None:
        text = (origin.element.text or "").strip()
        kept = f" (the default {ctx.target.label} keeps for {text!r}, out of range)"
    return origin.element, value if isinstance(value, int) and not isinstance(value, bool) else None, kept


@rule("ICE907", "clients-not-above-sources", "warning")
def clients_not_above_sources(ctx: LintContext) -> Iterator[Finding]:
    """`<clients>` is not more than twice `<sources>`: sources crowd out listeners.

    ## Why
    Every source (and relay) also counts against the `<clients>` limit, so a
    server with `<clients>` close to `<sources>` has few or no slots left for
    listeners once its sources connect.  Icecast 2.5 checks this and logs an
    error when `clients <= 2 * sources` (`cfgfile.c` l.1077), also when an
    out-of-range value made it keep the default: `<clients>0</clients>` with
    `<sources>200</sources>` gives "Client limit (256) is too small for given
    source limit (200)" (verified on 2.5.0).

    ## On each release
    - 2.4.4: with `<clients>2` and one source, a second listener gets 403
      (verified, `tests/test_oracle_tls_security.py`).
    - 2.5.0: the same client gets 503, and 2.5.0 logs the limit as too small
      (verified, `tests/test_oracle_network_25_kh.py` and `tests/test_oracle_releases.py`).
    - Icecast-KH: 403, as 2.4.4 (verified).

    ## Bad
    ```xml
    <limits><clients>20</clients><sources>10</sources></limits>
    ```

    ## Good
    ```xml
    <limits><clients>100</clients><sources>10</sources></limits>
    ```

    ## Fix
    Raise `<clients>` (or lower `<sources>`) so that clients > 2 × sources.
    """
    clients_el, clients, clients_kept = _limit(ctx, "clients")
    sources_el, sources, sources_kept = _limit(ctx, "sources")
    if clients is None or sources is None or clients <= 0 or sources <= 0:
        return  # a zero or broken limit is the value rules' business
    if clients > 2 * sources:
        return
    target = clients_el or sources_el
    if target is None:
        return
    said = "Icecast 2.5 logs an error for this; " if ctx.target is Dialect.V25 else ""
    yield ctx.finding(
        target,
        f"<clients> {clients}{clients_kept} is not above 2 x <sources> "
        f"{sources}{sources_kept}: sources also take client slots, "
        f"leaving few for listeners; {said}raise <clients> above {2 * sources}",
        at_text=clients_el is not None,
    )


@rule("ICE908", "burst-size-not-below-queue-size", "warning")
def burst_size_not_below_queue_size(ctx: LintContext) -> Iterator[Finding]:
    """`<burst-size>` is not smaller than `<queue-size>`.

    ## Why
    The burst is the data a new listener gets at once from the stream queue;
    the queue size is how far a listener may lag before it is dropped.  The
    Icecast documentation asks for a burst below the queue size: a burst as
    large as the queue leaves a new listener no room before that limit.
    Mount values override the `<limits>` ones.  Icecast-KH copies the
    `<limits>` sizes into a mount as it reads the `<mount>`: a mount written
    before `<limits>` keeps the sizes KH had then (its defaults), and is
    judged with those.

    ## On each release
    - None of the releases logs anything about it, at start or when a
      source connects (verified, `tests/test_oracle_releases.py`).
    - When a listener falls behind depends on network timing; not shown on
      a running server.
    - Icecast-KH: a `<limits>` after a `<mount>` does not reach that mount
      (verified with its burst and source timeout,
      `tests/test_oracle_explain.py`).

    ## Bad
    ```xml
    <limits><queue-size>65536</queue-size><burst-size>65536</burst-size></limits>
    ```

    ## Good
    ```xml
    <limits><queue-size>524288</queue-size><burst-size>65536</burst-size></limits>
    ```

    ## Fix
    Lower `<burst-size>` (the default is 65536) or raise `<queue-size>`.
    """
    server = ctx.effective.sizes
    queue, burst = server.queue_bytes, server.burst_bytes
    target = _written_element(server.burst) or _written_element(server.queue)
    if queue is not None and burst is not None and queue > 0 and burst >= queue and target is not None:
        yield ctx.finding(
            target,
            f"<limits> <burst-size> {burst} is not below <queue-size> {queue}: a new listener's burst "
            "leaves it no room before the lag limit that drops it; keep the burst well below the queue size",
            at_text=True,
        )
    for sizes in ctx.effective.mount_sizes:
        mount = sizes.mount
        assert mount is not None
        m_queue, m_burst = sizes.queue_bytes, sizes.burst_bytes
        if m_queue is None or m_burst is None or m_queue <= 0 or m_burst < 0 or m_burst < m_queue:
            continue
        own = mount.own.get("burst-size")
        if own is None or not written_here(own):
            own = mount.own.get("queue-size")
        # KH: a mount that writes neither has sizes of its own when read before the <limits> that sets them
        at = own.origin.element if own is not None and written_here(own) else None
        yield ctx.finding(
            at if at is not None else mount.element,
            f"mount {mount.name or '(default mount)'}: <burst-size> {m_burst} is not below <queue-size> {m_queue}; "
            "keep the burst well below the queue size",
            at_text=at is not None,
        )


def _written_element(value: Traced[object]) -> Element | None:
    """The element that sets ``value`` when it is written (not a default)."""
    return value.origin.element if value.origin.source is not Source.DEFAULT else None
