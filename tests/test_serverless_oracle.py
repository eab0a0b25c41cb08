"""The serverless-python-requirements model against the plugin's own code.

tests/node/spr_oracle.cjs runs getRequirements and filterRequirementsFile from lib/pip.js of
npm serverless-python-requirements 6.1.2 (installed by scripts/test into node_modules/, never
committed) on the same files: the text it writes must be the model's, byte for byte, and where
the plugin stops reading (ENOENT) must be the model's first misread `-r` line. Then pip, offline,
installs the written file from another directory as the plugin does: it fails on a `-c` or
`--requirement` line exactly where the model reports one, and after `--fix` the plugin inlines
every include and pip installs the result.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import TREES
from heroku_req_check.platforms import serverless
from heroku_req_check.scan import apply_fixes, scan
from heroku_req_check.tree import make_reader, walk

ROOT = Path(__file__).resolve().parents[1]
ORACLE = ROOT / "tests" / "node" / "spr_oracle.cjs"
PIP = [sys.executable, "-m", "pip", "--isolated", "--disable-pip-version-check"]


def plugin(*jobs: tuple[Path, Path]) -> list[dict[str, str]]:
    assert (ROOT / "node_modules" / "serverless-python-requirements").is_dir(), (
        "run scripts/test (npm ci)"
    )
    done = subprocess.run(
        ["node", str(ORACLE)],
        input=json.dumps([[str(a), str(b)] for a, b in jobs]),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    results: list[dict[str, str]] = json.loads(done.stdout)
    return results


def model(app: Path) -> serverless.View:
    tree = walk(app)
    return serverless.view(tree, make_reader(app, tree))


def agree(app: Path, tmp: Path) -> dict[str, str]:
    """The plugin's result on `app`, asserted equal to the model's."""
    [result] = plugin((app / "requirements.txt", tmp / "written.txt"))
    seen = model(app)
    if seen.unread:
        first = seen.unread[0]
        if first.failure == "loop":
            assert result.get("error") == "RangeError", result  # the stack overflows
        else:
            assert result.get("error") == "ENOENT", result
            assert result["path"] == os.path.normpath(app / first.path), (result, first)
    else:
        assert "ok" in result, result
        assert result["ok"] == serverless.written_text(seen.lines)
    return result


def install_from_cache(app: Path, written: str, tmp: Path) -> subprocess.CompletedProcess[str]:
    """pip run as the plugin runs it: on a copy of the written file in another directory (its
    static cache), from the app's directory; offline and resolving nothing (--no-deps)."""
    cache = tmp / "cache" / "0123_x86_64_slspyc"
    cache.mkdir(parents=True, exist_ok=True)
    (cache / "requirements.txt").write_text(written)
    return subprocess.run(
        [
            *PIP,
            *("install", "--dry-run", "--no-index", "--no-deps", "--ignore-installed"),
            *("--find-links", str(tmp / "wheels"), "-r", str(cache / "requirements.txt")),
        ],
        cwd=app,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_fixture_as_the_plugin_reads_it_and_after_the_fixes(tmp_path: Path) -> None:
    from test_zeabur_oracle import wheel

    (tmp_path / "wheels").mkdir()
    wheel(tmp_path / "wheels", "six", "1.16.0")
    app = tmp_path / "app"
    shutil.copytree(TREES / "serverless-includes", app)
    report = scan(app, platforms=["serverless"])
    assert [(f.line, f.package, f.fix is not None) for f in report.findings] == [
        (1, "constraints.txt", False),  # never inlined
        (2, "extra.txt", True),  # copied verbatim: respelled `-r`
        (3, "base.txt", True),  # `-rbase.txt`: the plugin reads a file named so
        (4, "docs.txt", True),  # the comment becomes part of the path
        (6, "requirements/more.txt", False),  # resolved against requirements/ (#863)
        (7, "my-engine", True),  # cut at the second '-e'
    ]
    broken = agree(app, tmp_path)
    assert broken["path"] == str(app / "-rbase.txt")  # the first line it misreads

    apply_fixes(app, report)
    left = scan(app, platforms=["serverless"]).findings
    assert [(f.line, f.package) for f in left] == [
        (1, "constraints.txt"),
        (6, "requirements/more.txt"),
    ]
    # the two lines no edit of their own fixes go: then nothing is left, and pip installs
    lines = (app / "requirements.txt").read_text().splitlines(keepends=True)
    (app / "requirements.txt").write_text("".join(lines[1:5] + lines[6:]))
    assert scan(app, platforms=["serverless"]).findings == []
    written = agree(app, tmp_path)["ok"]
    # the VCS line needs the network: pip is given the rest
    local = "".join(line + "\n" for line in written.splitlines() if "git+" not in line)
    assert local == "six==1.16.0\n" * 4
    done = install_from_cache(app, local, tmp_path)
    assert done.returncode == 0, done.stderr


def test_a_constraint_line_fails_where_the_model_says(tmp_path: Path) -> None:
    (tmp_path / "wheels").mkdir()
    from test_zeabur_oracle import wheel

    wheel(tmp_path / "wheels", "six", "1.16.0")
    app = tmp_path / "app"
    (app / "requirements").mkdir(parents=True)
    (app / "requirements.txt").write_text("-r requirements/base.txt\nsix\n")
    (app / "requirements" / "base.txt").write_text("-c ../constraints.txt\n")
    (app / "constraints.txt").write_text("six==1.16.0\n")
    report = scan(app, platforms=["serverless"])
    assert [(f.file, f.line, f.package) for f in report.findings] == [
        ("requirements/base.txt", 1, "../constraints.txt")
    ]
    written = agree(app, tmp_path)["ok"]
    assert written == "-c ../constraints.txt\nsix\n"
    done = install_from_cache(app, written, tmp_path)
    assert "Could not open requirements file" in done.stderr, done.stderr
    assert "0123_x86_64_slspyc/../constraints.txt" in done.stderr, done.stderr


ROOT_LINES = [
    "-r requirements/base.txt",
    "-rrequirements/base.txt",
    "-r requirements/base.txt  # base",
    "-r\trequirements/base.txt",
    "--requirement requirements/base.txt",
    "--requirement=requirements/base.txt",
    "-c constraints.txt",
    "--constraint constraints.txt",
    "-r requirements/nested/sub.txt",
    "six==1.16.0",
    "  gunicorn==23.0.0  ",
    "zeta==1.0 \\",
    "    --hash=sha256:00",
    "# a comment",
    "",
    "-e git+https://github.com/example/my-engine.git#egg=my-engine",
    "-e ./local",
    "--extra-index-url https://pkgs.example.invalid/simple",
    "Alpha==1.0",
    "älpha==1.0",
]
NESTED_LINES = [
    "six==1.16.0",
    "-c ../constraints.txt",
    "-r ../requirements.in",
    "# nested",
    "-r ../requirements.txt",  # a loop: pip fails too; the plugin overflows its stack
]


@st.composite
def apps(draw: st.DrawFn) -> dict[str, bytes]:
    ending = draw(st.sampled_from(["\n", "\r\n"]))

    def text(lines: list[str]) -> bytes:
        body = ending.join(lines) + (ending if draw(st.booleans()) else "")
        return (b"\xef\xbb\xbf" if draw(st.booleans()) else b"") + body.encode()

    return {
        "requirements.txt": text(
            draw(st.lists(st.sampled_from(ROOT_LINES), min_size=1, max_size=6))
        ),
        "requirements/base.txt": text(
            draw(st.lists(st.sampled_from(NESTED_LINES), min_size=1, max_size=3))
        ),
        "requirements/nested/sub.txt": text(["-r ../base.txt", "flask==3.0.3"]),
        "requirements.in": text(["requests"]),
        "constraints.txt": text(["six==1.16.0"]),
    }


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(files=apps())
def test_the_model_writes_what_the_plugin_writes(tmp_path: Path, files: dict[str, bytes]) -> None:
    app = tmp_path / "app"
    shutil.rmtree(app, ignore_errors=True)
    for name, data in files.items():
        (app / name).parent.mkdir(parents=True, exist_ok=True)
        (app / name).write_bytes(data)
    agree(app, tmp_path)


def test_a_batch_of_plugin_runs_is_one_node_process(tmp_path: Path) -> None:
    """The harness itself: a missing file is the plugin's ENOENT, not a harness failure."""
    [missing] = plugin((tmp_path / "nope.txt", tmp_path / "out.txt"))
    assert missing["error"] == "ENOENT"
    assert missing["path"] == str(tmp_path / "nope.txt")


@pytest.mark.parametrize("name", ["serverless-includes"])
def test_golden_tree_agrees(tmp_path: Path, name: str) -> None:
    agree(TREES / name, tmp_path)
