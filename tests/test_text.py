"""Output people read: one line per finding, identical findings grouped, the story once per
rule (--verbose, the job summary), annotations of a title and two sentences."""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from pathlib import Path

from heroku_req_check.cli import explain
from heroku_req_check.report import github, summary, text
from heroku_req_check.scan import scan


def tree(root: Path, files: dict[str, str]) -> Path:
    for name, body in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body)
    return root


TWO_NESTED = {
    "requirements.txt": "-r web.txt\n-r worker.txt\n",
    "web.txt": "pycairo==1.27.0\n",
    "worker.txt": "pycairo==1.27.0\n",
}


def test_identical_findings_are_one_line_listing_every_place(tmp_path: Path) -> None:
    report = scan(tree(tmp_path, TWO_NESTED), platforms=["railpack"])
    cairo = [f for f in report.findings if f.rule == "railpack/cairo"]
    assert [(f.file, f.line) for f in cairo] == [("web.txt", 1), ("worker.txt", 1)]
    lines = text.render(report).splitlines()
    [line] = [x for x in lines if "railpack/cairo" in x]
    assert line.startswith("web.txt:1, worker.txt:1: error railpack/cairo pycairo is not in")
    assert lines.count("    fix: add as line 3 of requirements.txt: pycairo==1.27.0") == 1


def test_default_lines_are_short_and_verbose_tells_the_story(tmp_path: Path) -> None:
    report = scan(tree(tmp_path, TWO_NESTED), platforms=["railpack"])
    short = text.render(report)
    long = text.render(report, verbose=True)
    for finding in report.findings:
        assert finding.summary and len(finding.summary) < len(finding.message)
        assert finding.message not in short and finding.message in long
    # each rule's releases and sources once, however many findings it has
    story = explain("railpack/cairo")
    assert story is not None
    assert long.count("railpack/cairo (Railpack") == 1
    assert "source: railwayapp/railpack" in long and "source:" not in short


def test_summary_explains_each_rule_once_after_the_tree(tmp_path: Path) -> None:
    report = scan(tree(tmp_path, TWO_NESTED), platforms=["railpack"])
    markdown = summary.render(report)
    assert markdown.count("<summary><code>railpack/cairo</code>: why</summary>") == 1
    assert (
        markdown.index("Platforms: `railpack`")
        < markdown.index("| Where |")
        < markdown.index("### Requirements tree")
        < markdown.index("### Why")
    )
    for finding in report.findings:
        assert finding.message not in markdown  # the table says it briefly


def test_annotations_are_a_title_and_two_sentences(tmp_path: Path) -> None:
    report = scan(tree(tmp_path, TWO_NESTED), platforms=["railpack", "heroku@v42"])
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        github.emit_annotations(report)
    for line in buffer.getvalue().splitlines():
        _command, _props, message = line.split("::", 2)
        sentences = [s for s in message.split(". ") if s]
        assert 1 <= len(sentences) <= 2, message
        assert message.endswith(("summary says why.", "summary says why"))


def test_stories_of_dotted_releases_cover_only_the_findings_releases(tmp_path: Path) -> None:
    # Cloud Foundry's releases are named v1.6.0 ... v1.9.4: a finding's label such as
    # `cloudfoundry@v1.6.0-v1.6.23` once ended --verbose and the job summary with a crash
    files = {"requirements.txt": "-r requirements/prod.txt\n", "requirements/prod.txt": "x==1\n"}
    report = scan(tree(tmp_path, files), platforms=["cloudfoundry@all"])
    labels = {label for f in report.findings for label in f.platforms}
    assert "cloudfoundry@v1.6.0-v1.6.23" in labels
    long = text.render(report, verbose=True)
    assert "  v1.6.0-v1.6.23 [root-includes]: " in long
    assert "v1.9.4" not in long.split("The selected releases and what they run:")[1]
    assert "### Why" in summary.render(report)
