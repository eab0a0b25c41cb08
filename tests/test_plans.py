"""Build plans (plans.py): which provider builds the app and who sets the start command, as the
builders decide it, and the rules each plan makes moot. Every row cites the source line it follows.

NIX = railwayapp/nixpacks v1.39.0 (205b33b5); RAILPACK = railwayapp/railpack v0.37.0 (ee7025be).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from heroku_req_check import catalog
from heroku_req_check.plans import plan_for, procfile_process
from heroku_req_check.tree import make_reader, walk

PLAN_CASES = [
    # (id, files, platform, builds_python, provider, start, source)
    (
        "nix-node-before-python",
        {"package.json": "{}", "requirements.txt": ""},
        "nixpacks",
        False,
        "node",
        "generated",
        "NIX lib.rs:53-79 Node precedes Python; generator.rs:116",
    ),
    (
        "railpack-python-before-node",
        {"package.json": "{}", "requirements.txt": ""},
        "railpack",
        True,
        "python",
        "generated",
        "RAILPACK provider.go:33-51 Python precedes Node",
    ),
    (
        "nix-index-php",
        {"index.php": "", "requirements.txt": ""},
        "nixpacks",
        False,
        "php",
        "generated",
        "NIX php/mod.rs:41-43 composer.json or index.php",
    ),
    (
        "railpack-gemfile",
        {"Gemfile": "", "requirements.txt": ""},
        "railpack",
        False,
        "ruby",
        "generated",
        "RAILPACK ruby/ruby.go:31-34",
    ),
    (
        "railpack-go-work",
        {"go.work": "", "main.py": ""},
        "railpack",
        False,
        "golang",
        "generated",
        "RAILPACK golang/golang.go:25-27 go.mod, go.work or main.go",
    ),
    (
        "nix-csproj-anywhere",
        {"src/App/App.csproj": "", "requirements.txt": ""},
        "nixpacks",
        False,
        "csharp",
        "generated",
        "NIX csharp.rs:33-35 find_files('*.csproj') walks the tree",
    ),
    (
        "nix-gleam-needs-both",
        {"gleam.toml": "", "requirements.txt": ""},
        "nixpacks",
        True,
        "python",
        "generated",
        "NIX gleam/mod.rs:45-47 gleam.toml && manifest.toml",
    ),
    (
        "nix-haskell-both",
        {"package.yaml": "", "src/Main.hs": "", "main.py": ""},
        "nixpacks",
        False,
        "haskell",
        "generated",
        "NIX haskell.rs:26-28 package.yaml and a .hs file",
    ),
    (
        "nix-setup-py-alone",
        {"setup.py": ""},
        "nixpacks",
        False,
        "",
        "generated",
        "NIX python.rs:113-119: no Python marker file",
    ),
    (
        "railpack-app-py",
        {"app.py": ""},
        "railpack",
        True,
        "python",
        "generated",
        "RAILPACK python.go:61-68, 173-180 getMainPythonFile",
    ),
    (
        "nix-procfile-web",
        {"requirements.txt": "", "Procfile": "web: gunicorn app.wsgi\n"},
        "nixpacks",
        True,
        "python",
        "procfile",
        "NIX procfile.rs:53-54 web",
    ),
    (
        "nix-procfile-release-only",
        {"requirements.txt": "", "Procfile": "release: ./migrate\n"},
        "nixpacks",
        True,
        "python",
        "generated",
        "NIX procfile.rs:49 drops release",
    ),
    (
        "railpack-procfile-release-only",
        {"requirements.txt": "", "Procfile": "release: x\n"},
        "railpack",
        True,
        "python",
        "procfile",
        "RAILPACK procfile.go:31-38 any entry, release too",
    ),
    (
        "nix-procfile-worker",
        {"requirements.txt": "", "Procfile": "worker: python bot.py\n"},
        "nixpacks",
        True,
        "python",
        "procfile",
        "NIX procfile.rs:55-56 worker",
    ),
    (
        "nix-procfile-not-yaml",
        {"requirements.txt": "", "Procfile": "web: echo a: b\n"},
        "nixpacks",
        True,
        "python",
        "generated",
        "NIX procfile.rs:47-48 not YAML",
    ),
    (
        "nix-toml-start",
        {"requirements.txt": "", "nixpacks.toml": '[start]\ncmd = "x"\n'},
        "nixpacks",
        True,
        "python",
        "config",
        "NIX generator.rs:99-106 file plan merges last",
    ),
    (
        "railpack-json-start",
        {"requirements.txt": "", "railpack.json": '{"deploy": {"startCommand": "x"}}'},
        "railpack",
        True,
        "python",
        "config",
        "RAILPACK context.go:224-226",
    ),
    (
        "railway-toml-start",
        {"requirements.txt": "", "railway.toml": '[deploy]\nstartCommand = "x"\n'},
        "railpack",
        True,
        "python",
        "config",
        "docs.railway.com config-as-code: Start command",
    ),
    (
        "railway-json-bad",
        {"requirements.txt": "", "railway.json": "{"},
        "railpack",
        True,
        "python",
        "generated",
        "an unreadable config sets nothing here",
    ),
    (
        "nix-providers-config-names-python",
        {
            "package.json": "{}",
            "requirements.txt": "",
            "nixpacks.toml": 'providers = ["...", "python"]\n',
        },
        "nixpacks",
        True,
        "python",
        "generated",
        "NIX generator.rs:125-141: the providers list runs python beside the detected one",
    ),
    (
        "railpack-config-provider-python",
        {"Gemfile": "", "requirements.txt": "", "railpack.json": '{"provider": "python"}'},
        "railpack",
        True,
        "python",
        "generated",
        "RAILPACK core.go:318-330: config.Provider replaces the detected provider",
    ),
    (
        "heroku-has-no-plan",
        {"package.json": "{}", "requirements.txt": ""},
        "heroku",
        True,
        "python",
        "generated",
        "Heroku's classic buildpack is chosen by the user, not detected",
    ),
]


@pytest.mark.parametrize(
    ("files", "platform", "builds", "provider", "start", "source"),
    [c[1:] for c in PLAN_CASES],
    ids=[c[0] for c in PLAN_CASES],
)
def test_plan(
    tmp_path: Path,
    files: dict[str, str],
    platform: str,
    builds: bool,
    provider: str,
    start: str,
    source: str,
) -> None:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    tree = walk(tmp_path)
    [selection] = catalog.select([platform])
    plan = plan_for(selection.platform, tree.repo_dir, make_reader(tmp_path, tree), tree.scan_id)
    assert (plan.builds_python, plan.provider, plan.start) == (builds, provider, start), source
    if not builds or start != "generated":
        assert plan.evidence, "a plan that gates rules says why"


def test_plan_never_follows_a_symlink_or_blocks_on_a_fifo(tmp_path: Path) -> None:
    repo, outside = tmp_path / "repo", tmp_path / "outside"
    repo.mkdir()
    outside.mkdir()
    (outside / "package.json").write_text("{}")
    (outside / "x.csproj").write_text("")
    (repo / "requirements.txt").write_text("")
    (repo / "package.json").symlink_to(outside / "package.json")
    (repo / "linked").symlink_to(outside, target_is_directory=True)
    os.mkfifo(repo / "Procfile")
    tree = walk(repo)
    read = make_reader(repo, tree)
    [nix] = catalog.select(["nixpacks"])
    plan = plan_for(nix.platform, tree.repo_dir, read, tree.scan_id)
    assert (plan.builds_python, plan.start) == (True, "generated")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("web: gunicorn app:app --log-file -\n", ("web", "gunicorn app:app --log-file -")),
        ("worker: celery\nweb: gunicorn x\n", ("web", "gunicorn x")),
        ("release: migrate\nclock: python clock.py\n", ("clock", "python clock.py")),
        ("web:\n", None),  # an empty command is no command
        ("- web\n", None),  # not a mapping
        ("\xff", None),
    ],
)
def test_procfile_process(text: str, expected: tuple[str, str] | None) -> None:
    data = text.encode("latin-1")
    assert procfile_process(data, ("web", "worker", "*"), ("release",)) == expected
