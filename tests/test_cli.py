"""The seed story end to end through the CLI, plus the exit-code and JSON contracts."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from conftest import TREES
from heroku_req_check import __version__
from heroku_req_check.cli import main


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse usage errors and --version
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def findings(path: Path, *extra: str) -> list[dict[str, object]]:
    _code, out, _err = run("--format", "json", "--fail-on", "never", *extra, str(path))
    result: list[dict[str, object]] = json.loads(out)["findings"]
    return result


def test_seed_story_points_at_the_nested_line_with_the_fix() -> None:
    code, out, _ = run("--format", "json", "--platform", "heroku@v42", str(TREES / "seed"))
    assert code == 1
    doc = json.loads(out)
    assert doc["version"] == 1 and doc["root"] == "requirements.txt"
    assert doc["files"] == ["requirements.txt", "requirements/production.txt"]
    [finding] = doc["findings"]
    assert finding["rule"] == "heroku/pylibmc" and finding["severity"] == "error"
    assert (finding["file"], finding["line"]) == ("requirements/production.txt", 3)
    assert finding["platforms"] == ["heroku@v42"]
    # heroku@v42 greps the root text, comments included, and installs with pip 1.5.6, which
    # rejects a name given twice: the fix is a comment the grep reads and pip ignores
    assert finding["fix"] == {
        "file": "requirements.txt",
        "line": 2,
        "text": "# pylibmc==1.6.3 (installed from requirements/production.txt; named here for "
        "the build's text search)",
        "action": "insert",
    }
    assert "libmemcached" in finding["message"]
    assert doc["problems"] == []


def test_json_keys_are_exactly_the_contract() -> None:
    doc = json.loads(run("--format", "json", "--platform", "all", str(TREES / "broken-lines"))[1])
    assert set(doc) == {"version", "root", "files", "findings", "problems", "plans", "selection"}
    assert doc["version"] == 1
    assert set(doc["selection"]) == {"how", "source", "platforms", "detected", "ignored"}
    for target in doc["selection"]["platforms"] + doc["selection"]["detected"]:
        assert set(target) == {
            "label",
            "platform",
            "release",
            "via",
            "modelled",
            "note",
            "evidence",
        }
        for evidence in target["evidence"]:
            assert set(evidence) == {"file", "line", "marker", "source"}
    assert doc["findings"]
    for f in doc["findings"]:
        assert set(f) == {
            "rule",
            "package",
            "severity",
            "file",
            "line",
            "platforms",
            "message",
            "fix",
            "summary",
        }
        assert f["fix"] is None or set(f["fix"]) - {"remove"} == {"file", "line", "text", "action"}
    for p in doc["problems"]:
        assert set(p) == {"file", "line", "message"}


def test_github_format_annotates_the_nested_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.setenv("GITHUB_WORKSPACE", str(TREES / "seed"))  # the tree is the repository
    code, out, _ = run("--format", "github", "--platform", "heroku@v30", str(TREES / "seed"))
    assert code == 1
    [line] = out.splitlines()
    assert line.startswith("::error file=requirements/production.txt,line=3,title=pylibmc%3A ")
    message = line.split("::", 2)[2]
    # a title and two sentences: what is missed, then the fix; the story is in the summary
    assert message == (
        "pylibmc is not in requirements.txt: heroku@v30 misses it, so libmemcached is not "
        "vendored. Fix: add `pylibmc==1.6.3` to requirements.txt and delete line 3 of "
        "requirements/production.txt; the job summary says why."
    )


def test_platform_selection_changes_the_verdict() -> None:
    # v43-v103 read the tree with pip: a nested pylibmc is seen there
    assert findings(TREES / "seed", "--platform", "heroku@v60") == []
    # today's release detects nothing from the file; only its root-keyed cache is noted
    # (lib/cache.sh cmp of requirements.txt), at the root's -r line
    assert [f["rule"] for f in findings(TREES / "seed", "--platform", "heroku@latest")] == [
        "heroku/cache-key"
    ]
    assert [f["rule"] for f in findings(TREES / "seed", "--platform", "heroku@v12")] == []
    assert [f["rule"] for f in findings(TREES / "long-flag", "--platform", "heroku@v12")] == [
        "heroku/mercurial",
        "heroku/pylibmc",
    ]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--platform", "heroku@v42"], 1),
        (["--platform", "heroku@v42", "--fail-on", "never"], 0),
        (["--platform", "heroku@v60"], 0),
        (["--platform", "heroku@v104", "--fail-on", "notice"], 1),
        (["--platform", "heroku@v104"], 1),  # a broken release fails the push: an error
        (["--platform", "nowhere"], 2),
        (["--platform", "heroku@v22"], 2),
        (["--platform", "heroku@vx"], 2),
        (["--fail-on", "sometimes"], 2),
    ],
)
def test_exit_codes(args: list[str], expected: int) -> None:
    assert run(*args, str(TREES / "seed"))[0] == expected


def test_usage_error_for_missing_directory(tmp_path: Path) -> None:
    code, _out, err = run(str(tmp_path / "nope"))
    assert code == 2 and "not a directory" in err


def test_version_and_rules() -> None:
    code, out, _ = run("--version")
    assert code == 0 and __version__ in out
    code, out, _ = run("--list-rules")
    assert code == 0
    assert 'grep -Eiq "^\\s*pylibmc" requirements.txt' in out
    assert "heroku/heroku-buildpack-python@archive/v18:bin/steps/pylibmc" in out


def test_fix_then_check_passes(copy_tree) -> None:  # type: ignore[no-untyped-def]
    # the releases that grep the root file run pip 1.0.2-1.5.6, which rejects a name given
    # twice ("Double requirement given"): the fix moves the line instead of copying it
    releases = "heroku@v3-v42"
    repo = copy_tree("seed")
    nested_before = (repo / "requirements/production.txt").read_bytes()
    code, out, err = run("--fix", "--platform", releases, str(repo))
    # it reports what is left after the edit (nothing), and says on stderr what it edited
    assert code == 0, out
    assert " error " not in out and "0 error(s)" in out
    assert "fixed requirements.txt" in err
    assert (
        repo / "requirements.txt"
    ).read_bytes() == b"-r requirements/production.txt\npylibmc==1.6.3\n"
    nested_after = (repo / "requirements/production.txt").read_bytes()
    assert nested_after.splitlines() == [
        line for line in nested_before.splitlines() if not line.startswith(b"pylibmc")
    ]
    assert run("--platform", releases, str(repo))[0] == 0
    assert run("--fix", "--platform", releases, str(repo))[0] == 0
    assert (
        repo / "requirements.txt"
    ).read_bytes() == b"-r requirements/production.txt\npylibmc==1.6.3\n"


def test_fix_strategy_move_removes_the_nested_line(copy_tree) -> None:  # type: ignore[no-untyped-def]
    repo = copy_tree("broken-lines")
    run("--fix", "--fix-strategy", "move", "--platform", "heroku@v30", str(repo))
    root = (repo / "requirements.txt").read_text()
    assert root.endswith("-r ${REQS_DIR}/x.txt\npylibmc==1.6.3 --hash=sha256:0123456789abcdef\n")
    # the continuation line went with its requirement; the GDAL line stayed
    assert (repo / "nested.txt").read_text() == "GDAL==3.9.2 ; sys_platform == 'linux'\n"


def test_fix_keeps_crlf_bom_and_missing_final_newline(copy_tree) -> None:  # type: ignore[no-untyped-def]
    repo = copy_tree("crlf-bom")
    run("--fix", "--platform", "heroku@v30", str(repo))
    assert (repo / "requirements.txt").read_bytes() == (
        b"\xef\xbb\xbf-r nested.txt\r\nflask==3.0.3\r\npylibmc==1.6.3"
    )


def test_case_trap_fix_respells_only_the_name(copy_tree) -> None:  # type: ignore[no-untyped-def]
    repo = copy_tree("case-trap")
    [finding] = findings(repo, "--platform", "heroku@v100")
    assert finding["rule"] == "heroku/pylibmc:case"
    assert finding["fix"] == {
        "file": "requirements.txt",
        "line": 2,
        "text": "pylibmc==1.6.3",
        "action": "replace",
    }
    run("--fix", "--platform", "heroku@v100", str(repo))
    assert (repo / "requirements.txt").read_text() == "# cache\npylibmc==1.6.3\nrequests==2.32.3\n"
    assert findings(repo, "--platform", "heroku@v100") == []


def test_utf16_root_is_invisible_to_grep_and_no_line_is_offered() -> None:
    [finding, _broken] = findings(TREES / "utf16-root", "--platform", "heroku@all")
    assert finding["fix"] is None
    assert "Save requirements.txt as UTF-8" in str(finding["message"])


def test_constraints_install_nothing() -> None:
    # cffi is only in a -c file: no libffi finding anywhere
    assert all(f["package"] != "cffi" for f in findings(TREES / "include-spellings"))


def test_bad_lines_do_not_hide_findings() -> None:
    doc = json.loads(
        run("--format", "json", "--platform", "heroku@v30", str(TREES / "broken-lines"))[1]
    )
    assert [(p["file"], p["line"]) for p in doc["problems"]] == [
        ("requirements.txt", 1),
        ("requirements.txt", 3),
        ("requirements.txt", 4),
        ("requirements.txt", 5),
    ]
    assert [(f["file"], f["line"]) for f in doc["findings"]] == [("nested.txt", 1)]


def test_pip_grep_fails_on_a_broken_tree() -> None:
    # v60 reads the tree with pip; a missing -r file makes pip-grep crash, so nothing is seen
    rules = {f["rule"] for f in findings(TREES / "broken-lines", "--platform", "heroku@v60")}
    assert rules == {"heroku/pylibmc", "heroku/gdal"}


def _run_on_tty(*args: str, no_color: str | None) -> bytes:
    """Run the CLI with stdout on a real pseudo-terminal; return what it wrote."""
    import os
    import pty
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    if no_color is not None:
        env["NO_COLOR"] = no_color
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "heroku_req_check.cli", *args], stdout=follower, env=env
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO once the child has closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait()
    os.close(leader)
    return b"".join(chunks)


def test_colour_only_on_a_terminal_and_never_with_no_color() -> None:
    from conftest import TREES

    seed = str(TREES / "seed")
    assert b"\x1b[31merror\x1b[0m" in _run_on_tty("-p", "all", seed, no_color=None)
    assert b"\x1b[" not in _run_on_tty("-p", "all", seed, no_color="1")
    assert b"\x1b[31m" in _run_on_tty("-p", "all", seed, no_color="")  # empty NO_COLOR: colour
    piped = subprocess.run(
        [sys.executable, "-m", "heroku_req_check.cli", "-p", "all", seed],
        capture_output=True,
        check=False,
    )
    assert b"error" in piped.stdout and b"\x1b[" not in piped.stdout


def test_scripts_example_shows_the_seed_story() -> None:
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.run([str(root / "scripts/example")], capture_output=True, text=True)
    assert "platforms: heroku@v3-v42 (--platform)" in proc.stdout
    assert "requirements/production.txt:3: error heroku/pylibmc pylibmc is not in" in proc.stdout
    assert "(exit status 1:" in proc.stdout


@pytest.mark.parametrize("fmt", ["github", "sarif"])
@pytest.mark.parametrize("marker", ["git-dir", "git-file", "workspace"])
def test_paths_are_relative_to_the_repository_top(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, marker: str
) -> None:
    """Issue 12 fault 13: GitHub and code scanning name files from the repository's top (the
    git top level, or GITHUB_WORKSPACE), not from the scanned subdirectory."""
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    repo = tmp_path / "repo"
    (repo / "app").mkdir(parents=True)
    if marker == "git-dir":
        (repo / ".git").mkdir()
    elif marker == "git-file":  # a worktree or submodule checkout
        (repo / ".git").write_text("gitdir: /elsewhere\n")
    else:
        monkeypatch.setenv("GITHUB_WORKSPACE", str(repo))
    (repo / "app/requirements.txt").write_text("-r base.txt\n")
    (repo / "app/base.txt").write_text("pylibmc==1.6.3\n")
    monkeypatch.chdir(repo)
    code, out, _ = run("--format", fmt, "--platform", "heroku@v42", "app")
    assert code == 1
    if fmt == "github":
        assert "::error file=app/base.txt,line=1," in out
        assert "file=base.txt" not in out
    else:
        uris = {
            loc["physicalLocation"]["artifactLocation"]["uri"]
            for result in json.loads(out)["runs"][0]["results"]
            for loc in result["locations"]
        }
        assert uris == {"app/base.txt"}


def test_paths_outside_any_repository_stay_relative_to_the_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    app = tmp_path / "app"
    app.mkdir()
    (app / "requirements.txt").write_text("-r base.txt\n")
    (app / "base.txt").write_text("pylibmc==1.6.3\n")
    code, out, _ = run("--format", "github", "--platform", "heroku@v42", str(app))
    assert code == 1 and "::error file=base.txt,line=1," in out


def test_a_requirements_file_named_on_purpose_must_exist(copy_tree) -> None:  # type: ignore[no-untyped-def]
    repo = copy_tree("seed")
    code, out, err = run("--requirements", "nothere.txt", str(repo))
    assert code == 2 and out == ""
    assert "--requirements nothere.txt: no such file" in err
    assert run("--requirements", "requirements.txt", str(repo))[0] in (0, 1)  # checked


def test_json_selection_names_release_and_deployment_platform(copy_tree) -> None:  # type: ignore[no-untyped-def]
    repo = copy_tree("seed")

    def chosen(*platforms: str) -> list[tuple[object, ...]]:
        args = [a for p in platforms for a in ("--platform", p)]
        _code, out, _err = run("--format", "json", "--fail-on", "never", *args, str(repo))
        return [
            (t["label"], t["platform"], t["release"], t["via"])
            for t in json.loads(out)["selection"]["platforms"]
        ]

    assert chosen("heroku@v42") == [("heroku@v42", "heroku", "v42", None)]
    assert chosen("heroku") == [("heroku@latest", "heroku", None, None)]
    assert chosen("digitalocean") == [
        ("digitalocean (heroku@v322)", "heroku", "v322", "digitalocean")
    ]


def test_explain_knows_the_configurations_in_house_rules(tmp_path: Path) -> None:
    (tmp_path / ".heroku-req-check.toml").write_text(
        '[extra-rules]\npyvips = "our buildpack installs libvips only when it is named"\n'
    )
    code, out, _err = run(str(tmp_path), "--explain", "in-house/pyvips")
    assert code == 0
    assert out.startswith("in-house/pyvips (in-house rules from .heroku-req-check.toml")
    assert "our buildpack installs libvips only when it is named" in out
    assert run(str(tmp_path), "--explain", "in-house/nothing")[0] == 2
