"""SARIF 2.1.0: valid against the official schema (from npm @microsoft/jest-sarif, installed by
scripts/test), rule metadata as code scanning expects, fingerprints stable across runs and line
moves, and fixes that produce the same bytes as --fix."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conftest import TREES, tree_names
from heroku_req_check.report import sarif
from heroku_req_check.scan import apply_fixes, scan
from test_golden import compare, run_cli

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    assert SCHEMA.exists(), "the SARIF schema comes from `npm ci` (run scripts/test)"
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def sarif_of(tree: Path, *platforms: str) -> dict[str, Any]:
    """The SARIF log of `tree`, every platform and release unless `platforms` says otherwise."""
    chosen = platforms or ("--platform", "all")
    code, out = run_cli("--format", "sarif", "--fail-on", "never", *chosen, str(tree))
    assert code == 0
    result: dict[str, Any] = json.loads(out)
    return result


@pytest.mark.parametrize("tree", tree_names())
def test_every_fixture_tree_gives_valid_sarif(
    tree: str, validator: jsonschema.Draft4Validator
) -> None:
    log = sarif_of(TREES / tree)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        rule = rules[result["ruleIndex"]]
        assert rule["id"] == result["ruleId"]
        assert rule["helpUri"].startswith("https://")
        assert rule["help"]["text"]
        assert result["level"] in ("error", "warning", "note")
        assert result["partialFingerprints"]
        location = result["locations"][0]["physicalLocation"]
        assert not location["artifactLocation"]["uri"].startswith("/")


def test_schema_rejects_a_broken_log(validator: jsonschema.Draft4Validator) -> None:
    """The validation can fail: a result without a message is not SARIF."""
    log = sarif_of(TREES / "seed")
    del log["runs"][0]["results"][0]["message"]
    assert list(validator.iter_errors(log))


def test_sarif_golden() -> None:
    _code, out = run_cli("--format", "sarif", "--platform", "heroku@all", str(TREES / "seed"))
    compare("seed.sarif", out)


def test_fingerprints_survive_reruns_and_line_moves(tmp_path: Path) -> None:
    tree = tmp_path / "seed"
    shutil.copytree(TREES / "seed", tree)
    before = sarif_of(tree)["runs"][0]["results"]
    assert sarif_of(tree)["runs"][0]["results"] == before  # a rerun is identical
    nested = tree / "requirements/production.txt"
    nested.write_bytes(b"# moved down by a comment\n" + nested.read_bytes())
    after = sarif_of(tree)["runs"][0]["results"]
    assert [r["partialFingerprints"] for r in after] == [r["partialFingerprints"] for r in before]

    def where(result: dict[str, Any]) -> tuple[str, int]:
        location = result["locations"][0]["physicalLocation"]
        return location["artifactLocation"]["uri"], location["region"]["startLine"]

    moved = [(uri, n + 1 if uri.endswith("production.txt") else n) for uri, n in map(where, before)]
    assert [where(r) for r in after] == moved
    assert any(uri.endswith("production.txt") for uri, _ in moved)


def apply_sarif_fix(data: bytes, replacement: dict[str, Any]) -> bytes:
    region = replacement["deletedRegion"]
    lines = data.decode("utf-8").splitlines(keepends=True)
    index = region["startLine"] - 1
    text = replacement.get("insertedContent", {}).get("text", "")
    if "endLine" in region:  # a span across lines (ASCII here: columns are characters)
        start = sum(len(line) for line in lines[:index]) + region["startColumn"] - 1
        end_index = region["endLine"] - 1
        end = sum(len(line) for line in lines[:end_index]) + region["endColumn"] - 1
        whole = "".join(lines)
        return (whole[:start] + text + whole[end:]).encode("utf-8")
    if region.get("startColumn") == 1 and region.get("endColumn") == 1:
        lines.insert(index, text)
    elif "startColumn" in region:  # an empty region inside the line (ASCII here)
        column = region["startColumn"] - 1
        lines[index] = lines[index][:column] + text + lines[index][column:]
    else:  # the whole line is replaced; keep its line ending
        ending = lines[index][len(lines[index].rstrip("\r\n")) :]
        lines[index] = text + ending
    return "".join(lines).encode("utf-8")


@pytest.mark.parametrize(
    ("tree", "platform"),
    [
        ("seed", "heroku@v3-v166"),
        ("case-trap", "heroku@v3-v166"),
        ("crlf-bom", "heroku@v3-v166"),
        # the tree digest alone (root-keyed caches), and over a nested file a move edits
        ("seed", "heroku@latest"),
        ("crlf-bom", "heroku@latest"),
        ("seed", "heroku@v3-v11,v351"),
    ],
)
def test_sarif_fixes_make_the_same_bytes_as_fix(tree: str, platform: str, tmp_path: Path) -> None:
    work = tmp_path / tree
    shutil.copytree(TREES / tree, work)
    # one fix per file (or edits that commute): replacements are independent
    report = scan(work, platforms=[platform])
    assert report.findings
    log = sarif.as_dict(report)
    edited: dict[str, bytes] = {}
    for result in log["runs"][0]["results"]:
        for fix in result.get("fixes", []):
            for change in fix["artifactChanges"]:
                path = change["artifactLocation"]["uri"]
                data = edited.get(path, report.tree.files[path].data)
                for replacement in change["replacements"]:
                    data = apply_sarif_fix(data, replacement)
                edited[path] = data
    assert edited, "the tree has at least one fixable finding"
    apply_fixes(work, report)
    for path, data in edited.items():
        assert (work / path).read_bytes() == data
