"""Drive ``packer build`` for the icecfg template and read what it says.

- :func:`find_packer` / :func:`packer_version`: which Packer is installed;
  :func:`uses_plugins_file` decides whether the ``required_plugins`` file (and
  ``packer init``) apply, which is from Packer 1.7 on.
- :func:`build` runs ``packer build -machine-readable -color=false`` with
  :class:`subprocess.Popen` and streams its output line by line. Every variable,
  the API token included, reaches Packer through the environment
  (``PKR_VAR_<name>``), never through argv; the token is also scrubbed from
  everything this module reports. SIGINT, SIGTERM or SIGHUP received while Packer
  runs is forwarded to it as SIGINT (once per signal: ``timeout``, a service
  manager and a closed SSH session cancel like Ctrl-C) and :func:`build` keeps
  reading until Packer has finished
  its own clean-up (deleting the droplet and the temporary key), then returns a
  failed :class:`BuildResult` (``interrupted=True``, non-zero ``returncode``).
- :func:`parse_line` decodes one machine-readable line
  (``timestamp,target,type,data...`` with ``%!(PACKER_COMMA)``, ``\\n`` and
  ``\\r`` escapes) into an :class:`Event`.
- :func:`read_manifest` takes the image id from the manifest post-processor's
  last build (``artifact_id`` is ``<regions>:<image id>``).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from icecfg.commands import Failed

__all__ = [
    "MANIFEST_NAME",
    "PLUGINS_MIN_VERSION",
    "TEMPLATE_NAME",
    "BuildResult",
    "Event",
    "PackerError",
    "PackerRun",
    "Progress",
    "Version",
    "build",
    "default_template_dir",
    "find_packer",
    "image_id_of",
    "packer_env",
    "packer_version",
    "parse_line",
    "parse_version",
    "read_manifest",
    "uses_plugins_file",
]

TEMPLATE_NAME = "icecast.pkr.hcl"
PLUGINS_FILE = Path("plugins") / "plugins.pkr.hcl"
MANIFEST_NAME = "manifest.json"
COMMA = "%!(PACKER_COMMA)"

#: ``packer init`` and ``required_plugins`` exist from Packer 1.7.0 on.
PLUGINS_MIN_VERSION = (1, 7, 0)
#: Up to 1.7.2 the DigitalOcean builder is Packer's own and reads only DIGITALOCEAN_API_TOKEN;
#: later it is the plugin, which prefers DIGITALOCEAN_TOKEN.
IN_TREE_BUILDER_MAX = (1, 7, 2)

#: Environment variables of the caller that must not leak into the build's settings.
_DROPPED_ENV = re.compile(r"\A(PKR_VAR_.*|DIGITALOCEAN_(TOKEN|ACCESS_TOKEN|API_TOKEN|API_URL))\Z")
_VERSION = re.compile(r"(?:Packer\s+)?v?(\d+)\.(\d+)\.(\d+)(?:[-+.]?([0-9A-Za-z.+-]*))?")
_STEP_PREFIX = re.compile(r"\A==> (?:[\w.-]+: )?")
_MAX_ERROR_LINES = 3
_MAX_ERROR_CHARS = 300
_REDACTED = "<sensitive>"


class PackerError(Failed, RuntimeError):
    """Packer is missing or unusable (before any build starts): the bake failed (exit 1)."""


# --------------------------------------------------------------------------- locating


def default_template_dir() -> Path:
    """The Packer template directory (template, plugins file, scripts).

    An installed icecfg carries it as ``icecfg/packer/`` (setup.py maps the
    repository's top-level ``packer/`` there); a source checkout has only
    the top-level one.
    """
    package = Path(__file__).resolve().parents[1]
    installed = package / "packer"
    return installed if installed.is_dir() else package.parent / "packer"


def find_packer(name: str = "packer", path: str | None = None) -> str:
    """Absolute path of the ``packer`` executable on ``PATH`` (or ``path``)."""
    found = shutil.which(name, path=path)
    if found is None:
        raise PackerError(
            f"{name!r} not found on PATH; install Packer (Debian: apt-get install packer, "
            "or scripts/install-packer-test-deps.sh)"
        )
    return os.path.abspath(found)


@dataclass(frozen=True, order=True)
class Version:
    """A Packer version; compares as ``(major, minor, patch)``."""

    major: int
    minor: int
    patch: int
    suffix: str = field(default="", compare=False)

    def at_least(self, other: tuple[int, int, int]) -> bool:
        return (self.major, self.minor, self.patch) >= other

    def __str__(self) -> str:
        core = f"{self.major}.{self.minor}.{self.patch}"
        return f"{core}-{self.suffix}" if self.suffix else core


def parse_version(text: str) -> Version:
    """Read a version from ``packer version`` output (plain or machine-readable)."""
    for line in text.splitlines():
        event = parse_line(line)
        if event is not None and event.type == "version" and event.data:
            match = _VERSION.fullmatch(event.data[0].strip())
            if match:
                return _version_from(match)
    match = _VERSION.search(text)
    if match is None:
        raise PackerError(f"cannot read a version from packer's output: {text.strip()[:200]!r}")
    return _version_from(match)


def _version_from(match: re.Match[str]) -> Version:
    return Version(int(match[1]), int(match[2]), int(match[3]), match[4] or "")


def _base_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not _DROPPED_ENV.match(k)}
    # Packer's update check would call checkpoint-api.hashicorp.com.
    env["CHECKPOINT_DISABLE"] = "1"
    if extra:
        env.update(extra)
    return env


def packer_version(packer: str | None = None, *, env: Mapping[str, str] | None = None) -> Version:
    """Run ``packer version`` and return the version."""
    exe = packer or find_packer()
    try:
        proc = subprocess.run(
            [exe, "version"],
            capture_output=True,
            text=True,
            timeout=60,
            env=_base_env(env),
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PackerError(f"cannot run {exe} version: {exc}") from exc
    if proc.returncode != 0:
        raise PackerError(f"{exe} version exited with {proc.returncode}: {proc.stderr.strip()[:200]}")
    return parse_version(proc.stdout)


def uses_plugins_file(version: Version) -> bool:
    """True when the Packer understands ``required_plugins`` and ``packer init`` (>= 1.7)."""
    return version.at_least(PLUGINS_MIN_VERSION)


def packer_env(
    version: Version,
    token: str,
    variables: Mapping[str, str | int],
    base: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment for ``packer build``: ``PKR_VAR_*`` for every variable, the token too.

    The caller's own ``PKR_VAR_*`` and DigitalOcean token/URL variables are
    dropped so that only what icecfg passes shapes the build (``PACKER_LOG`` goes
    through: Packer's log goes to stderr, of which only a scrubbed tail is kept).
    """
    env = _base_env(base)
    for name, value in variables.items():
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise ValueError(f"not a Packer variable name: {name!r}")
        if name == "api_token":
            raise ValueError("pass the token as token=..., not as a variable")
        env[f"PKR_VAR_{name}"] = str(value)
    env["PKR_VAR_api_token"] = token
    # The template sets api_token explicitly; the builder's own fallback variable is
    # set as well so that an older or newer builder finds it either way.
    if (version.major, version.minor, version.patch) > IN_TREE_BUILDER_MAX:
        env["DIGITALOCEAN_TOKEN"] = token
    else:
        env["DIGITALOCEAN_API_TOKEN"] = token
    return env


# --------------------------------------------------------------------------- parsing


@dataclass(frozen=True)
class Event:
    """One machine-readable line: ``timestamp,target,type,data...`` decoded."""

    timestamp: int
    target: str
    type: str
    data: tuple[str, ...]

    @property
    def ui_kind(self) -> str | None:
        """``say``, ``message`` or ``error`` for ``ui`` lines, else ``None``."""
        if self.type == "ui" and self.data:
            return self.data[0]
        return None

    @property
    def text(self) -> str:
        """The human text of a ``ui`` line (or the joined data of any other line)."""
        if self.type == "ui":
            return ",".join(self.data[1:])
        return ",".join(self.data)


def _unescape(field_text: str) -> str:
    return field_text.replace("\\n", "\n").replace("\\r", "\r").replace(COMMA, ",")


def parse_line(line: str) -> Event | None:
    """Decode one ``-machine-readable`` line, or return ``None`` if it is not one."""
    line = line.rstrip("\r\n")
    parts = line.split(",")
    if len(parts) < 3 or not parts[0].isdigit() or not parts[2]:
        return None
    return Event(
        timestamp=int(parts[0]),
        target=_unescape(parts[1]),
        type=_unescape(parts[2]),
        data=tuple(_unescape(p) for p in parts[3:]),
    )


def image_id_of(artifact_id: str) -> str:
    """The image id in an artifact id ``<regions>:<id>`` (the part after the last ``:``)."""
    image = artifact_id.rsplit(":", 1)[-1].strip()
    if not image:
        raise ValueError(f"no image id in artifact id {artifact_id!r}")
    return image


def _manifest_builds(path: Path) -> int:
    try:
        builds = json.loads(path.read_text()).get("builds")
    except (OSError, ValueError, AttributeError):
        return 0
    return len(builds) if isinstance(builds, list) else 0


def read_manifest(path: Path) -> tuple[str, str] | None:
    """``(artifact_id, image_id)`` of the manifest's last build, or ``None`` if there is none."""
    try:
        document = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    builds = document.get("builds") if isinstance(document, dict) else None
    if not isinstance(builds, list) or not builds:
        return None
    last = builds[-1]
    artifact = last.get("artifact_id") if isinstance(last, dict) else None
    if not isinstance(artifact, str) or not artifact:
        return None
    try:
        return artifact, image_id_of(artifact)
    except ValueError:
        return None


# --------------------------------------------------------------------------- running


@dataclass(frozen=True)
class Progress:
    """What the build is doing: the current step (Packer's ``==>`` lines) and the time so far."""

    step: str
    elapsed: float
    event: Event


@dataclass
class BuildResult:
    """The outcome of one ``packer build``."""

    ok: bool
    returncode: int
    image_id: str | None = None
    artifact_id: str | None = None
    error: str | None = None
    interrupted: bool = False
    elapsed: float = 0.0
    version: Version | None = None
    events: list[Event] = field(default_factory=list)
    manifest: Path | None = None


class _Scrubber:
    def __init__(self, secrets: list[str]) -> None:
        self._secrets = [s for s in secrets if s]

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, _REDACTED)
        return text


def _scrub_event(event: Event, scrub: _Scrubber) -> Event:
    return Event(event.timestamp, scrub(event.target), scrub(event.type), tuple(scrub(d) for d in event.data))


class PackerRun:
    """One running ``packer build``; :func:`build` creates and drives it."""

    def __init__(self, proc: subprocess.Popen[str], started: float) -> None:
        self.proc = proc
        self.started = started
        self.interrupts = 0

    @property
    def pid(self) -> int:
        return self.proc.pid

    def interrupt(self) -> None:
        """Ask Packer to cancel (SIGINT); it then deletes what it created and exits."""
        self.interrupts += 1
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(signal.SIGINT)


#: Signals that cancel a running build (each forwarded to Packer as one SIGINT).
FORWARDED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class _SigintForwarder:
    """While installed, SIGINT (Ctrl-C), SIGTERM and SIGHUP go to Packer as SIGINT.

    Packer runs in a session of its own, so a signal that killed icecfg would
    leave it building an image nobody waits for, and its droplet billing until
    it is done; forwarded, it cancels and deletes what it made.  The forwarder
    is installed before Packer starts, so a signal in between is not lost: it
    is delivered as soon as the process exists (:meth:`attach`).
    """

    def __init__(self) -> None:
        self.run: PackerRun | None = None
        self.pending = 0

    def handler(self, signum: int, frame: FrameType | None) -> None:
        if self.run is None:
            self.pending += 1
        else:
            self.run.interrupt()

    def attach(self, run: PackerRun) -> None:
        self.run = run
        while self.pending:
            self.pending -= 1
            run.interrupt()


@contextlib.contextmanager
def _forward_sigint(enabled: bool) -> Iterator[_SigintForwarder]:
    forwarder = _SigintForwarder()
    if not enabled or threading.current_thread() is not threading.main_thread():
        yield forwarder
        return
    previous = {number: signal.signal(number, forwarder.handler) for number in FORWARDED_SIGNALS}
    try:
        yield forwarder
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@dataclass
class _Collected:
    """What :func:`build` keeps from the stream: events, errors, the artifact id, the step."""

    events: list[Event] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    ui_errors: list[str] = field(default_factory=list)
    artifact_id: str | None = None
    step: str = "starting"

    def add(self, event: Event, started: float) -> Progress | None:
        """Record ``event``; return a :class:`Progress` when it starts a new step."""
        self.events.append(event)
        kind = event.ui_kind
        if kind == "say" and event.text.startswith("==> "):
            self.step = _STEP_PREFIX.sub("", event.text).strip() or self.step
            return Progress(self.step, time.monotonic() - started, event)
        if kind == "error":
            self.ui_errors.append(event.text)
        elif event.type == "error" and event.data:
            self.errors.append(event.data[0])
        elif event.type == "artifact" and len(event.data) >= 3 and event.data[1] == "id":
            # With the manifest post-processor the same artifact is listed twice;
            # the first one is the builder's.
            self.artifact_id = self.artifact_id or event.data[2]
        return None


def _short_error(errors: list[str], ui_errors: list[str], stderr: list[str], returncode: int) -> str:
    """A few lines saying why the build failed, most specific first."""
    lines: list[str] = []
    for source in (errors, ui_errors, stderr):
        for text in source:
            for raw in text.splitlines():
                line = _STEP_PREFIX.sub("", raw.strip()).strip()
                if not line or line.startswith(("Some builds didn't complete", "Builds finished but")):
                    continue
                if line.startswith("--> "):
                    line = line[4:]
                line = line[:_MAX_ERROR_CHARS]
                if line not in lines:
                    lines.append(line)
        if lines:
            break
    if not lines:
        return f"packer exited with status {returncode}"
    return "\n".join(lines[:_MAX_ERROR_LINES])


def _prepare_target(template_dir: Path, version: Version, work: Path) -> Path:
    """What to pass to ``packer build``: the template file, or a dir with the plugins file too."""
    template = template_dir / TEMPLATE_NAME
    if not template.is_file():
        raise PackerError(f"no {TEMPLATE_NAME} in {template_dir}")
    if not uses_plugins_file(version):
        return template
    target = work / "template"
    target.mkdir()
    (target / TEMPLATE_NAME).symlink_to(template.resolve())
    (target / "plugins.pkr.hcl").symlink_to((template_dir / PLUGINS_FILE).resolve())
    (target / "scripts").symlink_to((template_dir / "scripts").resolve(), target_is_directory=True)
    return target


def _packer_init(exe: str, target: Path, env: Mapping[str, str], scrub: _Scrubber) -> None:
    proc = subprocess.run(
        [exe, "init", str(target)],
        capture_output=True,
        text=True,
        env=dict(env),
        timeout=600,
        check=False,
    )
    if proc.returncode != 0:
        detail = scrub((proc.stderr or proc.stdout).strip())[:_MAX_ERROR_CHARS]
        raise PackerError(f"packer init failed ({proc.returncode}): {detail}")


def build(
    *,
    token: str,
    variables: Mapping[str, str | int],
    output_dir: Path,
    template_dir: Path | None = None,
    packer: str | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    on_event: Callable[[Event], None] | None = None,
    on_start: Callable[[PackerRun], None] | None = None,
    env: Mapping[str, str] | None = None,
    forward_sigint: bool = True,
) -> BuildResult:
    """Run ``packer build`` on the icecfg template and return what came of it.

    ``variables`` are the template's variables except ``api_token`` (e.g.
    ``snapshot_name``, ``staged_dir``, ``region``); ``output_dir`` is passed as
    ``output_dir`` and receives ``manifest.json``. ``on_event`` sees every decoded
    line (token scrubbed), ``on_progress`` every new step. ``on_start`` receives
    the :class:`PackerRun` (for :meth:`PackerRun.interrupt` from another thread).
    ``env`` adds environment variables for Packer. Raises :class:`PackerError`
    only when Packer cannot be started at all; a failed build is a result with
    ``ok=False``, a non-zero ``returncode`` and a short ``error``. After SIGINT,
    SIGTERM or SIGHUP (forwarded to Packer as SIGINT, which then deletes its
    droplet and key) the result has
    ``interrupted=True``; it is a failure unless Packer had already finished the
    image. If a callback raises, the build is cancelled the same way, and the
    exception propagates once Packer has exited.
    """
    exe = packer or find_packer()
    base_dir = template_dir if template_dir is not None else default_template_dir()
    version = packer_version(exe, env=env)
    scrub = _Scrubber([token])
    output_dir = Path(output_dir).resolve()
    output_dir.mkdir(parents=True, exist_ok=True)
    manifest = output_dir / MANIFEST_NAME
    builds_before = _manifest_builds(manifest)

    all_vars: dict[str, str | int] = dict(variables)
    all_vars["output_dir"] = str(output_dir)
    build_env = packer_env(version, token, all_vars, env)

    with tempfile.TemporaryDirectory(prefix="icecfg-packer-") as work_name:
        work = Path(work_name)
        target = _prepare_target(base_dir, version, work)
        if uses_plugins_file(version):
            _packer_init(exe, target, build_env, scrub)
        argv = [exe, "build", "-machine-readable", "-color=false", str(target)]
        with _forward_sigint(forward_sigint) as forwarder:
            started = time.monotonic()
            try:
                proc = subprocess.Popen(
                    argv,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    bufsize=1,
                    errors="replace",
                    env=build_env,
                    cwd=work,
                    # Its own process group: a terminal's Ctrl-C reaches Packer only
                    # through the forwarder, so it gets exactly one SIGINT per Ctrl-C.
                    start_new_session=True,
                )
            except OSError as exc:
                raise PackerError(f"cannot start {exe}: {exc}") from exc
            run = PackerRun(proc, started)
            forwarder.attach(run)
            stderr_tail: deque[str] = deque(maxlen=20)

            def drain_stderr() -> None:
                assert proc.stderr is not None
                for err_line in proc.stderr:
                    stderr_tail.append(scrub(err_line.rstrip("\n")))

            reader = threading.Thread(target=drain_stderr, name="packer-stderr", daemon=True)
            reader.start()
            collected = _Collected()
            assert proc.stdout is not None
            try:
                if on_start is not None:
                    on_start(run)
                for raw in proc.stdout:
                    event = parse_line(raw)
                    if event is None:
                        continue
                    event = _scrub_event(event, scrub)
                    progress = collected.add(event, started)
                    if progress is not None and on_progress is not None:
                        on_progress(progress)
                    if on_event is not None:
                        on_event(event)
            except BaseException:
                # A callback failed (or the caller is being torn down): cancel the
                # build and let Packer delete the droplet and key before going on.
                run.interrupt()
                for _ in proc.stdout:
                    pass
                proc.wait()
                raise
            returncode = proc.wait()
            reader.join(timeout=5)

    elapsed = time.monotonic() - started
    result = BuildResult(
        ok=False,
        returncode=returncode,
        interrupted=run.interrupts > 0,
        elapsed=elapsed,
        version=version,
        events=collected.events,
        manifest=manifest if manifest.exists() else None,
    )
    # The manifest post-processor appends to an existing file: only a build this
    # run added counts.
    added = _manifest_builds(manifest) > builds_before
    from_manifest = read_manifest(manifest) if returncode == 0 and added else None
    if from_manifest is not None:
        result.artifact_id, result.image_id = from_manifest
    elif collected.artifact_id is not None and returncode == 0:
        result.artifact_id = collected.artifact_id
        with contextlib.suppress(ValueError):
            result.image_id = image_id_of(collected.artifact_id)
    if returncode == 0 and result.image_id is not None:
        # Also after a Ctrl-C that came too late to cancel anything: the image exists.
        result.ok = True
        return result
    if result.interrupted:
        result.error = "build interrupted; Packer cleaned up and exited with status " + str(returncode)
    elif returncode == 0:
        result.error = "packer reported success but no image id (no manifest, no artifact)"
    else:
        result.error = _short_error(collected.errors, collected.ui_errors, list(stderr_tail), returncode)
    if result.returncode == 0:
        result.returncode = 1
    return result
