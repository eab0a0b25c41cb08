"""Planning fixes for a monorepo: every nested declaration of one package is planned against
the distinct (platform, releases, eras) that miss it, never against every other declaration
(which made 2,000 nested psycopg2-binary lines cost seconds, quadratically)."""

from __future__ import annotations

from pathlib import Path

import pytest

from heroku_req_check import check
from heroku_req_check.scan import scan


def test_each_declaration_plans_against_the_distinct_misses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = 40
    root = ["Django==4.2.16"] + [f"-r services/s{i}.txt" for i in range(services)]
    (tmp_path / "requirements.txt").write_text("\n".join(root) + "\n")
    (tmp_path / "services").mkdir()
    for i in range(services):
        (tmp_path / "services" / f"s{i}.txt").write_text(f"psycopg2-binary\nrequests=={i}.0\n")
    (tmp_path / "manage.py").write_text("")
    planned: list[int] = []
    original = check.insertion_for

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        planned.append(len(args[2]))
        return original(*args, **kwargs)

    monkeypatch.setattr(check, "insertion_for", counting)
    report = scan(tmp_path, platforms=["flyio", "nixpacks"])
    postgres = [f for f in report.findings if f.rule == "flyio/postgres"]
    assert len(postgres) == services  # one finding at each declaration, as before
    assert {f.fix.text for f in postgres if f.fix} == {"psycopg2-binary"}
    assert planned and max(planned) == 1, planned
