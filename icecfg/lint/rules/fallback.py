"""Fallback: where listeners go when a mount has no source, and whether they get there.

Icecast follows ``<fallback-mount>`` from mount to mount while a mount has no
running source (at most ten lookups) and plays a file from webroot when the
value names no live mount.  None of it is checked at startup: a value without
the leading ``/``, a missing file, a loop or a fallback of another format all
show only when the live source drops and the listeners are lost.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, NamedTuple

from icecfg.audio import formats_meet
from icecfg.document import Element
from icecfg.effective.declared import (
    FORMAT_WORDS,
    declared_bitrate,
    declared_codec,
    declared_format,
    declared_format_type,
)
from icecfg.effective.fallbacks import MAX_FALLBACK_DEPTH, MAX_HOPS, Fallback, Fallbacks, options_on
from icecfg.effective.mounts import MountConfig
from icecfg.files import DIRECTORY, UNREADABLE
from icecfg.lint.context import LintContext
from icecfg.lint.finding import Finding
from icecfg.lint.rule import rule
from icecfg.spec import Dialect

if TYPE_CHECKING:
    from icecfg.audio import AudioInfo

_V24_V25 = (Dialect.V24, Dialect.V25)
#: How far apart a declared and a measured bitrate may be before it is reported.
_BITRATE_SLACK = 0.2
_BITRATE_SLACK_KBPS = 8
#: How much of a fallback file is read to learn its parameters.
_PROBE_BYTES = 4 * 1024 * 1024

__all__ = ["MAX_FALLBACK_DEPTH", "MAX_HOPS"]


# --------------------------------------------------------------------------- the mount graph


class _Mount(NamedTuple):
    """One ``<mount>`` as the rules judge it: the effective mount and its fallback (None: none)."""

    config: MountConfig
    found: Fallback | None

    @property
    def fallback(self) -> str | None:
        return self.found.value if self.found is not None else None

    @property
    def fallback_element(self) -> Element | None:
        """The element holding the fallback value (``<fallback-mount>`` or KH ``<fallback>``)."""
        return self.found.element if self.found is not None else None

    @property
    def fallback_attribute(self) -> str | None:
        """The attribute holding the fallback value (KH's ``<fallback mount="...">``), None: the element's text."""
        return self.found.attribute if self.found is not None else None

    @property
    def inherited_from(self) -> MountConfig | None:
        """Set when the fallback is inherited from a ``type="default"`` mount."""
        return self.found.inherited_from if self.found is not None else None

    @property
    def element(self) -> Element:
        return self.config.element

    @property
    def name(self) -> str | None:
        return self.config.name

    @property
    def label(self) -> str:
        return self.config.label


def _with_fallback(graph: Fallbacks) -> Iterator[_Mount]:
    """Every mount that has a fallback (own or merged), in file order."""
    return (_Mount(config, found) for config, found in graph.with_fallback())


def _chained(graph: Fallbacks) -> Iterator[_Mount]:
    """Normal mounts with a name and a fallback, in file order: the mounts the chain rules judge."""
    return (_Mount(config, found) for config, found in graph.chained())


def _via(between: list[str]) -> str:
    """`` (reached through /a -> /b)`` for the mounts between a mount and a fallback, if any."""
    return f" (reached through {' -> '.join(between)})" if between else ""


def _file_of(ctx: LintContext, value: str) -> str:
    """The server path Icecast opens for a file fallback: webroot and value, concatenated."""
    return ctx.effective.fallbacks.file_path(value)


def _file_fallbacks(ctx: LintContext) -> Iterator[tuple[_Mount, str, str]]:
    """Mount, value and server path of each fallback written on a mount that names no mount: a file."""
    graph = ctx.effective.fallbacks
    for config, found in graph.file_fallbacks():
        yield _Mount(config, found), found.value, _file_of(ctx, found.value)


# --------------------------------------------------------------------------- rules


@rule("ICE601", "fallback-mount-not-absolute", "error")
def fallback_mount_not_absolute(ctx: LintContext) -> Iterator[Finding]:
    """`<fallback-mount>` does not start with `/`: no file fallback, listeners get 404.

    ## Why
    Icecast opens a fallback file as webroot and the value glued together, and
    only when the value starts with `/` (`source_fallback_file`); otherwise it
    silently starts no file fallback.  Mount names always start with `/`, so
    the value names no mount either.  Icecast 2.4.4 starts without a word and
    a listener of the mount gets 404 once its source is gone (tested).
    Icecast 2.5.0 does the same (tested).  Icecast-KH drops such a value
    with a warning at startup, `fallback does not start with / on /x`, and
    the mount has no fallback (tested on kh22).  (A value that only has a
    space in front of its `/` is reported by ICE207, untrimmed-value.)

    ## Bad
    ```xml
    <mount>
        <mount-name>/live.ogg</mount-name>
        <fallback-mount>fallback.ogg</fallback-mount>
    </mount>
    ```

    ## Good
    ```xml
    <mount>
        <mount-name>/live.ogg</mount-name>
        <fallback-mount>/fallback.ogg</fallback-mount>
    </mount>
    ```

    ## Fix
    Write the mount or file path with its leading `/` (a file is looked up as
    webroot + value).  The automatic fix adds the `/` (and trims surrounding
    whitespace).
    """
    graph = ctx.effective.fallbacks
    for config, found in graph.with_fallback():
        if found.inherited_from is not None or found.value.strip().startswith("/"):
            continue  # only surrounding whitespace: ICE207 (untrimmed-value) reports it
        mount = _Mount(config, found)
        value = found.value
        element = mount.fallback_element
        assert element is not None
        fixed = value.strip()
        if not fixed.startswith("/"):
            fixed = "/" + fixed
        if ctx.target is Dialect.KH:
            effect = "Icecast-KH drops it with a warning, so the mount has no fallback"
        else:
            effect = (
                f"{ctx.target.label} opens no file for it (webroot + value) and no mount has that name, "
                f"so listeners of {mount.label} get 404 when it has no source"
            )
        tag = "<fallback-mount>" if element.local_name == "fallback-mount" else f"<{element.local_name}>"
        # Adding the / is safe only when it then names something; else ICE602 would report
        # the fixed value, and fixing must never add a finding: the user chooses.
        safe = ctx.files is None or graph.table.defines(fixed) or graph.rescued_by_default(fixed)
        if not safe and ctx.files is not None:
            path = _file_of(ctx, fixed)
            safe = ctx.files.is_file(path) and _unplayable(ctx, path) is None  # nor ICE609: a file with no audio
        if safe and ctx.target is Dialect.KH and mount.name is not None:
            safe = not _kh_unsent(graph, mount.name, fixed)  # nor ICE608: a file KH would not send
        yield ctx.finding(
            element,
            f"{tag} {value!r} does not start with /: {effect}; write {fixed!r}",
            at_text=found.attribute is None,
            attribute=found.attribute,
            fix=_set_value(element, found.attribute, fixed) if safe else None,
            fix_title=f"write {fixed}" if safe else "",
        )


def _kh_unsent(graph: Fallbacks, name: str, fallback: str) -> bool:
    """Whether mount ``name``, falling back to ``fallback``, would end in a file KH sends at no rate."""
    tail, loops = graph.names(fallback)
    names = [name, *tail]
    return not loops and name not in tail and graph.reaches_file(names) and graph.kh_file_rate(names) == 0


def _set_value(element: Element, attribute: str | None, value: str) -> Callable[[], None]:
    def fix() -> None:
        if attribute is not None:
            element.set(attribute, value)
        else:
            element.set_text(value)

    return fix


@rule("ICE602", "fallback-target-missing", "warning", needs_files=True)
def fallback_target_missing(ctx: LintContext) -> Iterator[Finding]:
    """The fallback is neither a configured mount, a relay nor a file in webroot.

    ## Why
    When the mount has no source, Icecast looks for a live source on the
    fallback and, failing that, plays `webroot + value` as a file.  If the
    file does not exist, Icecast 2.4.4 logs `unable to open file` again and
    again and listeners of the mount get 404 (tested on 2.4.4, 2.5.0 and
    kh22); with
    `<fallback-when-full>` listeners beyond the limit are refused
    (`Fallback ... for full source ... not found`).  A file Icecast's user
    cannot read is the same to them: 404 (tested on the three releases with
    a file of mode 000; 2.4.4 logs the same line).  The file is checked as
    the user who runs `icecfg lint`; for a file of `[bake.assets]` that is
    the user who runs `icecfg bake`, which must read it to put it on the
    image.  A directory in its place is not missing: ICE609 reports it.

    A source may also connect to a mount that has no `<mount>` block; then
    this finding is a reminder to document that mount with one.

    ## Bad
    ```xml
    <paths><webroot>/usr/share/icecast2/web</webroot></paths>
    <mount>
        <mount-name>/live.ogg</mount-name>
        <fallback-mount>/silence.ogg</fallback-mount>  <!-- no such file in webroot -->
    </mount>
    ```

    ## Good
    ```xml
    <paths><webroot>/usr/share/icecast2/web</webroot></paths>
    <mount>
        <mount-name>/live.ogg</mount-name>
        <fallback-mount>/silence.ogg</fallback-mount>  <!-- /usr/share/icecast2/web/silence.ogg exists -->
    </mount>
    ```

    ## Fix
    Put the file into webroot (readable by Icecast's user, inside the chroot
    if there is one), correct the value, or add a `<mount>` for the backup
    stream.
    """
    assert ctx.files is not None
    for mount, value, path in _file_fallbacks(ctx):
        why = ctx.files.unusable(path) or ("" if ctx.files.is_file(path) else "is not a regular file")
        if not why or why == DIRECTORY:  # a directory is served as an empty file: ICE609's
            continue
        element = mount.fallback_element
        assert element is not None
        full = ""
        if ctx.target is Dialect.V24 and "fallback-when-full" in mount.config.own:
            full = " and listeners beyond <max-listeners> are refused"
        missing = f"{path} {ctx.files.problem(path, why)}"
        fix = "make the file readable, or add" if why == UNREADABLE else "add the file to webroot or"
        yield ctx.finding(
            element,
            f"fallback {value} of {mount.label} is no <mount>, no relay and no file ({missing}): "
            f"when {mount.label} has no source its listeners get 404{full}; {fix} a <mount> for {value}",
            at_text=mount.fallback_attribute is None,
        )


@rule("ICE603", "fallback-cycle", "warning")
def fallback_cycle(ctx: LintContext) -> Iterator[Finding]:
    """Fallback mounts form a loop: there is no final fallback.

    ## Why
    Icecast follows fallbacks only while a mount has no source, and gives up
    after ten lookups, so a loop does not hang the server; but it means no
    mount of the loop ends in a file or a stream that is always there.  When
    none of them has a source, their listeners get 404 on Icecast 2.4.4 and
    2.5.0, and 403 on Icecast-KH, which logs `preventing a fallback loop`
    (tested on all three).

    ## Bad
    ```xml
    <mount><mount-name>/a</mount-name><fallback-mount>/b</fallback-mount></mount>
    <mount><mount-name>/b</mount-name><fallback-mount>/a</fallback-mount></mount>
    ```

    ## Good
    ```xml
    <mount><mount-name>/a</mount-name><fallback-mount>/b</fallback-mount></mount>
    <mount><mount-name>/b</mount-name><fallback-mount>/silence.ogg</fallback-mount></mount>
    ```

    ## Fix
    End the chain with a file fallback (or a relay) that is always available.
    """
    graph = ctx.effective.fallbacks
    reported: set[frozenset[str]] = set()
    for config, names, loops in graph.unusual():
        if not loops:
            continue
        mount = _Mount(config, graph.of(config))
        start = names.index(names[-1])
        ring = names[start:]
        key = frozenset(ring)
        if key in reported or mount.name not in key:
            continue  # reported at the first mount of the loop; a mount leading into it is not
        reported.add(key)
        element = mount.fallback_element
        assert element is not None
        yield ctx.finding(
            element,
            f"fallback chain {' -> '.join(ring)} loops: when none of these mounts has a source, "
            f"their listeners get {graph.refusal}; end the chain with a file fallback",
            at_text=mount.fallback_attribute is None,
        )


@rule("ICE604", "fallback-chain-too-long", "error")
def fallback_chain_too_long(ctx: LintContext) -> Iterator[Finding]:
    """A fallback chain is longer than Icecast follows (nine hops).

    ## Why
    `source_find_mount` looks a name up at most ten times (`MAX_FALLBACK_DEPTH`),
    the requested mount included, so a listener of a mount reaches at most
    nine fallbacks.  Tested on 2.4.4 and 2.5.0: with the file nine hops away
    a request gets the file, ten hops away it gets 404.  Icecast-KH counts
    the same ten lookups (`source_add_listener`) and answers 403 (`Fallback
    through too many mountpoints`, logged as `preventing a fallback loop`);
    tested on kh22.

    ## Bad
    ```xml
    <!-- /m0 -> /m1 -> ... -> /m9 -> /silence.ogg: ten hops from /m0 -->
    <mount><mount-name>/m0</mount-name><fallback-mount>/m1</fallback-mount></mount>
    ```

    ## Good
    ```xml
    <!-- at most nine hops from every mount to the end of its chain -->
    <mount><mount-name>/m0</mount-name><fallback-mount>/silence.ogg</fallback-mount></mount>
    ```

    ## Fix
    Shorten the chain: let mounts fall back to the final file or stream
    directly instead of through every intermediate mount.
    """
    graph = ctx.effective.fallbacks
    for config, names, loops in graph.unusual():
        hops = len(names) - 1
        if loops or hops <= MAX_HOPS:
            continue
        mount = _Mount(config, graph.of(config))
        element = mount.fallback_element
        assert element is not None
        yield ctx.finding(
            element,
            f"the fallback chain of {mount.label} is {hops} hops long ({' -> '.join(names)}); "
            f"Icecast follows at most {MAX_HOPS}, so its listeners never reach {names[MAX_HOPS + 1]} "
            f"or beyond and get {graph.refusal} instead; let {mount.label} fall back closer to the end",
            at_text=mount.fallback_attribute is None,
        )


@rule("ICE605", "fallback-options-without-fallback-mount", "warning", dialects=_V24_V25)
def fallback_options_without_fallback_mount(ctx: LintContext) -> Iterator[Finding]:
    """`<fallback-override>` or `<fallback-when-full>` on a mount without `<fallback-mount>`.

    ## Why
    Both options only act on the mount's fallback.  Without one they do
    nothing, and Icecast says so at startup: `WARN ... Config for mount X
    contains fallback options but no fallback mount.` (tested on 2.4.4; the
    same check is in 2.5).  Usually the `<fallback-mount>` was forgotten or
    misspelt.  Tested on 2.5.0, which logs the same warning; Icecast-KH
    logs nothing (tested on kh22), so the rule does not apply to it.  A
    fallback inherited from a `type="default"` mount counts (the
    option then works, although 2.4.4 still prints the warning).

    ## Bad
    ```xml
    <mount>
        <mount-name>/live.ogg</mount-name>
        <fallback-override>1</fallback-override>
    </mount>
    ```

    ## Good
    ```xml
    <mount>
        <mount-name>/live.ogg</mount-name>
        <fallback-mount>/fallback.ogg</fallback-mount>
        <fallback-override>1</fallback-override>
    </mount>
    ```

    ## Fix
    Add the intended `<fallback-mount>`, or remove the options.
    """
    graph = ctx.effective.fallbacks
    for mount in graph.table.mounts:
        if graph.of(mount) is not None:
            continue
        for tag, value in options_on(mount):
            element = value.origin.element
            assert element is not None
            yield ctx.finding(
                element,
                f"<{tag}>{element.text}</{tag}> on {mount.label} without <fallback-mount> does nothing "
                f"({ctx.target.label} warns 'contains fallback options but no fallback mount'); "
                "add the <fallback-mount> or remove it",
                at_text=True,
            )


# --------------------------------------------------------------------------- formats


@rule("ICE606", "fallback-format-mismatch", "error")
def fallback_format_mismatch(ctx: LintContext) -> Iterator[Finding]:
    """A mount falls back to a stream or file of another format (Ogg vs MP3/AAC; on KH also MP3 vs AAC).

    ## Why
    Icecast only moves listeners between two sources of the same format type.
    2.4.4 and 2.5.0 know three: Ogg, WebM/Matroska, and everything else (MP3,
    AAC and unknown types alike).  When the
    live source of an MP3 mount stops and its fallback is an Ogg file, 2.4.4
    logs `stream /live and /fallback.ogg are of different types, ignored` and
    the listeners are dropped instead of moved (tested); with
    `<fallback-override>` they are not moved back either.  Icecast 2.5.0
    logs the same line and drops them too; Icecast-KH logs `format
    mismatched for /fallback.mp3` and drops them (both tested with an Ogg
    source whose fallback is an MP3 file; an Ogg file takes the listeners
    over on both).  Icecast-KH also keeps MPEG audio (`audio/mpeg`) and AAC
    (`audio/aac`, `audio/aacp`) apart: an MP3 mount whose fallback is an
    `.aac` file, or the reverse, drops its listeners with `format mismatched
    for /fallback.aac`, where 2.4.4 and 2.5.0 move them (all tested).  A type
    KH does not know (a file it labels `application/octet-stream`) is
    checked against nothing: the listeners are moved.  A source never has
    such a type: KH ignores a `<type>` it does not know and takes a source
    of that Content-Type for MPEG audio, whose listeners an `.aac` file
    then refuses (tested).  A file fallback's
    type comes from its extension, through the mime types file (ICE702
    reports a missing one); a mount's from its `<type>` or, failing that,
    from the extension of its name.

    Each release reads the type its own way, case by case: 2.4.4 compares
    all of it, so `audio/ogg; codecs=vorbis` is not Ogg to it (2.5.0 and
    KH read the part before the `;`); `Audio/Ogg` is Ogg to none; and 2.5.0
    has a format of its own for `text/plain`, which 2.4.4 moves to an MP3
    file (all tested).

    ## Bad
    ```xml
    <mount>
        <mount-name>/live.mp3</mount-name>
        <fallback-mount>/fallback.ogg</fallback-mount>
    </mount>
    ```

    ## Good
    ```xml
    <mount>
        <mount-name>/live.mp3</mount-name>
        <fallback-mount>/fallback.mp3</fallback-mount>
    </mount>
    ```

    ## Fix
    Use a fallback in the live stream's format (encode the fallback file
    with the same codec).
    """
    graph = ctx.effective.fallbacks
    release = ctx.target.label  # read once: a large file can have a finding for every mount
    for config, found in graph.chained():
        if not found.value.startswith("/"):
            continue
        assert config.name is not None
        # Only the type is read for each mount; the evidence is spelt out for the ones reported.
        # A mount's own name is read once here: remembering it as the fallbacks are would keep
        # one entry per mount of the file.
        own_type = declared_format_type(graph.table, config.name)
        if own_type is None:
            continue
        names, _loops = graph.names(config.name, MAX_HOPS + 1)
        # A name met twice (a loop) has the same format both times: no need to skip repeats.
        for name in names[1 : MAX_HOPS + 1]:
            other_type = graph.format_type(name)
            if other_type is None or formats_meet(own_type, other_type):
                continue
            other = graph.declared_format(name)
            own = declared_format(graph.table, config.name)
            assert own is not None and other is not None
            mount = _Mount(config, found)
            element = found.element
            via = _via(names[1 : names.index(name)])
            yield ctx.finding(
                element,
                f"{mount.label} is {FORMAT_WORDS[own.format_type]} ({own.evidence}) but its fallback "
                f"{name}{via} is {FORMAT_WORDS[other.format_type]} ({other.evidence}): {release} "
                f"does not move listeners between them ('{_refusal(ctx.target, name)}'), so they are "
                "dropped when the source stops; use a fallback of the same format",
                at_text=found.attribute is None,
            )
            break  # one finding per mount: the first mismatch its listeners can meet


def _refusal(target: Dialect, fallback: str) -> str:
    """What ``target`` logs when it does not move listeners to ``fallback`` of another format (shown on each)."""
    if target is Dialect.KH:
        return f"format mismatched for {fallback}"
    return "different types, ignored"


def _probe(ctx: LintContext, path: str) -> AudioInfo | None:
    assert ctx.files is not None
    from icecfg.audio import probe

    try:
        data = ctx.files.read_bytes(path, limit=_PROBE_BYTES)
    except OSError:
        return None
    return probe(data, path)


def _bitrates_differ(a: int, b: int) -> bool:
    return abs(a - b) > max(_BITRATE_SLACK_KBPS, _BITRATE_SLACK * max(a, b))


@rule("ICE607", "fallback-stream-mismatch", "warning", needs_files=True)
def fallback_stream_mismatch(ctx: LintContext) -> Iterator[Finding]:
    """The fallback file's codec, bitrate, sample rate or channels differ from the stream it replaces.

    ## Why
    Icecast forwards a fallback file as it is: it never compares it with the
    live stream (only the format type, Ogg or not, is checked when listeners
    are moved).  A fallback at another bitrate, sample rate or channel count,
    or in another codec inside the same container (Vorbis vs Opus, MP3 vs
    AAC), makes many players stutter, play at the wrong speed or stop when
    the live source drops and again when it returns.  The file's headers are
    compared with what the mount declares (`<bitrate>`, `<type>`,
    `<subtype>`) and with the mount's `<intro>` file; mounts of one chain
    that declare different bitrates or codecs are reported too.  Shown on
    2.4.4, 2.5.0 and kh22 only as far as a server can show it: a mount that
    declares 64 kbit/s plays its 128 kbit/s fallback file byte for byte.
    What a player makes of the change cannot be shown on the server.

    On Icecast-KH a listener of a mount without source gets the fallback
    file only when a rate to send it at is known (the mount's
    `<limit-rate>`, a `<fallback><rate>`, or `name[128].ogg`); otherwise
    404 (tested on kh22; `source_add_listener`).  Listeners moved when a
    source stops get the file at the stream's rate.

    ## Bad
    ```xml
    <mount>
        <mount-name>/live.ogg</mount-name>
        <bitrate>128</bitrate>
        <fallback-mount>/fallback.ogg</fallback-mount>  <!-- encoded at 64 kbps -->
    </mount>
    ```

    ## Good
    ```xml
    <mount>
        <mount-name>/live.ogg</mount-name>
        <bitrate>128</bitrate>
        <fallback-mount>/fallback.ogg</fallback-mount>  <!-- Ogg Vorbis 128 kbps -->
    </mount>
    ```

    ## Fix
    Encode the fallback (and intro) file with the live stream's codec,
    bitrate, sample rate and channels, or correct the mount's declarations.
    """
    graph = ctx.effective.fallbacks
    assert ctx.files is not None
    probed: dict[str, AudioInfo | None] = {}

    def info_of(path: str) -> AudioInfo | None:
        if path not in probed:
            probed[path] = _probe(ctx, path) if ctx.files is not None and ctx.files.is_file(path) else None
        return probed[path]

    for mount in _chained(graph):
        if mount.name is None or mount.fallback is None or not mount.fallback.startswith("/"):
            continue
        names, _loops = graph.names(mount.name)
        problems = _declared_differences(graph, mount, names)
        last = names[-1]
        info = None
        if len(names) - 1 <= MAX_HOPS and not graph.table.defines(last) and last.startswith("/"):
            info = info_of(_file_of(ctx, last))
        if info is not None:
            via = _via(names[1:-1])
            file_text = f"its fallback file {last}{via} is {info.describe()}"
            bitrate = declared_bitrate(mount.config)
            if bitrate is not None and info.bitrate_kbps and _bitrates_differ(bitrate, info.bitrate_kbps):
                problems.append(f"{file_text} but {mount.label} declares <bitrate>{bitrate}</bitrate>")
            codec = declared_codec(mount.config)
            if codec is not None and codec[0] != info.codec:
                problems.append(f"{file_text} but {mount.label} declares {codec[1]}")
            intro = mount.element.find_last("intro")
            if intro is not None and intro.text:
                intro_info = info_of(graph.webroot + "/" + intro.text)
                difference = _difference(info, intro_info) if intro_info is not None else ""
                if intro_info is not None and difference:
                    problems.append(
                        f"{file_text} but its <intro> {intro.text} is {intro_info.describe()} ({difference})"
                    )
        if not problems:
            continue
        element = mount.fallback_element
        assert element is not None
        yield ctx.finding(
            element,
            f"{mount.label}: {'; '.join(problems)}: Icecast forwards a fallback as it is and players may "
            "stutter or stop at the switch; encode fallbacks like the live stream",
            at_text=mount.fallback_attribute is None,
        )


def _declared_differences(graph: Fallbacks, mount: _Mount, names: list[str]) -> list[str]:
    """Where the mount and a configured mount of its chain declare other bitrates or codecs."""
    own_bitrate = declared_bitrate(mount.config)
    own_codec = declared_codec(mount.config)
    out = []
    for name in dict.fromkeys(names[1 : MAX_HOPS + 1]):
        other = graph.table.find(name)
        if other is None or other.kind != "normal" or other is mount.config:
            continue
        bitrate = declared_bitrate(other)
        if own_bitrate is not None and bitrate is not None and _bitrates_differ(own_bitrate, bitrate):
            out.append(
                f"its fallback {name} declares <bitrate>{bitrate}</bitrate> and {mount.label} "
                f"<bitrate>{own_bitrate}</bitrate>"
            )
        codec = declared_codec(other)
        if own_codec is not None and codec is not None and codec[0] != own_codec[0]:
            out.append(f"its fallback {name} declares {codec[1]} and {mount.label} {own_codec[1]}")
    return out


def _difference(a: AudioInfo, b: AudioInfo) -> str:
    """What differs between two files, in words; empty when nothing a player minds."""
    out = []
    if a.codec != b.codec:
        out.append("another codec")
    if a.sample_rate and b.sample_rate and a.sample_rate != b.sample_rate:
        out.append("another sample rate")
    if a.channels and b.channels and a.channels != b.channels:
        out.append("another channel count")
    if a.bitrate_kbps and b.bitrate_kbps and _bitrates_differ(a.bitrate_kbps, b.bitrate_kbps):
        out.append("another bitrate")
    return ", ".join(out)


@rule("ICE608", "kh-file-fallback-without-rate", "warning", dialects=(Dialect.KH,))
def kh_file_fallback_without_rate(ctx: LintContext) -> Iterator[Finding]:
    """Icecast-KH: a file fallback with no rate to send it at answers 404.

    ## Why
    Icecast-KH sends a fallback file to a listener who tunes in while the
    mount has no source only at a known rate (`source_add_listener`): the
    `<limit-rate>` of a mount along the chain, else the `rate` of a
    `<fallback>`, else a `[kbit/s]` in the file's name
    (`/silence[128].ogg`).  With none of them it answers 404, so the
    fallback file is never heard by anyone who arrives during an outage
    (tested on kh22).  Listeners already connected when the source stops are
    moved to the file at the stream's rate.  Icecast 2.4 and 2.5 need no rate.

    ## Bad
    ```xml
    <mount>
        <mount-name>/live.ogg</mount-name>
        <fallback-mount>/silence.ogg</fallback-mount>
    </mount>
    ```

    ## Good
    ```xml
    <mount>
        <mount-name>/live.ogg</mount-name>
        <fallback><mount>/silence.ogg</mount><rate>128k</rate></fallback>
    </mount>
    ```

    ## Fix
    Give the rate the file is encoded at: a `<fallback>` with `<rate>`, a
    `<limit-rate>` on the mount (it also limits what the source may send),
    or the bit rate in the file's name.  No automatic fix: only the file
    knows its rate.
    """
    graph = ctx.effective.fallbacks
    for mount in _chained(graph):
        if mount.name is None or mount.fallback is None or not mount.fallback.startswith("/"):
            continue
        names = graph.end_file(mount.name)  # None: no file, or a missing one (ICE602's)
        if names is None:
            continue
        if graph.kh_file_rate(names) != 0:
            continue
        element = mount.fallback_element
        assert element is not None
        last = names[-1]
        via = _via(names[1:-1])
        yield ctx.finding(
            element,
            f"Icecast-KH sends the fallback file {last}{via} of {mount.label} only at a known rate and "
            f"none is set, so a listener who tunes in while {mount.label} has no source gets 404; "
            f"add <rate> to the <fallback> (e.g. <fallback><mount>{last}</mount><rate>128k</rate>"
            "</fallback>), a <limit-rate> to the mount, or the bit rate to the file's name",
            at_text=mount.fallback_attribute is None,
        )


def _unplayable(ctx: LintContext, path: str) -> str | None:
    """What is wrong with the fallback file at ``path``, or None (audio as named, unknown, absent, unreadable).

    ``directory``, ``empty``, ``text``, or the format the file's bytes are in
    (``Ogg``, ``MPEG audio (MP3)`` ...) when Icecast, which labels a file by
    its extension, gives it another format type.  A directory is served as
    an empty file is (200, then no data), so it is reported with them.  The
    bytes are read once per file (the view keeps the answer): several mounts
    and both ICE601's fix and ICE609 ask about the same few files.  A missing
    or unreadable file is ICE602's (404).
    """
    assert ctx.files is not None
    if ctx.files.unusable(path) == DIRECTORY:
        return "directory"
    kind = ctx.files.parsed(path, _content_kind, _TEXT_PROBE_BYTES) or None
    if kind is None or kind in ("empty", "text"):
        return kind
    from icecfg.audio import CONTENT_FORMAT_TYPES

    named = _named_format_type(path, ctx.target.value)
    if named is None or named == CONTENT_FORMAT_TYPES[kind]:
        return None  # a name Icecast has no type for, or audio of the type its name gives
    return kind


def _content_kind(data: bytes) -> str:
    """``empty``, ``text``, the format of audio (see ``content_format``), or "" for anything else."""
    from icecfg.audio import content_format, is_text

    if not data:
        return "empty"
    if is_text(data):
        return "text"
    return content_format(data) or ""


def _named_format_type(path: str, release: str) -> str | None:
    """The coarse format type (Ogg, WebM, other) of the MIME type ``release`` labels ``path`` with; None if none.

    Compared with the type of the file's content (``CONTENT_FORMAT_TYPES``,
    coarse too), so KH's finer MPEG/AAC split is not asked for here: it
    matters between a stream and its fallback (ICE606), not between a file's
    name and its bytes.
    """
    from icecfg.audio import format_type_of_mime, mime_of_name

    mime = mime_of_name(path, release)
    return format_type_of_mime(mime) if mime is not None else None


def _extension(path: str) -> str:
    return "." + path.rpartition(".")[2]


#: How Icecast labels a stream of each format type, in words.
_STREAM_WORDS = {"ogg": "an Ogg stream", "ebml": "a WebM/Matroska stream", "generic": "a non-Ogg stream"}


#: How much of a fallback file is read to tell text from audio.
_TEXT_PROBE_BYTES = 4096


@rule("ICE609", "fallback-file-unplayable", "error", needs_files=True)
def fallback_file_unplayable(ctx: LintContext) -> Iterator[Finding]:
    """The fallback file is empty, text, a directory, or audio its extension misnames: listeners get nothing to play.

    ## Why
    Icecast never looks inside a fallback file: an empty placeholder
    (`touch fallback.ogg`) or a text file saved under an audio name is
    served as the stream.  Tested on 2.4.4, 2.5.0 and kh22 with a mount
    that has no source and `<fallback-mount>/empty.ogg</fallback-mount>`:
    a listener who tunes in gets `200` and the file's content type, then
    no data at all, on a connection that stays open (on Icecast-KH when
    it has a rate to send the file at, see ICE608); listeners moved to
    the file when the live source stops (`passing 1 listeners to
    "/empty.ogg"`) get nothing more either.  2.4.4 and 2.5.0 log no
    error; Icecast-KH logs `different type detected for /empty.ogg`.
    With a text file the listener gets `200` and the text, sent over and
    over as the stream.  On kh22 the server crashed (SIGSEGV) when a
    source connected to the mount while a listener who had tuned in to
    the empty file was still connected.  A directory where the file should
    be (`mkdir fallback.ogg`) sends no data either, to listeners who tune
    in (`200`) and to those moved there: 2.4.4 and 2.5.0 keep the
    connection open, Icecast-KH closes it at once (`different type
    detected`; tested on the three releases).

    Icecast labels a fallback file by its extension alone.  An MP3 file
    saved as `fallback.ogg` (say, a jingle copied over the file `icecfg
    init` asks for) is answered `200` with an Ogg Content-Type
    (`audio/ogg` on 2.4.4 and 2.5.0, `application/ogg` on kh22) and its MP3
    bytes as they are; when the Ogg source of the mount stops, its
    listeners are moved to the file (the name says Ogg, so there is no
    `different types` refusal) and get the MP3 bytes after the Ogg pages
    (tested on all three).  A player that goes by the label, and every
    player in the middle of the Ogg stream, cannot decode them.  The bytes
    are told by their first bytes (Ogg, WebM/Matroska, MPEG audio, AAC,
    FLAC, WAV) and reported when Icecast's format type for the extension
    (Ogg, WebM/Matroska, or anything else) is another one.

    An error, so `icecfg bake` stops on it: a fallback no one can play has
    no use.  Only what is certain is reported: empty files, plain text,
    directories and audio of another format type than its extension.  A
    file whose format cannot be told from its first bytes (AAC in MP4 and
    others) is not, nor one whose name Icecast has no type for, nor another
    codec of the same format type (Opus as `.ogg` beside Vorbis, AAC as
    `.mp3`: see ICE607).

    ## Bad
    ```xml
    <paths><webroot>/usr/share/icecast2/web</webroot></paths>
    <mount>
        <mount-name>/live.ogg</mount-name>
        <fallback-mount>/fallback.ogg</fallback-mount>  <!-- fallback.ogg is 0 bytes -->
    </mount>
    ```

    ## Good
    ```xml
    <paths><webroot>/usr/share/icecast2/web</webroot></paths>
    <mount>
        <mount-name>/live.ogg</mount-name>
        <fallback-mount>/fallback.ogg</fallback-mount>  <!-- Ogg Vorbis audio -->
    </mount>
    ```

    ## Fix
    Put audio into the file, encoded like the live stream (for
    `icecfg init`, the file `[bake.assets]` names, e.g. `./fallback.ogg`);
    for audio under the wrong name, re-encode it (`ffmpeg -i jingle.mp3
    -c:a libvorbis -b:a 128k fallback.ogg`) or name it for what it holds.
    """
    assert ctx.files is not None
    release = ctx.target.label
    for mount, value, path in _file_fallbacks(ctx):
        problem = _unplayable(ctx, path)
        if problem is None:
            continue
        element = mount.fallback_element
        assert element is not None
        answers = f"{release} answers 200"
        if ctx.target is Dialect.KH:
            answers += " (given a rate, see ICE608)"
        if problem == "directory":
            what = f"{ctx.files.problem(path, DIRECTORY)}: {answers} and then sends no data"
        elif problem == "empty":
            what = f"is empty (0 bytes): {answers} and then sends no data"
        elif problem == "text":
            what = f"is text, not audio: {answers} and sends the text over and over as the stream"
        else:
            label = _STREAM_WORDS[_named_format_type(path, ctx.target.value) or "generic"]
            yield ctx.finding(
                element,
                f"fallback file {value} of {mount.label} ({path}) holds {problem}, which its extension "
                f"{_extension(path)} does not name: {release} labels it by the extension as "
                f"{label} and sends its bytes as they are, to listeners who "
                f"tune in while {mount.label} has no source and to those moved there when it stops; a player "
                "that goes by the label cannot decode them, nor can one moved there in the middle of the live "
                "stream; encode the file like the live stream, or name it for what it holds",
                at_text=mount.fallback_attribute is None,
            )
            continue
        crash = ""
        if problem == "empty" and ctx.target is Dialect.KH:
            crash = "; kh22 crashed when the source came back while such a listener was connected"
        audio = "audio encoded like the live stream"
        fix = f"put a file of {audio} in its place" if problem == "directory" else f"put {audio} into the file"
        yield ctx.finding(
            element,
            f"fallback file {value} of {mount.label} ({path}) {what} to listeners who tune in while "
            f"{mount.label} has no source and to those moved there when it stops{crash}; {fix}",
            at_text=mount.fallback_attribute is None,
        )
