"""Bad and hostile input: one clear error with line and column, quickly, never a traceback."""

from __future__ import annotations

import tracemalloc

import pytest

import icecfg
from icecfg.document import MAX_BYTES, MAX_DEPTH, reader


def _error(data: bytes | str) -> icecfg.ParseError:
    with pytest.raises(icecfg.ParseError) as info:
        icecfg.loads(data, path="icecast.xml")
    return info.value


def test_mismatched_tag_names_line_and_column() -> None:
    err = _error(b"<icecast>\n  <limits>\n    <clients>5</limits>\n</icecast>\n")
    # expat points at the name in the offending end tag
    assert (err.line, err.column) == (3, 17)
    assert str(err) == "icecast.xml:3:17: not well-formed XML: mismatched tag"
    assert "\n" not in str(err)


def test_wrong_root_is_refused_where_it_stands() -> None:
    err = _error(b"<!-- c -->\n<Icecast><hostname>a</hostname></Icecast>\n")
    assert (err.line, err.column) == (2, 1)
    assert "root element is <Icecast>" in err.message


def test_empty_and_comment_only_files() -> None:
    assert "no element found" in _error(b"").message
    assert "no element found" in _error(b"<!-- nothing -->\n").message


def test_entity_declarations_are_refused_before_expansion() -> None:
    laughs = [b'<!ENTITY lol0 "lol">']
    laughs += [b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10) for i in range(1, 10)]
    data = b"<!DOCTYPE icecast [" + b"".join(laughs) + b"]>\n<icecast><location>&lol9;</location></icecast>"
    tracemalloc.start()
    err = _error(data)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "entity declarations are refused" in err.message
    # refused at the first declaration, before &lol9; (10**9 "lol"s) is ever referenced ...
    first = len(b"<!DOCTYPE icecast [")
    assert err.line == 1 and first < err.column <= first + len(laughs[0]), err.column
    # ... and nothing was expanded: expansion would take gigabytes
    assert peak < 5 * 1024 * 1024


def test_external_entities_are_never_loaded(tmp_path: pytest.TempPathFactory) -> None:
    secret = "/etc/hostname"
    data = f'<!DOCTYPE icecast [<!ENTITY x SYSTEM "file://{secret}">]><icecast><location>&x;</location></icecast>'
    err = _error(data.encode())
    assert "refused" in err.message


def test_parameter_entities_are_refused() -> None:
    data = b'<!DOCTYPE icecast [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p;]><icecast/>'
    assert "refused" in _error(data).message


def test_undefined_entity_reference_is_an_error() -> None:
    err = _error(b'<!DOCTYPE icecast SYSTEM "x.dtd">\n<icecast>\n  <location>&nope;</location>\n</icecast>')
    assert (err.line, err.column) == (3, 13)
    assert "&nope;" in err.message


def test_invalid_utf8_names_the_line() -> None:
    err = _error(b"<icecast>\n  <location>\xff\xfe</location>\n</icecast>")
    assert err.line == 2
    assert "not well-formed" in err.message or "not valid" in err.message


def test_unknown_encoding_is_refused() -> None:
    assert "encoding" in _error(b'<?xml version="1.0" encoding="x-klingon"?><icecast/>').message


def test_deep_nesting_fails_cleanly() -> None:
    depth = 100_000
    data = b"<icecast>" + b"<a>" * depth + b"</a>" * depth + b"</icecast>"
    err = _error(data)
    assert f"deeper than {MAX_DEPTH}" in err.message
    # reading stops at the first element too deep, not after all 100,000 (or a recursion limit)
    assert (err.line, err.column) == (1, len(b"<icecast>") + len(b"<a>") * (MAX_DEPTH - 1) + 1)


def test_huge_input_is_refused_without_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def never(*_args: object) -> None:
        raise AssertionError("a huge input was decoded or parsed")

    for step in ("_decode", "_check_well_formed", "_build"):
        monkeypatch.setattr(reader, step, never)
    data = b"<icecast>" + b" " * MAX_BYTES + b"</icecast>"
    err = _error(data)
    assert "larger than" in err.message


def test_two_roots() -> None:
    assert "junk after document element" in _error(b"<icecast/><icecast/>").message


def test_load_names_the_file(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "broken.xml"
    path.write_bytes(b"<icecast>\n<limits>\n</icecast>")
    with pytest.raises(icecfg.ParseError) as info:
        icecfg.load(path)
    assert str(info.value).startswith(f"{path}:3:3: ")


def test_invalid_typed_value_error_has_position() -> None:
    cfg = icecfg.loads(b"<icecast>\n  <limits>\n    <clients>lots</clients>\n  </limits>\n</icecast>", path="x.xml")
    with pytest.raises(icecfg.InvalidValueError) as info:
        _ = cfg.limits.clients
    assert str(info.value) == "x.xml:3:14: <clients>: 'lots' is not a whole number"
    assert cfg.limits.get_text("clients") == "lots"
    assert cfg.limits.effective("clients", "2.4") == 0  # atoi


def test_undefined_entity_in_an_attribute_is_an_error_at_load() -> None:
    err = _error(b'<!DOCTYPE icecast SYSTEM "x.dtd">\n<icecast>\n  <mount type="&nope;"/>\n</icecast>')
    assert (err.line, err.column) == (3, 16)
    assert "&nope;" in err.message
