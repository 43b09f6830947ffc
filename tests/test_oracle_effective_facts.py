"""Facts of the effective configuration that the lint rules judge, shown on the real 2.5.0 and KH binaries."""

from __future__ import annotations

import time
from collections.abc import Iterable

import pytest

import icecfg
from icecfg.effective import explain
from tests import audio, oracle
from tests.release_oracle import config, findings, write_fallback_media


def _debug_and_info_lines(box: oracle.Sandbox, data: bytes, port: int, name: str) -> tuple[int, int]:
    """Debug and information lines the error log gets for ten status requests."""
    box.clear_logs()
    with oracle.IcecastServer(data, box, wait_port=port, name=name) as server:
        before = server.error_log() or ""
        for _ in range(10):
            server.http_get(port, "/status.xsl", timeout=2.0, max_body=4096)
        time.sleep(0.3)
        log = (server.error_log() or "")[len(before) :]
    return log.count(" DBUG "), log.count(" INFO ")


def test_25_reads_loglevel_words_in_any_case_but_not_padded(box25: oracle.Sandbox) -> None:
    """2.5.0's util_str_to_loglevel compares the text as written, ignoring case, else reads it with atoi.

    ``DEBUG`` is level 4 (debug lines for every request); `` debug `` is no
    word it knows, atoi makes it 0, and the requests log nothing at all.
    """
    port = oracle.free_port()
    upper = config(box25, port, loglevel="DEBUG")
    padded = config(box25, port, loglevel=" debug ")
    for data, level, meaning in ((upper, 4, "debug"), (padded, 0, "nothing")):
        logging = explain(icecfg.loads(data), "2.5").logging
        assert (logging.level.value, logging.level_meaning) == (level, meaning)
    assert _debug_and_info_lines(box25, upper, port, "loglevel-upper")[0] >= 10
    assert _debug_and_info_lines(box25, padded, port, "loglevel-padded") == (0, 0)


def kh_fallback_gets(data: bytes, mounts: Iterable[str]) -> dict[str, str | None]:
    """What explain says a listener of each of ``mounts`` gets on KH without a source (None: 404)."""
    effective = explain(icecfg.loads(data), "kh")
    gets = {}
    for name in mounts:
        found = effective.mounts.find(name)
        assert found is not None
        gets[name] = effective.chain(found).gets
    return gets


def test_kh_sends_a_file_fallback_only_at_a_known_rate(boxkh: oracle.Sandbox) -> None:
    """ICE608: KH answers 404 for a file fallback without a rate; with <fallback><rate> it sends the file."""
    write_fallback_media(boxkh)
    port = oracle.free_port()
    mounts = (
        "<mount><mount-name>/norate</mount-name><fallback-mount>/fallback.ogg</fallback-mount></mount>"
        "<mount><mount-name>/rated</mount-name>"
        "<fallback><mount>/fallback.ogg</mount><rate>128k</rate></fallback></mount>"
    )
    data = config(boxkh, port, extra=mounts)
    (finding,) = findings(data, "kh", "ICE608")
    assert "/norate" in finding.message and "gets 404" in finding.message
    only_rated = config(boxkh, port, extra=mounts.split("</mount>", 1)[1])
    assert not findings(only_rated, "kh", "ICE608")  # the rate is known: nothing to report
    assert kh_fallback_gets(data, ("/norate", "/rated")) == {"/norate": None, "/rated": "/fallback.ogg"}
    fallback_file = (boxkh.webroot / "fallback.ogg").read_bytes()
    with oracle.IcecastServer(data, boxkh, wait_port=port, name="kh-fallback-rate") as server:
        assert server.http_get(port, "/norate", timeout=2.0, max_body=4096).status == 404
        rated = server.http_get(port, "/rated", timeout=2.0, max_body=4096)
        assert rated.status == 200
        assert len(rated.body) > 1000 and rated.body == fallback_file[: len(rated.body)]


@pytest.mark.parametrize("release", ["2.4", "2.5"])
def test_the_global_source_password_read_last_is_used_and_explain_says_which(
    release: str, box24: oracle.Sandbox, box25: oracle.Sandbox
) -> None:
    """A root <source-password> after <authentication>'s replaces it (2.5.0 warns, and reads it too)."""
    box = box24 if release == "2.4" else box25
    port = oracle.free_port()
    data = oracle.basic_config(
        box,
        [port],
        source_password="auth-source-pw",
        admin_password="admin-pw-1",
        extra="<source-password>root-source-pw</source-password>",
    )
    found = explain(icecfg.loads(data), release).source_password("/live.ogg")
    assert found is not None and found.value == "root-source-pw"
    song = audio.make_ogg(seconds=5, bitrate_kbps=64).read_bytes()
    accepted = {}
    with oracle.IcecastServer(data, box, wait_port=port, name=f"explain-source-pw-{release}") as server:
        for password in ("auth-source-pw", "root-source-pw"):
            with server.source(port, "/live.ogg", song, password=password) as client:
                accepted[password] = client.accepted
    assert accepted == {"auth-source-pw": False, "root-source-pw": True}


#: KH mounts whose fallback is written twice or in KH's other forms, and the file each one plays.
#: kh22 hands ``<fallback>`` and ``<fallback-mount>`` to one parser (``_parse_fallback``)
#: that fills the same field: a later element that names a mount replaces an earlier one;
#: inside one element the text, then ``mount=``, then a ``<mount>`` child each replace the last.
KH_FALLBACK_FORMS: dict[str, tuple[str, str | None]] = {
    "/block-then-element": (
        "<fallback><mount>/other.ogg</mount></fallback><fallback-mount>/fallback.ogg</fallback-mount>",
        "/fallback.ogg",
    ),
    "/element-then-block": (
        '<fallback-mount>/fallback.ogg</fallback-mount><fallback mount="/other.ogg"/>',
        "/other.ogg",
    ),
    "/block-text": ("<fallback>/other.ogg</fallback>", "/other.ogg"),
    "/later-block-without-mount": (
        '<fallback-mount>/other.ogg</fallback-mount><fallback rate="128k"/>',
        "/other.ogg",
    ),
    "/attribute-over-text": ('<fallback mount="/other.ogg">/fallback.ogg</fallback>', "/other.ogg"),
    # an empty mount= still replaces: KH then drops a value without its "/", and there is no fallback
    "/emptied-by-a-later-block": ('<fallback-mount>/other.ogg</fallback-mount><fallback mount=""/>', None),
}


def test_kh_takes_the_last_fallback_written_in_any_of_its_forms(boxkh: oracle.Sandbox) -> None:
    """explain's fallback file for each form is the file kh22 sends its listeners."""
    write_fallback_media(boxkh)
    boxkh.write("web/other.ogg", audio.make_ogg(seconds=3.0, bitrate_kbps=96).read_bytes())
    port = oracle.free_port()
    mounts = "".join(
        f"<mount><mount-name>{name}</mount-name><limit-rate>128k</limit-rate>{fallback}</mount>"
        for name, (fallback, _file) in KH_FALLBACK_FORMS.items()
    )
    data = config(boxkh, port, extra=mounts)
    said = kh_fallback_gets(data, KH_FALLBACK_FORMS)
    served = {}
    files = {f"/{n}": (boxkh.webroot / n).read_bytes() for n in ("fallback.ogg", "other.ogg")}
    with oracle.IcecastServer(data, boxkh, wait_port=port, name="kh-fallback-forms") as server:
        for name in KH_FALLBACK_FORMS:
            response = server.http_get(port, name, timeout=2.0, max_body=4096)
            if response.status == 404:
                served[name] = None
                continue
            assert response.status == 200, name
            served[name] = next(f for f, body in files.items() if body.startswith(response.body[:2048]))
    assert served == {name: file for name, (_fallback, file) in KH_FALLBACK_FORMS.items()}
    assert said == served


def test_kh_takes_the_rate_of_the_last_fallback_element(boxkh: oracle.Sandbox) -> None:
    """Each fallback element KH parses sets the rate anew (none: 0), so the last one's rate is the one used."""
    write_fallback_media(boxkh)
    port = oracle.free_port()
    rated = "<fallback><mount>/fallback.ogg</mount><rate>128k</rate></fallback>"
    plain = "<fallback-mount>/fallback.ogg</fallback-mount>"
    mounts = (
        f"<mount><mount-name>/rate-then-plain</mount-name>{rated}{plain}</mount>"
        f"<mount><mount-name>/plain-then-rate</mount-name>{plain}{rated}</mount>"
    )
    data = config(boxkh, port, extra=mounts)
    (finding,) = findings(data, "kh", "ICE608")  # ICE608: a file fallback KH sends at no rate
    assert "/rate-then-plain" in finding.message
    gets = kh_fallback_gets(data, ("/rate-then-plain", "/plain-then-rate"))
    assert gets == {"/rate-then-plain": None, "/plain-then-rate": "/fallback.ogg"}
    with oracle.IcecastServer(data, boxkh, wait_port=port, name="kh-fallback-last-rate") as server:
        assert server.http_get(port, "/rate-then-plain", timeout=2.0, max_body=4096).status == 404
        assert server.http_get(port, "/plain-then-rate", timeout=2.0, max_body=4096).status == 200


#: KH log elements written in its other forms -> the access log file kh22 writes (None: none).
KH_ACCESS_LOGS: dict[str, tuple[str, str | None]] = {
    "attribute-over-text": ('<accesslog name="a.log">b.log</accesslog>', "a.log"),
    "child-over-text": ("<accesslog>b.log<name>c.log</name></accesslog>", "c.log"),
    "later-empty-element": ("<accesslog>x.log</accesslog><accesslog/>", "x.log"),
    "empty-attribute": ('<accesslog name="">b.log</accesslog>', None),
}


@pytest.mark.parametrize("form", sorted(KH_ACCESS_LOGS))
def test_kh_reads_each_log_element_in_turn_as_explain_says(boxkh: oracle.Sandbox, form: str) -> None:
    """kh22 reads a log's text, then name=, then <name>, element after element; an empty name writes no log."""
    written, file = KH_ACCESS_LOGS[form]
    port = oracle.free_port()
    data = config(boxkh, port).replace(b"<accesslog>access.log</accesslog>", written.encode())
    log = explain(icecfg.loads(data), "kh").logging.log("access")
    said = log.name.value if log.destination == "file" else None
    assert said == file
    # lint warns of the log KH silently keeps none of (ICE806), and of nothing else here
    warned = [f.code for f in findings(data, "kh", "ICE8")]
    assert warned == ([] if file is not None else ["ICE806"])
    with oracle.IcecastServer(data, boxkh, wait_port=port, name=f"kh-accesslog-{form}") as server:
        for _ in range(3):
            server.http_get(port, "/status.xsl", timeout=2.0, max_body=4096)

        def logs() -> list[str]:
            return sorted(p.name for p in boxkh.logdir.iterdir() if p.name != "error.log")

        if file is not None:
            oracle.wait_until(lambda: logs() == [file], timeout=5.0)
        else:  # the written forms show the log appears within the wait
            time.sleep(2.0)
        assert logs() == ([file] if file is not None else [])


def test_kh_crashes_on_an_empty_error_log_name_as_explain_says(boxkh: oracle.Sandbox) -> None:
    port = oracle.free_port()
    data = config(boxkh, port).replace(b"<errorlog>error.log</errorlog>", b'<errorlog name="">e.log</errorlog>')
    effective = explain(icecfg.loads(data), "kh")
    assert effective.logging.log("error").destination == "fatal"
    assert any("crashes" in problem for problem in effective.startup_problems)
    (finding,) = findings(data, "kh", "ICE806")
    assert finding.severity == "error" and "crashes at start" in finding.message
    server = oracle.IcecastServer(data, boxkh, wait_port=port, name="kh-errorlog-empty-name", expect_crash=True)
    with pytest.raises(oracle.IcecastExitedError, match="SIGSEGV"), server:
        pass
