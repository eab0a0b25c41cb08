"""The fixer changes exactly the added line and nothing else, for any root file."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heroku_req_check.fix import Unfixable, insert_line, remove_logical_line, replace_line
from heroku_req_check.reqfile import decode

LINE = "pylibmc==1.6.3"
body_lines = st.lists(
    st.text(alphabet=st.sampled_from(list("abc=1 #é\t-")), max_size=10), max_size=6
)


@settings(max_examples=400, deadline=None)
@given(
    body_lines,
    st.sampled_from(["\n", "\r\n", "\r"]),
    st.booleans(),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16-le", "utf-16-be"]),
)
def test_insert_preserves_every_other_byte(
    lines: list[str], eol: str, final: bool, enc: str
) -> None:
    text = eol.join(lines) + (eol if final and lines else "")
    bom = {
        "utf-8-sig": codecs.BOM_UTF8,
        "utf-16-le": codecs.BOM_UTF16_LE,
        "utf-16-be": codecs.BOM_UTF16_BE,
    }.get(enc, b"")
    codec = "utf-8" if enc == "utf-8-sig" else enc
    data = bom + text.encode(codec)
    try:
        new, number = insert_line(data, LINE)
    except Unfixable:
        return
    new_text = decode(new).text
    old_lines = text.splitlines(keepends=True)
    new_lines = new_text.splitlines(keepends=True)
    if any(line.rstrip("\r\n") == LINE for line in old_lines):
        assert new == data
        return
    assert new_lines[number - 1].rstrip("\r\n") == LINE
    assert len(new_lines) == len(old_lines) + 1
    rest = new_lines[: number - 1] + new_lines[number:]
    assert "".join(rest).rstrip("\r\n") == text.rstrip("\r\n") or "".join(rest) == text
    assert new.startswith(bom)
    assert new_text.endswith(("\n", "\r")) == (text.endswith(("\n", "\r")) or not text)
    assert insert_line(new, LINE) == (new, number)  # twice is once


def test_utf32_le_is_left_alone() -> None:
    with pytest.raises(Unfixable):
        insert_line(codecs.BOM_UTF32_LE + "a\n".encode("utf-32-le"), LINE)


def test_invalid_bytes_are_left_alone() -> None:
    with pytest.raises(Unfixable):
        insert_line(b"a\n\xff\n", LINE)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", b"pylibmc==1.6.3\n"),
        (b"a\r\nb\r\n", b"a\r\nb\r\npylibmc==1.6.3\r\n"),
        (b"a\nb", b"a\nb\npylibmc==1.6.3"),
        (b"a \\\n", b"pylibmc==1.6.3\na \\\n"),  # never glued onto a continuation
    ],
)
def test_insert_table(data: bytes, expected: bytes) -> None:
    assert insert_line(data, LINE)[0] == expected


def test_replace_and_remove_keep_line_endings() -> None:
    assert replace_line(b"x\r\nPyLibMC==1\r\ny", 2, "pylibmc==1") == b"x\r\npylibmc==1\r\ny"
    assert remove_logical_line(b"a\nb \\\n  --hash=sha256:00\nc\n", 2) == b"a\nc\n"
