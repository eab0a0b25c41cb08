"""Repository text never reaches a terminal or a workflow log as control sequences."""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from pathlib import Path

from heroku_req_check.report import github, summary, text
from heroku_req_check.report.visible import visible
from heroku_req_check.scan import scan

HOSTILE = "./\x1b[31mRED\x1b[0m\n-r \x1b]0;pwned\x07x.txt\npylibmc==1.6.3  # \u202eevil\n"


def test_visible_escapes_controls_and_bidi_only() -> None:
    assert visible("a\x1b[31mb\x07\tc\u202ed") == "a\\x1b[31mb\\x07\tc\\u202ed"
    assert visible("Django==4.2 # café") == "Django==4.2 # café"


def test_reporters_print_no_control_characters(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text(HOSTILE)
    report = scan(tmp_path, platforms=["heroku@all", "railpack"])
    assert report.findings or report.problems
    outputs = [text.render(report), text.render(report, verbose=True), summary.render(report)]
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        github.emit_annotations(report)
    outputs.append(buffer.getvalue())
    for out in outputs:
        assert not any(c in out for c in "\x1b\x07\u202e"), out
    assert "\\x1b]0;pwned\\x07" in outputs[0] or "\\x1b]0;pwned\\x07" in outputs[1]
    # colour is still ours to add
    assert "\x1b[31m" in text.render(report, colour=True)
