"""2.5 event handlers that cannot be set up: an exec event without its program."""

from __future__ import annotations

from collections.abc import Iterator

from icecfg.effective.startup import exec_event_without_executable
from icecfg.lint.context import LintContext
from icecfg.lint.finding import Finding
from icecfg.lint.rule import rule
from icecfg.spec import Dialect


@rule("ICE214", "exec-event-without-executable", "error", dialects=(Dialect.V25,))
def exec_event_without_executable_crashes(ctx: LintContext) -> Iterator[Finding]:
    """An `<event type="exec">` that names no executable: Icecast 2.5 crashes at start-up.

    ## Why
    An exec event runs the program its `<option name="executable">` names
    when its trigger fires.  Without that option, or with one that has no
    `value=`, Icecast 2.5 logs `No executable given.` and, freeing the
    half-built handler, reads the argument list it never allocated
    (`event_exec.c`): the server dies of SIGSEGV while it reads its
    configuration, server-wide or in a mount's `<event-bindings>` alike.

    ## On each release
    - 2.5.0: `<event type="exec" trigger="source-connect"/>` and the same
      with `<option name="executable"/>` end the server with SIGSEGV (exit
      status 139); with a value it starts (verified,
      `tests/test_oracle_startup.py`).
    - 2.4.4 and Icecast-KH have no `<event-bindings>`.

    ## Bad
    ```xml
    <event-bindings>
        <event type="exec" trigger="source-connect"/>
    </event-bindings>
    ```

    ## Good
    ```xml
    <event-bindings>
        <event type="exec" trigger="source-connect">
            <option name="executable" value="/usr/local/bin/on-connect"/>
        </event>
    </event-bindings>
    ```

    ## Fix
    Name the program in an `<option name="executable" value="...">`, or
    remove the event.
    """
    for event in exec_event_without_executable(ctx.config.document.root):
        yield ctx.finding(
            event,
            '<event type="exec"> names no executable: Icecast 2.5 segfaults setting it up at start '
            '(exit status 139, after \'No executable given.\'); add <option name="executable" value="..."> '
            "or remove the event",
        )
