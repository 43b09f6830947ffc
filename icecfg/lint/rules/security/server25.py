"""Icecast 2.5's own server files: the PRNG seed and the report database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from icecfg.document import Element, parse, parse_fragment
from icecfg.errors import ParseError
from icecfg.lint.context import LintContext
from icecfg.lint.finding import Finding
from icecfg.lint.rule import rule
from icecfg.spec import Dialect

if TYPE_CHECKING:
    pass


@rule("ICE511", "prng-seed-missing", "warning", dialects=(Dialect.V25,))
def no_prng_seed(ctx: LintContext) -> Iterator[Finding]:
    """No `<prng-seed>` in `<security>`; Icecast 2.5 warns at every start.

    ## Why
    Icecast 2.5 seeds its random number generator (used for session and
    connection identifiers) from the `<prng-seed>` elements of `<security>`.
    Without one it logs "Warning, no PRNG seed configured, falling back to
    libigloo defaults." at every start (`cfgfile.c` l.1489; verified on
    2.5.0); on Windows it counts as a configuration problem.

    ## On each release
    - 2.5.0: verified (`tests/test_oracle_releases.py`).

    ## Bad
    ```xml
    <security>
        <chroot>0</chroot>
    </security>
    ```

    ## Good
    ```xml
    <security>
        <chroot>0</chroot>
        <prng-seed type="device" size="32">/dev/urandom</prng-seed>
    </security>
    ```

    ## Fix
    Add `<prng-seed type="device" size="32">/dev/urandom</prng-seed>` to
    `<security>` (2.5's sample also keeps a `read-write` seed file).
    `icecfg lint --fix` adds it to the last `<security>` (or a new one)
    when the server is not chrooted; 2.5.0 then starts without the warning
    (verified).  In a chroot the device must exist inside it: add the seed
    by hand there.
    """
    root = ctx.config.document.root
    if any(True for _ in ctx.rows("prng-seed", "security")):
        return
    blocks = list(root.elements("security"))
    block = blocks[-1] if blocks else None
    yield ctx.finding(
        block,
        "no <prng-seed> is configured: Icecast 2.5 logs 'no PRNG seed configured, falling back to "
        f"libigloo defaults' at every start; add {_PRNG_SEED} to <security>",
        fix=None if ctx.effective.security.chrooted else _add_prng_seed(root, block),
        fix_title="add a <prng-seed> that reads /dev/urandom",
    )


#: The seed 2.5's own sample configuration reads.
_PRNG_SEED = '<prng-seed type="device" size="32">/dev/urandom</prng-seed>'


def _add_prng_seed(root: Element, block: Element | None) -> Callable[[], None]:
    """The fix: :data:`_PRNG_SEED` as the message writes it, in ``block`` or in a new ``<security>``."""

    def fix() -> None:
        seed = parse_fragment(_PRNG_SEED)
        if block is not None:
            block.insert_formatted(seed)
        else:
            root.insert_formatted(Element("security", children=[seed]))

    return fix


@rule("ICE513", "report-database-unreadable", "warning", dialects=(Dialect.V25,), needs_files=True)
def report_database_unreadable(ctx: LintContext) -> Iterator[Finding]:
    """2.5 `<reportxmldb>` is missing, unreadable or not a report database; 2.5.0 logs an error at every start.

    ## Why
    Icecast 2.5.0 reads each `<paths><reportxmldb>` while it parses the
    configuration: before the chroot (a host path, looked up as written)
    and before it opens its error log.  A file that does not exist, cannot
    be read, is a directory, is not well-formed XML or holds another
    document than a `<report>` database is not loaded: 2.5.0 prints `EROR
    CONFIG/_parse_paths Can not parse report xml database "PATH"` on
    standard error at every start (not in the error log, not open yet)
    and runs without it.  The database adds texts to the error reports
    2.5 sends; the `report-db.xml` 2.5.0 installs defines none, so its
    answers stay the same.

    ## On each release
    - 2.5.0: starts and serves with a missing, unreadable, not-XML or
      non-report file and prints `Can not parse report xml database` for
      each; its 404 report is the same as with the installed database
      (verified, `tests/test_oracle_paths.py`).  Started with `<chroot>`
      it reads the file on the host path (verified,
      `tests/test_oracle_tls_security_25_kh.py`).
    - 2.4.4 and Icecast-KH do not read `<reportxmldb>` (ICE301 reports it).

    ## Bad
    ```xml
    <paths><reportxmldb>/usr/share/icecast/report-db.xml</reportxmldb></paths>  <!-- not installed there -->
    ```

    ## Good
    ```xml
    <paths><reportxmldb>/usr/local/share/icecast/report-db.xml</reportxmldb></paths>
    ```

    ## Fix
    Point it at the `report-db.xml` Icecast 2.5 installs (`share/icecast/`
    under its prefix), readable by the user Icecast starts as, or remove
    the element.
    """
    assert ctx.files is not None
    for placed in ctx.rows("reportxmldb", "paths"):
        path = placed.element.text
        if not path:
            continue  # 2.5.0 warns that it must not be empty and reads nothing
        problem = ctx.files.unusable(path) or ctx.files.parsed(path, _not_a_report_database, _REPORT_DB_BYTES)
        if not problem:
            continue
        yield ctx.finding(
            placed.element,
            f"<reportxmldb> {path} {ctx.files.problem(path, problem)}: Icecast 2.5 logs 'Can not parse report xml "
            "database' at every start and runs without it; point it at the report-db.xml Icecast installs, "
            "or remove it",
            at_text=True,
        )


#: Read at most this much of a report database (the one 2.5.0 installs is a few hundred bytes).
_REPORT_DB_BYTES = 4 * 1024 * 1024


def _not_a_report_database(data: bytes) -> str:
    """What keeps 2.5.0 from loading ``data`` as a report database ('' when nothing does).

    2.5.0 wants well-formed XML whose root is ``<report>``; it rejects other
    documents too (``Unknown name <foo>``).  The node names inside are not
    checked here: a file that is meant as one has the root right.
    """
    try:
        root = parse(data, root_name=None).root
    except ParseError as error:
        return f"is not well-formed XML ({error.message})"
    if root.local_name != "report":
        return f"holds <{root.name}>, not a <report> database"
    return ""
