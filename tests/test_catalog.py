"""The catalog is data with a source for every era, and its eras never contradict each other."""

from __future__ import annotations

import itertools
import re

import pytest

from heroku_req_check import catalog
from heroku_req_check.catalog import SelectionError, select
from heroku_req_check.detectors import parse_shell

ERAS = [(p, r, e) for p in catalog.load() for r in p.rules for e in r.eras]


@pytest.mark.parametrize(("platform", "rule", "era"), ERAS, ids=lambda x: getattr(x, "id", ""))
def test_every_era_is_sourced_and_inside_the_release_list(platform, rule, era) -> None:  # type: ignore[no-untyped-def]
    assert re.fullmatch(r"[0-9a-f]{40}", era.source.commit), rule.id
    assert era.source.tag and era.source.path and era.source.repo == platform.repo
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
        assert selection.releases == frozenset(selection.platform.releases)
    assert select(["heroku@latest"])[0].releases == {351}
    assert select(["heroku@v42"])[0].releases == {42}
    assert select(["scalingo@v100"])[0].platform.name == "heroku"
    assert select(["scalingo"])[0].releases == {351}  # what Scalingo runs today
    assert select(["dokku"])[0].releases == {351}
    assert select(["cf"])[0].platform.name == "cloudfoundry"
    assert 22 not in select(["heroku@v20-v30"])[0].releases
    for bad in ("heroku@v22", "nope", "heroku@vX"):
        with pytest.raises(SelectionError):
            select([bad])
