"""Configuration files, extra in-house rules, ignores (file and inline) and their errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import TREES
from heroku_req_check.report import summary
from heroku_req_check.scan import scan
from test_golden import run_cli

SEED = TREES / "seed"


def seed_with(tmp_path: Path, name: str, text: str) -> Path:
    repo = tmp_path / "app"
    shutil.copytree(SEED, repo)
    (repo / name).write_text(text)
    return repo


def test_no_configuration_changes_nothing() -> None:
    report = scan(SEED)
    assert report.ignored == [] and "heroku@latest" in report.platforms
    assert report.selection is not None and report.selection.how == "default"


def test_default_platforms_and_cli_override(tmp_path: Path) -> None:
    repo = seed_with(tmp_path, ".heroku-req-check.toml", 'platforms = ["heroku@v42"]\n')
    assert scan(repo).platforms == ("heroku@v42",)
    assert scan(repo, platforms=["heroku@v3"]).platforms == ("heroku@v3",)


def test_pyproject_section_and_precedence(tmp_path: Path) -> None:
    repo = seed_with(
        tmp_path,
        "pyproject.toml",
        '[project]\nname="x"\n[tool.heroku-req-check]\nplatforms=["heroku@v41"]\n',
    )
    assert scan(repo).platforms == ("heroku@v41",)
    (repo / ".heroku-req-check.toml").write_text('platforms = ["heroku@v40"]\n')
    assert scan(repo).platforms == ("heroku@v40",)  # the dedicated file wins


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("platform = ['heroku']\n", "unknown key platform (known: extra-rules, ignore, platforms)"),
        ("[[ignore]]\nrule = 'heroku/pylibmc'\n", "ignore #1: `reason` is required"),
        ("[[ignore]]\nreason = 'x'\n", "ignore #1: `rule` is required"),
        (
            "[[ignore]]\nrule='heroku/pylibmc'\nreason='x'\nfile='a'\n",
            "ignore #1: unknown key file",
        ),
        (
            "[[ignore]]\nrule='heroku/pylibmcc'\nreason='x'\n",
            "ignore names no rule 'heroku/pylibmcc'",
        ),
        ("[extra-rules]\npyvips = ''\n", "extra-rules.pyvips needs a reason"),
        ("platforms = 'heroku'\n", "platforms must be a list of strings"),
        ("platforms = ['a',\n= 3\n", "(at line 2, column 1)"),
    ],
)
def test_bad_configuration_is_a_usage_error(tmp_path: Path, text: str, message: str) -> None:
    repo = seed_with(tmp_path, ".heroku-req-check.toml", text)
    code, out = run_cli(str(repo))
    assert code == 2 and out == ""
    from contextlib import redirect_stderr
    from io import StringIO

    err = StringIO()
    with redirect_stderr(err):
        run_cli(str(repo))
    assert ".heroku-req-check.toml" in err.getvalue() and message in err.getvalue()


def test_extra_rule_models_an_in_house_buildpack(tmp_path: Path) -> None:
    repo = seed_with(
        tmp_path,
        ".heroku-req-check.toml",
        'platforms = ["heroku@latest"]\n[extra-rules]\nPsycopg2 = "libpq is vendored"\n',
    )
    report = scan(repo)
    # heroku@latest adds only the notice about its root-keyed cache (heroku/cache-key)
    [finding] = [f for f in report.findings if f.rule != "heroku/cache-key"]
    assert finding.rule == "in-house/psycopg2"
    assert (finding.file, finding.line) == ("requirements/production.txt", 4)
    assert finding.platforms == ("in-house",)
    assert 'in-house `grep -Fiq "psycopg2" requirements.txt` reads only the root' in finding.message
    assert finding.fix is not None and finding.fix.text == "psycopg2==2.9.10"
    (repo / "requirements.txt").write_text("-r requirements/production.txt\nPSYCOPG2\n")
    assert [f.rule for f in scan(repo).findings] == ["heroku/cache-key"]


def test_ignores_by_rule_path_and_package(tmp_path: Path) -> None:
    repo = seed_with(
        tmp_path,
        ".heroku-req-check.toml",
        'platforms = ["heroku@v3-v166"]\n'
        "[[ignore]]\nrule = 'heroku/pylibmc'\npath = 'requirements/prod*.txt'\n"
        "reason = 'we deploy on heroku-22 only'\n"
        "[[ignore]]\nrule = 'heroku/collectstatic'\npackage = 'DJANGO'\n"
        "reason = 'no static files'\n",
    )
    (repo / "manage.py").write_text("")  # collectstatic runs only where manage.py is
    report = scan(repo)
    assert report.findings == []
    assert sorted(f.rule for f, _ in report.ignored) == [
        "heroku/collectstatic:broken",
        "heroku/pylibmc",
        "heroku/pylibmc:broken",
    ]
    reasons = {reason for _, reason in report.ignored}
    assert ".heroku-req-check.toml: we deploy on heroku-22 only" in reasons
    text = summary.render(report)
    assert "### Ignored" in text and "no static files" in text
    code, out = run_cli("--platform", "heroku@v3-v184", str(repo))
    assert code == 0 and "; 3 ignored" in out


def test_inline_ignore_on_the_declaration_line(tmp_path: Path) -> None:
    repo = tmp_path / "app"
    shutil.copytree(SEED, repo)
    nested = repo / "requirements/production.txt"
    nested.write_text(
        nested.read_text().replace(
            "pylibmc==1.6.3", "pylibmc==1.6.3  # heroku-req-check: ignore[heroku/pylibmc]"
        )
    )
    report = scan(repo, platforms=["heroku@v42"])
    assert report.findings == []
    [(_finding, reason)] = report.ignored
    assert reason == "inline ignore on requirements/production.txt line 3"
    (repo / "manage.py").write_text("")  # so that collectstatic concerns this app
    other = scan(repo, platforms=["heroku@v81"])  # another rule id is not ignored
    assert [f.rule for f in other.findings] == ["heroku/collectstatic:broken"]
