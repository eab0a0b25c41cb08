"""Cloud Foundry's releases where reading requirements changed, selected by dotted tag names.

CF = cloudfoundry/python-buildpack at the tag each row names.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from heroku_req_check import catalog
from heroku_req_check.catalog import SelectionError, format_ranges, select
from heroku_req_check.scan import scan

NESTED = {"requirements.txt": "-r base.txt\n", "base.txt": "Django==4.2\npylibmc==1.6\n"}
ROOT = {"requirements.txt": "Django==4.2\npylibmc==1.6\n"}
CASES = [
    # (release, files, expected (rule, file, line), source)
    (
        "v1.6.15",
        NESTED,
        [("cloudfoundry/include-not-copied", "requirements.txt", 1)],
        "v1.6.0 supply.go:159-166 copies requirements.txt into DepDir, :465 `pip install -r` it, "
        ":357 pip-grep runs in DepDir (and misses pylibmc), but pip cannot open base.txt while "
        "parsing, before it builds pylibmc: the pylibmc finding is moot (shadow.py)",
    ),
    (
        "v1.6.15",
        ROOT,
        [],
        "v1.6.0 supply.go:357 pip-grep finds pylibmc in the copy; finalize.go:70 finds Django",
    ),
    (
        "v1.6.24",
        NESTED,
        [],
        "v1.6.24 supply.go:446, finalize.go:70: pip-grep on the app's file follows -r (8ee2d68e)",
    ),
    (
        "v1.7.50",
        {"requirements.txt": "--requirement base.txt\n", "base.txt": "Django==4.2\n"},
        [("cloudfoundry/collectstatic", "base.txt", 1)],
        "v1.7.50 finalize.go:78 FindAnyPackage follows only lines starting '-r ' (eff70bcd)",
    ),
    (
        "v1.7.49",
        {"requirements.txt": "--requirement base.txt\n", "base.txt": "Django==4.2\n"},
        [],
        "v1.7.49 finalize.go:70 pip-grep parses with pip, which reads --requirement",
    ),
    (
        "v1.9.4",
        {"requirements.txt": "DJANGO==4.2\n"},
        [("cloudfoundry/collectstatic", "requirements.txt", 1)],
        "v1.9.4 finalize.go:78 FindAnyPackage(..., 'django', 'Django') compares case-sensitively",
    ),
]


@pytest.mark.parametrize(("release", "files", "expected", "source"), CASES)
def test_cloudfoundry_releases(
    release: str,
    files: dict[str, str],
    expected: list[tuple[str, str, int]],
    source: str,
    tmp_path: Path,
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "manage.py").write_text("")
    report = scan(tmp_path, platforms=[f"cloudfoundry@{release}"])
    got = sorted((f.rule.partition(":")[0], f.file, f.line) for f in report.findings)
    assert got == sorted(expected), source
    for finding in report.findings:
        assert finding.platforms == (f"cloudfoundry@{release}",)


def test_dotted_release_names() -> None:
    cf = next(p for p in catalog.load() if p.name == "cloudfoundry")
    assert cf.release_names[0] == "v1.6.0" and cf.release_names[-1] == "v1.9.4"
    assert "v1.8.39" not in cf.release_names  # never tagged
    assert select(["cloudfoundry"])[0].releases == {cf.latest}  # current by default
    # with no evidence, every platform at its current release
    current = {s.platform.name: s.releases for s in catalog.current()}
    assert current["cloudfoundry"] == {cf.latest}
    chosen = select(["cf@v1.6.0-v1.6.23"])[0]
    assert len(chosen.releases) == 24
    assert format_ranges(chosen.platform, chosen.releases) == ["cloudfoundry@v1.6.0-v1.6.23"]
    assert format_ranges(
        cf, {cf.release_names.index("v1.8.38") + 1, cf.release_names.index("v1.8.40") + 1}
    ) == ["cloudfoundry@v1.8.38-v1.8.40"]
    for bad in ("cloudfoundry@v1.8.39", "cloudfoundry@v2", "cloudfoundry@v1.6.x"):
        with pytest.raises(SelectionError):
            select([bad])
    # Heroku's vN forms are untouched
    assert select(["heroku@v42"])[0].releases == {42}


def test_a_stopped_build_reports_only_the_stop() -> None:
    """CF v1.6.0 supply.go:388-404 pip-greps the deps-directory copy (misses cffi), then RunPip
    :464-472 fails on the include while parsing, before any package is built: the libffi
    finding describes a failure that cannot happen on v1.6.0-v1.6.23 (shadow.py). From v1.6.24
    the include is read and libffi is detected, so nothing is left either."""
    tree = Path(__file__).parent / "fixtures" / "trees" / "cf-include-shadows"
    report = scan(tree, platforms=["cloudfoundry@all"])
    [stop] = report.findings
    assert (stop.rule, stop.file, stop.line) == (
        "cloudfoundry/include-not-copied",
        "requirements.txt",
        1,
    )
    assert stop.platforms == ("cloudfoundry@v1.6.0-v1.6.23",)
    assert "cloudfoundry/libffi not reported for these releases" in stop.message
    # another platform's findings on the same tree are untouched
    both = scan(tree, platforms=["cloudfoundry@all", "heroku@v81"])
    assert {f.rule for f in both.findings} == {
        "cloudfoundry/include-not-copied",
        "heroku/libffi:broken",
    }
