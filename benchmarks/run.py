"""icecfg benchmarks, each reported as a ratio to a baseline measured in the same run.

    python benchmarks/run.py            # everything
    python benchmarks/run.py model      # only load+dump against lxml
    python benchmarks/run.py scaling    # lint time per 1,000 mounts at 1k, 10k, 100k mounts

Numbers in seconds depend on the machine; the ratios are what to compare
between commits.  Memory is the growth of the peak resident set while one
operation runs in a fresh process (the peak is reset first through
/proc/self/clear_refs), so lxml's C allocations count as much as Python's.
"""

from __future__ import annotations

import gc
import gzip
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from icecfg import IcecastConfig
    from icecfg.lint import Finding

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEBIAN_SAMPLE = Path("/usr/share/doc/icecast2/icecast.xml.dist.gz")

MOUNT = """    <mount type="normal">
        <mount-name>/live{i}.ogg</mount-name>
        <username>source</username>
        <password>secret{i}</password>
        <max-listeners>100</max-listeners>
        <fallback-mount>/fallback{i}.ogg</fallback-mount>
        <fallback-override>1</fallback-override>
        <hidden>0</hidden>
        <public>1</public>
        <http-headers>
            <header name="X-Station" value="{i}"/>
        </http-headers>
    </mount>
"""


def generated_config(mounts: int = 5000) -> bytes:
    """A config with ``mounts`` mount blocks (about 2 MB for 5,000)."""
    head = "<icecast>\n    <hostname>radio.example.org</hostname>\n"
    return (head + "".join(MOUNT.format(i=i) for i in range(mounts)) + "</icecast>\n").encode()


SCALING_GROUP = """    <!-- icecfg: ignore[ICE605] group {i} keeps its override for later -->
    <mount type="normal">
        <mount-name>/live{i}.ogg</mount-name>
        <password>secret{i}</password>
        <max-listeners>100</max-listeners>
        <fallback-mount>/backup{i}.ogg</fallback-mount>
        <fallback-override>1</fallback-override>
        <http-headers><header name="X-Station" value="{i}"/></http-headers>
    </mount>
    <mount><mount-name>/backup{i}.ogg</mount-name><fallback-mount>/silence.ogg</fallback-mount></mount>
    <mount><mount-name>/talk{i}.mp3</mount-name><max-listeners>10</max-listeners></mount>
    <mount><mount-name>/glob{i}-*</mount-name><max-listeners>5</max-listeners></mount>
    <mount type="default"><mount-name>/dj{i}-*</mount-name><fallback-mount>/backup{i}.ogg</fallback-mount></mount>
"""
#: Mount blocks in one SCALING_GROUP.
SCALING_GROUP_MOUNTS = 5
SCALING_EXTRAS = """    <listen-socket><port>{port}</port><bind-address>127.0.0.1</bind-address></listen-socket>
    <relay><server>up{i}.example.org</server><port>8000</port><mount>/r{i}</mount><local-mount>/relay{i}.ogg</local-mount></relay>
"""


def scaling_config(mounts: int) -> bytes:
    """A config of ``mounts`` mount blocks of every kind the linter resolves.

    Normal mounts falling back through another mount to a file, mounts that
    inherit a fallback from a ``type="default"`` mount, 2.4-style glob
    mounts, 2.5-style glob default mounts (``<mount type="default">`` with a
    ``<mount-name>`` pattern) and, at the end, a default mount without a name;
    with one listen-socket, relay, alias, global header and suppression
    comment per five mounts.  Lookups that scan every mount for every mount
    show here as growth faster than the number of mounts.
    """
    groups = max(1, mounts // SCALING_GROUP_MOUNTS)
    parts = ["<icecast>\n    <hostname>radio.example.org</hostname>\n"]
    parts.append("    <listen-socket><port>8000</port></listen-socket>\n")
    parts.extend(SCALING_EXTRAS.format(i=i, port=10000 + i % 50000) for i in range(groups))
    aliases = "".join(f'<alias source="/a{i}" destination="/live{i}.ogg"/>' for i in range(groups))
    parts.append(f"    <paths><webroot>/usr/share/icecast2/web</webroot>{aliases}</paths>\n")
    headers = "".join(f'<header name="X-Info-{i}" value="{i}"/>' for i in range(groups))
    parts.append(f"    <http-headers>{headers}</http-headers>\n")
    parts.extend(SCALING_GROUP.format(i=i) for i in range(groups))
    parts.append('    <mount type="default"><fallback-mount>/silence.ogg</fallback-mount></mount>\n</icecast>\n')
    return "".join(parts).encode()


def debian_sample() -> bytes:
    return gzip.decompress(DEBIAN_SAMPLE.read_bytes())


def timed(func: Callable[[], object], runs: int) -> float:
    """Median wall time of ``runs`` calls (after one warm-up call and a full collection).

    The collection matters: documents have parent links, so what an earlier
    measurement left behind is cyclic garbage that would otherwise be scanned
    (and charged to whatever runs next) until the collector gets to it.
    """
    gc.collect()
    func()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


_MEMORY_PROBE = r"""
import sys, json
sys.path.insert(0, {root!r})
import lxml.etree
import icecfg
from icecfg.lint import lint
data = open({path!r}, "rb").read()
def rss(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1]) * 1024
before = rss("VmRSS:")
open("/proc/self/clear_refs", "w").write("5")
kept = {op}
print(json.dumps(rss("VmHWM:") - before))
"""


def peak_memory(path: Path, op: str) -> int:
    """Bytes the peak resident set grew by while ``op`` ran in a fresh interpreter."""
    code = _MEMORY_PROBE.format(root=str(ROOT), path=str(path), op=op)
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return int(json.loads(out))


def bench_model(tmp: Path) -> None:
    """Time and peak memory of icecfg against lxml on the same bytes, in the same run.

    ``loads`` checks the whole file (expat: well-formedness, entities, depth)
    and reads element content when it is first asked for, so the plain
    load + dump is what the target is about, and the rows below it show what
    reading more costs: one edit (reads what lies on its way) and reading
    every element (what the linter does).
    """
    from lxml import etree

    import icecfg

    for label, data, runs in (
        ("Debian icecast.xml sample", debian_sample(), 300),
        ("generated 5,000-mount file", generated_config(), 7),
    ):
        path = tmp / f"{label.split()[0]}.xml"
        path.write_bytes(data)
        baseline = timed(lambda data=data: etree.tostring(etree.fromstring(data)), runs)
        rows = (
            ("icecfg loads + dumps", timed(lambda data=data: icecfg.dumps(icecfg.loads(data)), runs), "(target <= 3x)"),
            ("icecfg loads + one edit + dumps", timed(lambda data=data: _load_edit_dump(data), runs), ""),
            ("icecfg loads + read all + dumps", timed(lambda data=data: _load_read_all_dump(data), runs), ""),
        )
        print(f"{label} ({len(data):,} bytes)")
        print(f"  {'lxml fromstring + tostring':34} {baseline * 1000:9.3f} ms")
        for name, seconds, note in rows:
            print(f"  {name:34} {seconds * 1000:9.3f} ms  x{seconds / baseline:5.2f} {note}")
        base_mem = peak_memory(path, "lxml.etree.tostring(lxml.etree.fromstring(data)), lxml.etree.fromstring(data)")
        our_mem = peak_memory(path, "icecfg.loads(data)")
        all_mem = peak_memory(path, "[e.children for e in icecfg.loads(data).document.root.iter()]")
        print(
            f"  peak memory: lxml {base_mem / 1e6:.1f} MB | icecfg loads {our_mem / 1e6:.1f} MB "
            f"x{our_mem / max(base_mem, 1):.2f} (target: <= 3x) | every element read {all_mem / 1e6:.1f} MB "
            f"x{all_mem / max(base_mem, 1):.2f}"
        )


def _load_edit_dump(data: bytes) -> bytes:
    import icecfg

    cfg = icecfg.loads(data)
    cfg.hostname = "edited.example.org"
    return icecfg.dumps(cfg)


def _load_read_all_dump(data: bytes) -> bytes:
    """Load, read the content of every element (what the linter does), dump."""
    import icecfg

    cfg = icecfg.loads(data)
    for element in cfg.document.root.iter():
        element.children  # noqa: B018 - reading is the point
    return icecfg.dumps(cfg)


def _run_median(command: list[str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def bench_lint(tmp: Path) -> None:
    import icecfg
    from icecfg.lint import lint

    sample = tmp / "icecast.xml"
    sample.write_bytes(debian_sample())
    runs = 25
    baseline = _run_median([sys.executable, "-c", f"import lxml.etree as e; e.parse({str(sample)!r})"], runs)
    icecfg_bin = str(Path(sys.executable).with_name("icecfg"))
    cold = _run_median([icecfg_bin, "lint", "--isolated", "--target", "2.4", str(sample)], runs)
    print(
        f"cold start, median of {runs}: python -c 'lxml parse' {baseline * 1000:7.1f} ms | "
        f"icecfg lint {cold * 1000:7.1f} ms  x{cold / baseline:4.2f}  (target: at most 2.5x)"
    )
    data = debian_sample()
    count = 300
    gc.collect()
    lint(icecfg.loads(data))
    started = time.perf_counter()
    for _ in range(count):
        lint(icecfg.loads(data))
    rate = count / (time.perf_counter() - started)
    parse_rate = count / timed_total(lambda: __import__("lxml.etree").etree.fromstring(data), count)
    print(
        f"warm: {rate:7.0f} lints/s of the Debian sample through lint(loads(data)) (target: at least 1,000); "
        f"lxml parses {parse_rate:7.0f}/s"
    )
    big = generated_config()
    gc.collect()
    started = time.perf_counter()
    findings = lint(icecfg.loads(big), files=False)
    elapsed = time.perf_counter() - started
    print(f"5,000-mount config: loads + lint {elapsed:5.2f} s, {len(findings)} findings (target: at most 2 s)")


#: Mount counts of the scaling benchmark; the last one carries the targets.
SCALING_SIZES = (1_000, 10_000, 100_000)
SCALING_TARGET_SECONDS = 3.0
SCALING_TARGET_MEMORY = 10  # peak memory growth as a multiple of the file size


def bench_scaling(tmp: Path, sizes: tuple[int, ...] = SCALING_SIZES) -> None:
    """Lint CPU time per 1,000 mounts at growing sizes, each against lxml parsing the same bytes.

    Linear code keeps the time per 1,000 mounts flat; the ``growth`` column
    is that time against the smallest size's, so a rule that compares every
    mount with every other shows as growth of about the size ratio (x10 from
    1,000 to 10,000 mounts).  The lxml column is the baseline measured in the
    same run, so the ``x lxml`` ratios compare between machines and commits.
    """
    from lxml import etree

    import icecfg

    first: float | None = None
    print(
        f"  {'mounts':>8} {'bytes':>11} {'lxml parse':>11} {'loads + lint':>13} {'per 1,000 mounts':>17} "
        f"{'x lxml':>7} {'growth':>7}"
    )
    for count in sizes:
        data = scaling_config(count)
        runs = 3 if count <= 10_000 else 1
        baseline = best_cpu_time(lambda data=data: etree.fromstring(data), runs + 2)
        seconds = best_cpu_time(lambda data=data: lint_and_collect(icecfg.loads(data)), runs)
        per_thousand = seconds / count * 1000
        first = first or per_thousand
        print(
            f"  {count:>8,} {len(data):>11,} {baseline * 1000:>8.1f} ms {seconds:>11.2f} s "
            f"{per_thousand * 1000:>14.1f} ms {seconds / baseline:>6.0f}x {per_thousand / first:>6.2f}x"
        )
    largest = sizes[-1]
    path = tmp / "scaling.xml"
    data = scaling_config(largest)
    path.write_bytes(data)
    memory = peak_memory(path, "lint(icecfg.loads(data), files=False)")
    lxml_memory = peak_memory(path, "lxml.etree.fromstring(data)")
    print(
        f"  {largest:,} mounts: loads + lint {seconds:.2f} s (target: at most {SCALING_TARGET_SECONDS:g} s); "
        f"peak memory {memory / 1e6:.0f} MB = {memory / len(data):.1f}x the file "
        f"(target: under {SCALING_TARGET_MEMORY}x; lxml parse {lxml_memory / len(data):.1f}x)"
    )


def lint_and_collect(config: IcecastConfig) -> list[Finding]:
    """Lint ``config``, and make the young collection its allocations leave pending.

    The lint pauses the cyclic collector, so what it built (the elements it
    read, the findings) is scanned by the first collection after it, which the
    caller's next allocations set off: a cost of the lint, counted here
    rather than charged to whatever runs next.
    """
    from icecfg.lint import lint

    findings = lint(config, files=False)
    gc.collect(0)
    return findings


def best_cpu_time(func: Callable[[], object], runs: int) -> float:
    """Fastest of ``runs`` CPU-time measurements of this process (after a full collection each).

    CPU time rather than wall time: on a shared machine other processes'
    load would otherwise show as growth.  No warm-up: linting 100,000 mounts
    takes long enough that one would double the benchmark, and the smaller
    sizes, measured first, have warmed everything up.
    """
    best = float("inf")
    for _ in range(runs):
        gc.collect()
        started = time.process_time()
        func()
        best = min(best, time.process_time() - started)
    return best


def timed_total(func: Callable[[], object], count: int) -> float:
    started = time.perf_counter()
    for _ in range(count):
        func()
    return time.perf_counter() - started


def main(argv: list[str]) -> int:
    import tempfile

    wanted = set(argv) or {"model", "lint", "scaling"}
    with tempfile.TemporaryDirectory() as tmp:
        if "model" in wanted:
            print("== load + dump against lxml (target: at most 3x in time and peak memory)")
            bench_model(Path(tmp))
        if "lint" in wanted:
            print("== lint")
            bench_lint(Path(tmp))
        if "scaling" in wanted:
            print(
                "== lint scaling: mounts with fallback chains, default and glob mounts, sockets, relays, "
                "aliases, headers (time per 1,000 mounts should stay flat)"
            )
            bench_scaling(Path(tmp))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
