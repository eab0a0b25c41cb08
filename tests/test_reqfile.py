"""Reading one file: our lexer against pip-requirements-parser's own (pip's) preprocessing."""

from __future__ import annotations

import codecs

import pip_requirements_parser as prp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heroku_req_check.reqfile import decode, logical_lines, split_args_options


def pip_lines(text: str) -> list[tuple[int, str]]:
    """pip's preprocess (join_lines, then comments removed), as the library vendors it."""
    out = []
    for item in prp.preprocess(text):
        if isinstance(item, prp.TextLine):
            out.append((item.line_number, item.line))
    return out


CASES = [
    "a\nb\n",
    "a==1 \\\n  --hash=sha256:00\nb\n",
    "# comment \\\nnext\n",
    "x \\\n# comment ends it\ny\n",
    "pkg#notacomment\n",
    "pkg # comment\n",
    "\tpkg\t#c\n",
    "a\\\nb\\\nc\n",
    "last\\",
    "\\\n\\\n",
    "a\r\nb\rc\n",
    "form\x0cfeed\n",
    "  \n\n   \n",
    "-r x.txt # include\n",
]


@pytest.mark.parametrize("text", CASES)
def test_logical_lines_match_pip(text: str) -> None:
    assert list(logical_lines(text)) == pip_lines(text)


line_text = st.text(alphabet=st.sampled_from(list("ab=1 #\\\t-r.x")), max_size=12)


@settings(max_examples=300, deadline=None)
@given(st.lists(line_text, max_size=8), st.sampled_from(["\n", "\r\n", "\r"]), st.booleans())
def test_logical_lines_match_pip_generated(lines: list[str], eol: str, final: bool) -> None:
    text = eol.join(lines) + (eol if final and lines else "")
    ours = list(logical_lines(text))
    theirs = pip_lines(text)
    # the vendored splitter keeps only two parts of a line with several ' #' runs; compare text
    # pip itself keeps (the part before the first comment), which is what both yield
    assert [n for n, _ in ours] == [n for n, _ in theirs]
    assert [t for _, t in ours] == [t for _, t in theirs]


@pytest.mark.parametrize(
    ("data", "text", "encoding"),
    [
        (b"a\n", "a\n", "utf-8"),
        (codecs.BOM_UTF8 + b"a\n", "a\n", "utf-8"),
        (codecs.BOM_UTF16_LE + "a\n".encode("utf-16-le"), "a\n", "utf-16"),
        (codecs.BOM_UTF16_BE + "a\n".encode("utf-16-be"), "a\n", "utf-16-be"),
        (codecs.BOM_UTF32_BE + "a\n".encode("utf-32-be"), "a\n", "utf-32-be"),
        (
            "# -*- coding: latin-1 -*-\nné\n".encode("latin-1"),
            "# -*- coding: latin-1 -*-\nné\n",
            "latin-1",
        ),
        (b"x\n# coding=cp1252\n\x80\n", "x\n# coding=cp1252\n\u20ac\n", "cp1252"),
    ],
)
def test_decode_like_pip(data: bytes, text: str, encoding: str) -> None:
    decoded = decode(data)
    assert (decoded.text, decoded.encoding, decoded.error) == (text, encoding, None)
    assert prp.auto_decode(data) == text


def test_invalid_utf8_is_a_message_with_the_offset() -> None:
    decoded = decode(b"ok\n\xff\xfebad")
    assert decoded.error == "byte 3 is not valid utf-8 (invalid start byte)"
    assert decoded.text.startswith("ok\n")


def test_unknown_coding_line_is_reported() -> None:
    assert decode(b"# coding: klingon\nx\n").error == "unknown encoding 'klingon' in coding line"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("pkg==1", ("pkg==1", "")),
        ("pkg==1 --hash=sha256:00", ("pkg==1", "--hash=sha256:00")),
        ("-r x", ("", "-r x")),
        ("pkg ; python_version < '3' -r x", ("pkg ; python_version < '3'", "-r x")),
    ],
)
def test_split_args_options_matches_pip(line: str, expected: tuple[str, str]) -> None:
    assert split_args_options(line) == expected == prp.break_args_options(line)
