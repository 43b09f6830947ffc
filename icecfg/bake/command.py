"""``icecfg snapshots`` and ``icecfg prune``: see and clean up icecfg's DigitalOcean snapshots.

Exit status: 0 success; 1 a DigitalOcean request failed; 2 usage error or no
API token.  The token comes from ``DIGITALOCEAN_TOKEN`` or
``DIGITALOCEAN_ACCESS_TOKEN`` and is never printed; the API endpoint from
``DIGITALOCEAN_END_POINT`` (python-digitalocean's setting, ending in ``/v2/``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from icecfg.bake.snapshots import PREFIX, TAG, Snapshot
from icecfg.commands import (
    EXIT_FAILED,
    EXIT_OK,
    UsageError,
    add_target_argument,
    given_text,
    guarded,
    load_or_usage_error,
    number_in,
    settings_near,
    token_from_environment,
    whole_number,
)
from icecfg.document import Lines
from icecfg.files import Assets, shown
from icecfg.settings import DEFAULT_KEEP, KEEP_RANGE

if TYPE_CHECKING:
    from icecfg.bake.digitalocean import DigitalOcean
    from icecfg.lint.finding import Finding
    from icecfg.sections import IcecastConfig

#: Directories Debian's icecast2 package puts on the image (``dpkg -L icecast2``).
PACKAGE_DIRECTORIES = (
    "/etc/icecast2",
    "/usr/share/icecast2/web",
    "/usr/share/icecast2/admin",
    "/var/log/icecast2",
)

#: Files the image's packages install: ``media-types``' mime types file, which Icecast
#: reads (packer/scripts/10-install-icecast.sh installs it for both releases).
PACKAGE_FILES = ("/etc/mime.types",)


def client() -> DigitalOcean:
    """The DigitalOcean adapter with the token from the environment (imported only when asked for)."""
    from icecfg.bake.digitalocean import DigitalOcean

    return DigitalOcean(token_from_environment())


def add_snapshots_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text")


def add_prune_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--keep",
        type=whole_number(*KEEP_RANGE),
        metavar="N",
        help=f"how many of the newest snapshots to keep, {KEEP_RANGE[0]} to {KEEP_RANGE[1]} "
        f"(default: settings, else {DEFAULT_KEEP})",
    )
    parser.add_argument(
        "--older-than",
        type=number_in(0, timedelta.max.days),  # beyond timedelta's range the plan could not be made
        metavar="DAYS",
        help=f"delete only snapshots older than DAYS, 0 to {timedelta.max.days}",
    )
    parser.add_argument("--yes", action="store_true", help="delete; without it only the plan is printed")


def _money(value: Decimal) -> str:
    return f"${value:.2f}"


def run_snapshots(args: argparse.Namespace) -> int:
    return guarded("snapshots", lambda: _snapshots(args))


def _snapshots(args: argparse.Namespace) -> int:
    from icecfg.bake.pricing import snapshot_monthly_cost
    from icecfg.bake.snapshots import release_of

    with client() as api:
        snapshots = sorted(api.snapshots(tag=TAG), key=lambda s: s.created_at, reverse=True)
        in_use = api.images_in_use()
    rows: list[dict[str, Any]] = [  # the JSON objects printed
        {
            "id": s.id,
            "name": s.name,
            "release": release_of(s.name),
            "created": s.created_at.strftime("%Y-%m-%d %H:%M UTC"),
            "size_gb": s.size_gigabytes,
            "regions": list(s.regions),
            "monthly_cost": float(snapshot_monthly_cost(s.size_gigabytes)),
            "in_use": s.id in in_use,
        }
        for s in snapshots
        if s.name.startswith(PREFIX)
    ]
    if args.format == "json":
        print(json.dumps(rows, indent=2))
        return EXIT_OK
    if not rows:
        print("no icecfg snapshots")
        return EXIT_OK
    print(
        f"{'ID':>12}  {'NAME':44} {'ICECAST':7}  {'CREATED':20} {'SIZE GB':>7}  {'REGIONS':12} {'$/MONTH':>7}  IN USE"
    )
    for row in rows:
        print(
            f"{row['id']:>12}  {row['name']:44} {row['release'] or '?':7}  {row['created']:20} {row['size_gb']:7.2f}  "
            f"{','.join(row['regions']):12} {_money(Decimal(str(row['monthly_cost']))):>7}  "
            f"{'yes' if row['in_use'] else 'no'}"
        )
    total = sum((Decimal(str(r["monthly_cost"])) for r in rows), Decimal(0))
    print(f"{len(rows)} snapshot(s), {_money(total)} a month")
    return EXIT_OK


def run_prune(args: argparse.Namespace) -> int:
    return guarded("prune", lambda: _prune(args))


def _prune(args: argparse.Namespace) -> int:
    # --keep and the keep setting are both in KEEP_RANGE (checked where each is read)
    keep = args.keep if args.keep is not None else int(settings_near(None).bake.get("keep", DEFAULT_KEEP))
    # --older-than is in timedelta's range once parsed (number_in)
    with client() as api:
        return prune(api, keep, args.older_than, args.yes)


def prune(api: DigitalOcean, keep: int, older_than_days: float | None, yes: bool, out: IO[str] | None = None) -> int:
    """Print the plan and, with ``yes``, delete what it says, by id.  Used by bake too."""
    from icecfg.bake.snapshots import plan

    out = out or sys.stdout
    snapshots = api.snapshots()
    in_use = api.images_in_use()
    older = timedelta(days=older_than_days) if older_than_days is not None else None
    decided = plan(snapshots, keep, in_use, datetime.now(timezone.utc), older, prefix=PREFIX, tag=TAG)
    width = len("would delete")  # the longest word: the ids stand in one column under it

    def line(verb: str, snapshot: Snapshot) -> str:
        return f"{verb:{width}} {snapshot.id:>12}  {snapshot.name}  ({decided.reasons.get(snapshot.id, '')})"

    for snapshot in decided.keep:
        print(line("keep", snapshot), file=out)
    for snapshot in decided.delete:
        print(line("delete" if yes else "would delete", snapshot), file=out)
        if yes:
            api.delete_snapshot(snapshot.id)
    if not decided.delete:
        print("nothing to prune", file=out)
    elif not yes:
        print(f"{len(decided.delete)} snapshot(s) would be deleted; run again with --yes to delete them", file=out)
    return EXIT_OK


def add_bake_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        type=given_text,
        metavar="FILE",
        help="the icecast.xml to bake (default: settings, else ./icecast.xml)",
    )
    parser.add_argument("--region", type=given_text, help="DigitalOcean region (default: settings, else fra1)")
    parser.add_argument(
        "--size", type=given_text, help="droplet size used for the build (default: settings, else s-1vcpu-1gb)"
    )
    parser.add_argument("--image", type=given_text, help="base image slug (default: settings, else debian-12-x64)")
    add_target_argument(
        parser,
        "Icecast release to lint for and install: 2.4 (Debian's 2.4.4) or 2.5 (2.5.0, built from "
        "Debian's source package); kh cannot be baked (default: settings, else 2.4)",
    )
    parser.add_argument(
        "--keep",
        type=whole_number(*KEEP_RANGE),
        metavar="N",
        help=f"snapshots to keep after a successful bake, {KEEP_RANGE[0]} to {KEEP_RANGE[1]} "
        f"(default: settings, else {DEFAULT_KEEP})",
    )
    parser.add_argument("--force", action="store_true", help="bake even when a snapshot of this configuration exists")
    parser.add_argument("--dry-run", action="store_true", help="lint, stage and hash, then say what would be built")
    parser.add_argument("--ssh-port", type=int, default=22, help=argparse.SUPPRESS)


@dataclass
class BakeOptions:
    config: Path
    region: str
    size: str
    image: str
    target: str
    keep: int
    #: Server path -> local file, and the settings file that maps them (named when one is missing).
    assets: Assets
    privacy_logs: bool
    #: ``[bake] domain``: the DNS name ``up`` points at the droplet, which the certificate must name.
    domain: str | None


def _bake_options(args: argparse.Namespace) -> BakeOptions:
    found = settings_near(args.config)
    bake = found.bake
    base = found.path.parent if found.path is not None else Path.cwd()

    def pick(name: str, key: str, default: Any) -> Any:
        value = getattr(args, name)
        return value if value is not None else bake.get(key, default)

    config = Path(args.config) if args.config else base / str(bake.get("config", "icecast.xml"))
    keep = int(pick("keep", "keep", DEFAULT_KEEP))  # in KEEP_RANGE: the option's type and the settings check it
    target = found.target_or(args.target)
    _check_bakeable(target)
    return BakeOptions(
        config=config,
        region=str(pick("region", "region", "fra1")),
        size=str(pick("size", "size", "s-1vcpu-1gb")),
        image=str(pick("image", "image", "debian-12-x64")),
        target=target,
        keep=keep,
        assets=found.assets(),  # checked by settings
        privacy_logs=bool(bake.get("privacy-logs", False)),
        domain=bake.get("domain"),
    )


#: What each bakeable release installs, for messages.
INSTALLS = {"2.4": "Icecast 2.4.4 (Debian's package)", "2.5": "Icecast 2.5.0 (built from Debian's source package)"}


def _check_bakeable(target: str) -> None:
    """Refuse, before anything is spent, a release the image recipe cannot install."""
    from icecfg.bake.snapshots import RELEASES

    if target not in RELEASES:
        name = "Icecast-KH" if target == "kh" else f"Icecast {target!r}"
        flags = " or ".join(f"--target {release}" for release in RELEASES)
        raise UsageError(f"cannot bake {name}: the image installs Icecast {' or '.join(RELEASES)} ({flags})")


def run_bake(args: argparse.Namespace) -> int:
    """``icecfg bake``: lint, stage, Packer build, tag, prune."""
    return guarded("bake", lambda: _bake(args, _bake_options(args)))


def _bake(args: argparse.Namespace, options: BakeOptions) -> int:
    import tempfile

    from icecfg.bake import package_cache, packer, stage
    from icecfg.bake.snapshots import hash_of, release_tag, snapshot_name
    from icecfg.files import ImageView
    from icecfg.lint import lint
    from icecfg.lint.finding import Severity

    # 1. lint: an error stops the bake before anything is spent
    config = load_or_usage_error(options.config, hint="pass the configuration with --config")
    # Lint against the image as it will be: the directories Debian's icecast2
    # package creates, the files the image's packages install, plus the assets
    # bake installs; nothing of this machine.
    # a missing asset is named with the settings line that maps it: the local file is the one to fix
    view = ImageView(options.assets, PACKAGE_DIRECTORIES, files=PACKAGE_FILES)
    findings = lint(config, options.target, view=view, domain=options.domain)
    errors = [f for f in findings if f.severity is Severity.ERROR]
    # every asset is copied onto the image: one that cannot be read stops the bake here, named
    # in the line that says so, after what the lint said of it (ICE602: a missing fallback file)
    unusable = view.unusable_assets()
    if errors:
        _show(errors, config, options.config)
        also = "".join(f"; {phrase}" for phrase in unusable)
        print(
            f"icecfg bake: {options.config} has {len(errors)} lint error(s) for Icecast {options.target}"
            f"{also}; nothing was built"
        )
        return EXIT_FAILED
    if unusable:
        _show(findings, config, options.config)
        raise stage.StageError(f"{'; '.join(unusable)}; nothing was built")

    from icecfg.effective import explain

    # every port the server binds, Shoutcast source ports (port + 1) included, and ssh
    ports = sorted({*explain(config, options.target).ports(), 22})
    with tempfile.TemporaryDirectory(prefix="icecfg-bake-") as work:
        package_key = package_cache.cache_key(options.target, options.image, packer.default_template_dir())
        kept = package_cache.cached(package_key)
        staged = stage.stage(
            options.config,
            options.assets,
            options.privacy_logs,
            ports,
            Path(work) / "stage",
            release=options.target,
            prebuilt=kept,
        )
        name = snapshot_name(staged.config_hash, datetime.now(timezone.utc), options.target)
        print(
            f"config {shown(options.config)} {_verdict(findings, options.config)} for Icecast {options.target}; "
            f"content hash {staged.config_hash[:12]}"
        )
        if args.dry_run:
            print(f"would build snapshot {name} in {options.region} from {options.image} (size {options.size})")
            print(f"the image installs {INSTALLS[options.target]}")
            if kept is not None:
                print(f"with the package kept from an earlier bake: {kept}")
            print(f"firewall opens ports {', '.join(map(str, ports))}")
            return EXIT_OK
        token = token_from_environment()
        from icecfg.bake.digitalocean import DigitalOcean

        with DigitalOcean(token) as api:
            existing = [s for s in api.snapshots(tag=TAG) if hash_of(s.name) == staged.config_hash[:12]]
            if existing and not args.force:
                newest = max(existing, key=lambda s: s.created_at)
                print(
                    f"snapshot {newest.id} ({newest.name}) already holds this configuration; "
                    "nothing to do (--force rebuilds)"
                )
                return EXIT_OK
            variables: dict[str, str | int] = {
                "region": options.region,
                "size": options.size,
                "image": options.image,
                "snapshot_name": name,
                "staged_dir": str(staged.dir),
                "ssh_port": args.ssh_port,
            }
            api_url = os.environ.get("DIGITALOCEAN_API_URL")
            if api_url:
                variables["api_url"] = api_url
            result = packer.build(
                token=token,
                variables=variables,
                output_dir=Path(work) / "out",
                on_progress=_progress_printer(),
                on_event=_provisioning_notes,
            )
            if not result.ok or result.image_id is None:
                if sys.stdout.isatty():
                    print()
                what = "interrupted" if result.interrupted else "failed"
                print(f"icecfg bake: Packer {what}: {result.error or 'no snapshot was made'}", file=sys.stderr)
                print("nothing was pruned", file=sys.stderr)
                return EXIT_FAILED
            if package_key is not None:
                stored = package_cache.keep(package_key, Path(work) / "out" / "built-package.deb")
                if stored is not None:
                    print(f"kept the Icecast {options.target} package for later bakes: {stored}")
            api.tag_snapshot(result.image_id, TAG)
            api.tag_snapshot(result.image_id, release_tag(options.target))
            made = next((s for s in api.snapshots() if s.id == result.image_id), None)
            size = made.size_gigabytes if made is not None else 0.0
            from icecfg.bake.pricing import snapshot_monthly_cost

            print(
                f"snapshot {result.image_id} {name}: {size:.2f} GB, "
                f"{_money(snapshot_monthly_cost(size))} a month, built in {result.elapsed:.0f} s"
            )
            prune(api, options.keep, None, yes=True)
    return EXIT_OK


def _show(findings: list[Finding], config: IcecastConfig, path: Path) -> None:
    """Print ``findings`` as ``icecfg lint`` does, passwords masked: what bake stops on is seen where it stops."""
    from icecfg.lint import report
    from icecfg.secrets import secrets as secrets_of

    secrets = {str(path): secrets_of(config.document.root)}
    sys.stdout.write(report.text(findings, {str(path): Lines(config.document.render())}, secrets, False))


def _provisioning_notes(event: Any) -> None:
    """Show what the provisioning scripts report about the image (their ``icecfg: ...`` lines)."""
    if event.ui_kind != "message":
        return
    for line in event.text.splitlines():
        at = line.find("icecfg: ")
        if at >= 0:
            note = line[at:].strip()
            print(f"\r{note:80}" if sys.stdout.isatty() else f"  {note}", flush=True)


def _progress_printer() -> Any:
    """Live progress: one rewritten line on a terminal, a line per step otherwise."""
    tty = sys.stdout.isatty()
    last = {"step": ""}

    def show(progress: Any) -> None:
        if tty:
            sys.stdout.write(f"\r[{progress.elapsed:6.0f} s] {progress.step[:70]:70}")
            sys.stdout.flush()
        elif progress.step != last["step"]:
            print(f"[{progress.elapsed:6.0f} s] {progress.step}", flush=True)
        last["step"] = progress.step

    return show


def _verdict(findings: list[Finding], config: Path) -> str:
    """What lint said of a configuration bake goes on with: clean, or no errors but what it did find.

    Bake stops only on errors; saying "lints clean" over warnings would tell
    the user there is nothing to look at.
    """
    if not findings:
        return "lints clean"
    counts = Counter(f.severity.value for f in findings)
    found = ", ".join(f"{n} {word}{'s' if n != 1 and word != 'info' else ''}" for word, n in counts.items())
    return f"has no lint errors ({found}: see icecfg lint {shown(config)})"
