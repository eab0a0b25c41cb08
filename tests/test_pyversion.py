"""A requested Python the release does not install stops the build first (pyversion.py), and
the later steps' findings for those releases are moot (shadow.py).

HEROKU = heroku/heroku-buildpack-python v351 lib/python_version.sh:13-14 (minors 3.10-3.14),
:433-475 (end-of-life: exit 1), bin/compile:127 (before cache::restore at :146);
CF = cloudfoundry/python-buildpack supply.go InstallPython (FindMatchingVersion over the
manifest.yml python versions, before RunPip), manifests of v1.6.0-v1.6.23.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from heroku_req_check.pyversion import offered
from heroku_req_check.scan import scan

TREES = Path(__file__).parent / "fixtures" / "trees"
CF_V1_6_23 = ("2.7.14", "2.7.15", "3.4.8", "3.4.9", "3.5.5", "3.5.6", "3.6.6", "3.6.7", "3.7.0")


@pytest.mark.parametrize(
    ("version", "offers", "expected"),
    [
        ("3.6.3", ("3.10", "3.14"), False),  # HEROKU :433 minor < 10
        ("3.12.1", ("3.10", "3.12"), True),
        ("3.15", ("3.10", "3.14"), False),  # HEROKU :478 minor > 14
        ("3.7.10", CF_V1_6_23, False),  # CF: an exact version must be listed
        ("3.7.0", CF_V1_6_23, True),
        ("3.6", CF_V1_6_23, True),  # CF: `python-3.6.x` matches any 3.6 listed
        ("3.8", CF_V1_6_23, False),
    ],
)
def test_offered(version: str, offers: tuple[str, ...], expected: bool) -> None:
    assert offered(version, offers) is expected


def test_an_end_of_life_python_on_heroku() -> None:
    """runtime.txt python-3.6.3: v351 exits before the cache is restored, so the cache-key
    notice (an include the cache ignores) is moot; only the Python is reported."""
    report = scan(TREES / "heroku-eol-python", platforms=["heroku"])
    [finding] = report.findings
    assert (finding.rule, finding.file, finding.line) == ("heroku/python-version", "runtime.txt", 1)
    assert finding.severity == "error" and finding.platforms == ("heroku@v351",)
    assert "heroku/cache-key not reported" in finding.message
    assert finding.fix is None
    # releases without the data (before v300) keep the cache-key notice, and nothing else
    older = scan(TREES / "heroku-eol-python", platforms=["heroku@v299"])
    assert [f.rule for f in older.findings] == ["heroku/cache-key"]


def test_a_python_cloud_foundry_never_listed() -> None:
    """runtime.txt python-3.7.10: no v1.6.0-v1.6.23 manifest lists it, and InstallPython fails
    before RunPip, so include-not-copied (pip cannot open the include) never happens there."""
    report = scan(TREES / "cf-python-not-offered", platforms=["cloudfoundry@all"])
    [finding] = report.findings
    assert finding.rule == "cloudfoundry/python-version"
    assert finding.platforms == ("cloudfoundry@v1.6.0-v1.6.23",)
    assert "cloudfoundry/include-not-copied not reported" in finding.message


def test_an_offered_python_changes_nothing(tmp_path: Path) -> None:
    """python-3.6.6 is in the v1.6.22 manifest: the include is what fails there."""
    (tmp_path / "requirements").mkdir()
    (tmp_path / "requirements.txt").write_text("-r requirements/common.txt\n")
    (tmp_path / "requirements" / "common.txt").write_text("django==2.2.28\n")
    (tmp_path / "runtime.txt").write_text("python-3.6.6\n")
    report = scan(tmp_path, platforms=["cloudfoundry@v1.6.22"])
    assert [f.rule for f in report.findings] == ["cloudfoundry/include-not-copied"]
