"""Facts the lint rules ask the effective configuration for: fallback options, declared formats,
passwords, the user switch and logging, each as the release reads it."""

from __future__ import annotations

import icecfg
from icecfg.conversion import FallbackOverride
from icecfg.effective import explain
from icecfg.effective.config import EffectiveConfig
from icecfg.effective.declared import declared_bitrate, declared_codec
from icecfg.effective.fallbacks import options_on


def eff(xml: str, target: str = "2.4") -> EffectiveConfig:
    return explain(icecfg.loads(xml.encode()), target)


def _options(xml: str, target: str) -> dict[str, object]:
    config = eff(xml, target)
    (mount,) = config.mounts.normal()
    return {name: value.value for name, value in options_on(mount)}


def test_fallback_options_read_per_release() -> None:
    """`<fallback-override>all` is atoi 0 (off) on 2.4, on for 2.5; `own` is a 2.5 mode; KH reads booleans."""
    xml = "<icecast><mount><mount-name>/a</mount-name><fallback-override>{}</fallback-override></mount></icecast>"
    assert _options(xml.format("all"), "2.4") == {}
    assert _options(xml.format("all"), "2.5") == {"fallback-override": FallbackOverride.ALL}
    assert _options(xml.format("own"), "2.5") == {"fallback-override": FallbackOverride.OWN}
    assert _options(xml.format("none"), "2.5") == {}
    assert _options(xml.format("1"), "2.4") == {"fallback-override": FallbackOverride.ALL}
    assert _options(xml.format("yes"), "kh") == {"fallback-override": FallbackOverride.ALL}
    assert _options(xml.format("0"), "kh") == {}
    full = "<icecast><mount><mount-name>/a</mount-name><fallback-when-full>{}</fallback-when-full></mount></icecast>"
    assert _options(full.format("1"), "2.4") == {"fallback-when-full": True}
    assert _options(full.format("true"), "2.4") == {}  # atoi("true") == 0
    assert _options(full.format("true"), "2.5") == {"fallback-when-full": True}
    assert _options("<icecast><mount><mount-name>/a</mount-name><fallback-when-full/></mount></icecast>", "2.4") == {}


def test_what_listeners_get_when_the_lookups_run_out() -> None:
    xml = "<icecast/>"
    assert eff(xml, "2.4").fallbacks.refusal == "404"
    assert eff(xml, "2.5").fallbacks.refusal == "404"
    assert eff(xml, "kh").fallbacks.refusal == "403"


def test_declared_formats_bitrates_and_codecs() -> None:
    xml = (
        "<icecast>"
        "<mount><mount-name>/live.mp3</mount-name><type>application/ogg</type><bitrate>128k</bitrate>"
        "<subtype>Vorbis</subtype></mount>"
        "<mount><mount-name>/b.mp3</mount-name><type>audio/aacp; x=1</type><bitrate>abc</bitrate></mount>"
        "<relay><server>up</server><mount>/r.ogg</mount></relay>"
        "</icecast>"
    )
    graph = eff(xml).fallbacks
    live = graph.declared_format("/live.mp3")
    assert live is not None and (live.format_type, live.evidence) == ("ogg", "<type>application/ogg</type>")
    b = graph.declared_format("/b.mp3")
    assert b is not None and b.format_type == "generic"
    relay = graph.declared_format("/r.ogg")
    assert relay is not None and (relay.format_type, relay.evidence) == ("ogg", "going by its name")
    file = graph.declared_format("/silence.webm")
    assert file is not None and file.format_type == "ebml" and file.evidence.startswith("a file Icecast labels")
    assert graph.declared_format("/noextension") is None
    first, second = graph.table.normal()
    assert declared_bitrate(first) == 128  # atoi stops at the k
    assert declared_bitrate(second) is None
    assert declared_codec(first) == ("vorbis", "<subtype>Vorbis</subtype>")
    assert declared_codec(second) == ("aac", "<type>audio/aacp; x=1</type>")


def _level(text: str, target: str) -> object:
    return eff(f"<icecast><logging><loglevel>{text}</loglevel></logging></icecast>", target).logging.level.value


def test_loglevel_read_per_release() -> None:
    assert _level("debug", "2.4") == 0  # atoi: nothing is logged
    assert _level("DEBUG", "2.5") == 4
    assert _level("Warn", "2.5") == 2
    assert _level(" debug ", "2.5") == 0  # strcasecmp on the text as written, then atoi
    assert _level(" 4 ", "2.5") == 4
    assert _level("verbose", "2.5") == 0
    assert _level("info", "kh") == 3
    assert eff("<icecast/>", "2.5").logging.level.value == 3


def test_logsize_and_the_element_that_set_it() -> None:
    from icecfg.effective.logging import written_setting

    logging = eff("<icecast><logging><logsize>10485760</logsize></logging></icecast>", "2.4").logging
    assert logging.size.value == 10485760
    element = written_setting(logging.size, "logsize")
    assert element is not None and element.text == "10485760"
    assert eff("<icecast><logging><logsize>-5</logsize></logging></icecast>", "2.5").logging.size.value == 0
    default = eff("<icecast/>", "kh").logging
    assert default.size.value == 20000 and written_setting(default.size, "logsize") is None
    attribute = eff('<icecast><logging loglevel="4"/></icecast>', "kh").logging
    assert attribute.level.value == 4 and written_setting(attribute.level, "loglevel") is None
    assert eff("<icecast/>", "2.4").logging.to_json()["size"] == {"value": 0, "from": {"source": "default"}}
