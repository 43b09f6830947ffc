"""Why a release does not start with a configuration: the first thing ``explain`` says.

A server that dies at start-up does nothing else the rest of the report
describes, and most of these deaths are silent (a SIGSEGV before the first
log line), so each cause here was seen on the release it names
(``tests/test_oracle_startup.py``).  The crash rules (ICE205, ICE214,
ICE505, ICE517, ICE901, ICE906, ICE918) ask the same predicates, these here and the socket
clashes of :mod:`.listeners`, so what ``lint`` reports and what
``explain`` puts first cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from icecfg.conversion import crashes_if_empty
from icecfg.document import Element
from icecfg.effective.authoptions import option_value, options
from icecfg.effective.listeners import shoutcast_clashes, socket_clashes
from icecfg.placement import walk
from icecfg.spec import Dialect

if TYPE_CHECKING:
    from icecfg.effective.config import EffectiveConfig
    from icecfg.effective.listeners import Listener


def startup_problems(eff: EffectiveConfig) -> tuple[str, ...]:
    """Each reason ``eff.target`` exits or crashes at start-up with this file, in words."""
    found = [f"the {log.kind} log: {log.note}" for log in eff.logging.logs if log.destination == "fatal"]
    if not any(s.port is not None and s.binds for s in eff.listeners):
        found.append("no listen socket can be bound")
    found.extend(_empty_crashes(eff.root, eff.target))
    if eff.target is Dialect.V25:
        for event in exec_event_without_executable(eff.root):
            found.append(
                f'line {event.line} <event type="exec"> names no executable: Icecast 2.5 segfaults setting it up '
                "(exit status 139, after 'No executable given.')"
            )
        for option in yp_socket_without_hash(eff.root):
            found.append(
                f'line {option.line} <option name="listen-socket" value="{option.get("value")}"> in <yp-directory> '
                "is no #id: Icecast 2.5 segfaults reading it (exit status 139, no message)"
            )
    if eff.target is Dialect.KH:
        found.extend(_kh_authenticator_crashes(eff.root))
        found.extend(_kh_socket_clashes(eff.listeners))
    return tuple(found)


def htpasswd_without_users_file(block: Element, dialect: Dialect) -> bool:
    """Whether an htpasswd ``<authentication>`` names no users file the release reads.

    2.4.4 and 2.5.0 then refuse every listener; KH dies of SIGSEGV at start-up.
    """
    return not any(name == "filename" and option_value(option, dialect) for option, name in options(block, dialect))


def exec_event_without_executable(root: Element) -> Iterator[Element]:
    """2.5: each ``<event type="exec">`` (server-wide or a mount's) whose ``executable`` option has no value.

    ``event_get_exec`` takes the last ``executable`` option's value (a
    missing ``value=`` is NULL), logs ``No executable given.`` without one
    and frees the half-built handler through ``event_exec_free``, which
    walks its still unallocated argument list: a SIGSEGV at start-up.  An
    event without ``type`` or ``trigger`` is dropped before (ICE107).
    """
    for holder in (root, *root.elements("mount")):
        for bindings in holder.elements("event-bindings"):
            for event in bindings.elements("event"):
                if event.get("type") != "exec" or event.get("trigger") is None:
                    continue
                executable = None
                for option in event.elements("option"):
                    if option.get("name") == "executable":
                        executable = option.get("value")
                if executable is None:
                    yield event


def yp_socket_without_hash(root: Element) -> Iterator[Element]:
    """2.5: each ``<yp-directory>`` ``listen-socket`` option whose value is no ``#id``, which 2.5.0 dies of.

    ``config_href_to_id`` reports a value without its ``#`` through
    ``__found_bad_tag``, which 2.5.0's YP parser calls with no node: a
    SIGSEGV at start-up, before the first log line.  An empty value names no
    socket and passes.
    """
    for directory in root.elements("yp-directory"):
        for option in directory.elements("option"):
            value = option.get("value")
            if option.get("name") == "listen-socket" and value and not value.startswith("#"):
                yield option


def command_without_listener_add(block: Element) -> bool:
    """Whether a KH ``command`` authenticator names no ``listener_add`` program: KH then dies of SIGSEGV."""
    return not any(name == "listener_add" for _option, name in options(block, Dialect.KH))


def _empty_crashes(root: Element, dialect: Dialect) -> Iterator[str]:
    """Empty numbers the release reads with atoi(NULL) (2.4.4) or strcasecmp(NULL) (2.5.0 <loglevel>)."""
    for placed in walk(root):
        row = placed.row
        if row is None or row.value is None or not crashes_if_empty(row, dialect):
            continue
        element = placed.element
        if element.text is None and placed.section is None:
            yield (
                f"line {element.line} <{element.local_name}> is empty: {dialect.label} segfaults "
                "reading it (exit status 139, no message)"
            )


def _kh_authenticator_crashes(root: Element) -> Iterator[str]:
    """Mount authenticators KH sets up half and then dies on (SIGSEGV, after one log line)."""
    for mount in root.elements("mount"):
        for block in mount.elements("authentication"):
            kind = block.get("type")
            if kind == "htpasswd" and htpasswd_without_users_file(block, Dialect.KH):
                missing = 'no <option name="filename">'
            elif kind == "command" and command_without_listener_add(block):
                missing = 'no <option name="listener_add">'
            else:
                continue
            yield (
                f'line {block.line} <authentication type="{kind}"> has {missing}: '
                "Icecast-KH crashes (SIGSEGV) setting it up"
            )


def _kh_socket_clashes(listeners: Sequence[Listener]) -> Iterator[str]:
    """Two sockets on one port and address: KH cannot bind the second and exits."""
    for listener, earlier in socket_clashes(listeners):
        assert listener.element is not None and earlier.element is not None
        yield (
            f"line {listener.element.line} <listen-socket> asks for port {listener.port}, which the socket "
            f"at line {earlier.element.line} holds: Icecast-KH cannot bind it and exits"
        )
    for listener, other in shoutcast_clashes(listeners):
        assert listener.element is not None and other.element is not None
        yield (
            f"line {listener.element.line} <listen-socket>'s <shoutcast-mount> also opens port "
            f"{listener.shoutcast_port}, which the socket at line {other.element.line} holds: "
            "Icecast-KH cannot bind it and exits"
        )
