"""The catalog is data with a source for every era, and its eras never contradict each other."""

from __future__ import annotations

import itertools
import re

import pytest

from heroku_req_check import catalog
from heroku_req_check.catalog import SelectionError, format_ranges, select
from heroku_req_check.detectors import parse_shell

ERAS = [(p, r, e) for p in catalog.load() for r in p.rules for e in r.eras]


@pytest.mark.parametrize(("platform", "rule", "era"), ERAS, ids=lambda x: getattr(x, "id", ""))
def test_every_era_is_sourced_and_inside_the_release_list(platform, rule, era) -> None:  # type: ignore[no-untyped-def]
    assert re.fullmatch(r"[0-9a-f]{40}", era.source.commit), rule.id
    assert era.source.tag and era.source.path
    # the platform's repository, or another named in the era (docker cites pip's source)
    assert re.fullmatch(r"[\w.-]+/[\w.-]+", era.source.repo), rule.id
    assert era.first in platform.releases and era.last in platform.releases
    assert era.first <= era.last
    assert era.command
    if era.detector == "shell":
        assert parse_shell(era.command)
    if era.detector == "pip-grep":
        assert era.names


@pytest.mark.parametrize("rule", [r for p in catalog.load() for r in p.rules], ids=lambda r: r.id)
def test_eras_of_a_rule_do_not_overlap(rule: catalog.Rule) -> None:
    spans = sorted((e.first, e.last) for e in rule.eras)
    for (_, last), (first, _) in itertools.pairwise(spans):
        assert last < first, rule.id
    # a rule is about packages, or about something it states in one line
    assert rule.packages or rule.vcs or rule.summary
    assert rule.severity in ("error", "warning", "notice")


def test_selection() -> None:
    everything = select([])
    assert {s.platform.name for s in everything} == {p.name for p in catalog.load()}
    for selection in everything:
        # every release, or the current one where the history is modelled for pinning only
        wanted = selection.platform.releases
        if selection.platform.default == "latest":
            wanted = (selection.platform.latest,)
        assert selection.releases == frozenset(wanted)
    assert select(["heroku@latest"])[0].releases == {351}
    assert select(["heroku@v42"])[0].releases == {42}
    # aliases run one Heroku classic release under their own name, and say which
    scalingo = select(["scalingo@v100"])[0]
    assert (scalingo.platform.name, scalingo.platform.alias_of) == ("scalingo", "heroku")
    assert scalingo.platform.rules == select(["heroku"])[0].platform.rules
    # Scalingo merges upstream v347 (Scalingo/python-buildpack 66b788ad); herokuish bundles
    # v344 (buildpacks/buildpack-python/buildpack-version); DigitalOcean's docs say 322;
    # Koyeb's heroku/22 builder shims the current classic buildpack
    expected = {"scalingo": 347, "dokku": 344, "digitalocean": 322, "koyeb": 351}
    for alias, release in expected.items():
        chosen = select([alias])[0]
        assert chosen.releases == {release}, alias
        assert format_ranges(chosen.platform, chosen.releases) == [f"{alias} (heroku@v{release})"]
    assert select(["cf"])[0].platform.name == "cloudfoundry"
    assert 22 not in select(["heroku@v20-v30"])[0].releases
    # an empty version, a half range, a version of a one-release platform, `all@...`: said,
    # never read as something else
    for bad in (
        "heroku@v22",
        "nope",
        "heroku@vX",
        "heroku@",
        "heroku@v3-",
        "heroku@-v3",
        "docker@v1",
        "all@v1",
        "cloudfoundry@v1.6.0-",
    ):
        with pytest.raises(SelectionError):
            select([bad])


def test_no_two_rules_model_the_same_step_for_the_same_packages() -> None:
    """Two rules that watch the same packages with the same detection line over overlapping
    releases would give two verdicts for one step: a contradiction or a duplicate."""
    ids = [r.id for p in catalog.load() for r in p.rules]
    assert len(ids) == len(set(ids))
    seen: dict[tuple[str, frozenset[str] | str, str], list[tuple[int, int, str]]] = {}
    for platform in catalog.load():
        for rule in platform.rules:
            for era in rule.eras:
                # a rule about something other than a package (a cache that keeps removed
                # packages, a cache keyed on the root file) asks its own question of the step
                about = frozenset(rule.packages or rule.vcs) or rule.id
                key = (platform.name, about, era.command)
                for first, last, other in seen.get(key, []):
                    assert last < era.first or era.last < first, (rule.id, other, era.command)
                seen.setdefault(key, []).append((era.first, era.last, rule.id))


def test_conditions_only_where_the_detector_honours_them() -> None:
    for _platform, rule, era in ERAS:
        if era.detected_by_code or era.overmatch:
            assert era.detector in ("substring", "substring-anywhere"), rule.id
        if era.with_packages or era.requires_code:
            # Zeabur's and Fly.io's detectors apply these themselves (platforms/zeabur.py,
            # platforms/flyio.py)
            assert era.detector in (
                "substring",
                "substring-anywhere",
                "zbpack-contains",
                "flyctl-contains",
            ), rule.id
        if era.decided_first:
            assert era.detector in ("zbpack-contains", "flyctl-contains"), rule.id
        if era.overmatch:
            assert era.pattern and rule.packages, rule.id


# Each release's own pip pin (bin/steps/python PIP_VERSION up to v233, then requirements/pip.txt):
# a fix is checked against the pip the release installs, so one range for v202-v351 was wrong.
@pytest.mark.parametrize(
    ("release", "pip"),
    [
        (209, "21.3.1"),
        (210, "22.0.4"),
        (233, "23.1.2"),
        (234, "23.2.1"),
        (267, "24.0"),
        (268, "24.3.1"),
        (327, "25.2"),
        (328, "25.3"),
        (345, "26.1.2"),
        (351, "26.2.1"),
    ],
)
def test_heroku_pip_per_release(release: int, pip: str) -> None:
    heroku = catalog.find("heroku")
    assert heroku is not None
    assert heroku.pip_for(release) == pip
    # the ranges cover every release from v202 on, without a gap
    spans = sorted((first, last) for first, last, _, _ in heroku.pips if last >= 202)
    assert spans[-1][1] == max(heroku.releases)
    for (_, last), (first, _) in itertools.pairwise(spans):
        assert first == last + 1
