"""SARIF 2.1.0 (`--format sarif`, the action's `sarif` output) for GitHub code scanning.

Follows what github/codeql-action/upload-sarif documents: one run, rule metadata with help
text and a help URI, `level` per result, repository-relative URIs against %SRCROOT%, and
`partialFingerprints` that stay the same across runs and line moves (rule, file, package), so
code scanning tracks one alert per finding instead of opening a new one per push.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from .. import HOME_URL, __version__
from ..fix import EOL_RE
from ..model import Finding, Problem, Report

README = f"{HOME_URL}#readme"
CATALOG_HELP = f"{HOME_URL}#what-is-checked-the-rule-catalog"
LIMITS_HELP = f"{HOME_URL}#limits-and-security-model"
PROBLEM_RULE = "heroku-req-check/input"
LEVELS = {"error": "error", "warning": "warning", "notice": "note"}
FINGERPRINT_KEY = "herokuReqCheck/v1"


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _location(file: str, line: int | None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": file, "uriBaseId": "%SRCROOT%"}}
    if line:
        physical["region"] = {"startLine": line}
    return {"physicalLocation": physical}


def _rule(rule_id: str, example: Finding | None) -> dict[str, Any]:
    from .. import catalog

    if example is None:
        return {
            "id": PROBLEM_RULE,
            "name": "RequirementsInput",
            "shortDescription": {"text": "A requirements file or line could not be checked"},
            "fullDescription": {
                "text": "An unreadable file, a line pip rejects, an include outside the "
                "repository or a URL that is never fetched."
            },
            "helpUri": LIMITS_HELP,
            "help": {"text": "Fix the file or line named in the message; see the README."},
            "defaultConfiguration": {"level": "warning"},
            "properties": {"tags": ["requirements"]},
        }
    base, _, variant = rule_id.partition(":")
    rule = next((r for p in catalog.load() for r in p.rules if r.id == base), None)
    on_detect = rule.on_detect if rule else ""
    when_missed = rule.when_missed if rule else ""
    what = {
        "": "declared where the buildpack does not look",
        "case": "spelled in a case the buildpack does not recognise",
        "broken": "never detected by a buildpack release",
        "overmatch": "named in text that makes the buildpack act as if it were installed",
    }.get(variant, variant)
    short = rule.summary if rule and rule.summary else f"{example.package}-style package {what}"
    return {
        "id": rule_id,
        "name": "".join(part.title() for part in rule_id.replace(":", "/").split("/")),
        "shortDescription": {"text": short},
        "fullDescription": {
            "text": f"When detected, the buildpack {on_detect}. If missed: {when_missed}."
        },
        "helpUri": CATALOG_HELP,
        "help": {
            "text": f"Run `heroku-req-check --explain {base}` for each release's detection "
            "line and its source.",
            "markdown": f"Run `heroku-req-check --explain {base}` for each release's detection "
            f"line and its source. [Rule catalog]({CATALOG_HELP}).",
        },
        "defaultConfiguration": {"level": LEVELS[example.severity]},
        "properties": {"tags": ["requirements", "deployment", "buildpack"]},
    }


def _fix(report: Report, finding: Finding) -> list[dict[str, Any]]:
    fix = finding.fix
    source = (
        None if fix is None else report.tree.files.get(fix.file) or report.sources.get(fix.file)
    )
    if fix is None or source is None:
        return []
    first_break = EOL_RE.search(source.text)  # the break the fixer uses
    eol = first_break.group(0) if first_break else "\n"
    lines = source.text.splitlines()
    region: dict[str, int]
    if fix.action == "insert-before":
        # fix.insert_before: before line fix.line, ending like that line (a Dockerfile: `\n`)
        raw = source.text.split("\n")
        here = raw[fix.line - 1] if fix.line <= len(raw) else ""
        eol = "\r\n" if here.endswith("\r") else "\n"
        region = {"startLine": fix.line, "startColumn": 1, "endColumn": 1}
        text = fix.text + eol
    elif fix.action == "replace":
        region = {"startLine": fix.line}  # the whole line, its line break excluded
        text = fix.text
    elif fix.line > len(lines) and lines and not source.text.endswith(("\n", "\r")):
        # no final newline: the fixer appends a break and the line after the last character
        end = len(lines[-1].encode("utf-16-le")) // 2 + 1  # SARIF columns: UTF-16 code units
        region = {"startLine": len(lines), "startColumn": end, "endColumn": end}
        text = eol + fix.text
    else:
        region = {"startLine": fix.line, "startColumn": 1, "endColumn": 1}  # empty: insert
        text = fix.text + eol
    changes: list[dict[str, Any]] = [
        {
            "artifactLocation": {"uri": fix.file, "uriBaseId": "%SRCROOT%"},
            "replacements": [{"deletedRegion": region, "insertedContent": {"text": text}}],
        }
    ]
    description = f"{'Respell' if fix.action == 'replace' else 'Add'} `{fix.text}` in {fix.file}"
    if fix.remove is not None and fix.remove[0] in report.tree.files:
        path, first = fix.remove
        changes.append(
            {
                "artifactLocation": {"uri": path, "uriBaseId": "%SRCROOT%"},
                "replacements": [{"deletedRegion": _logical_line_region(report, path, first)}],
            }
        )
        description += f" and delete line {first} of {path}"
    return [{"description": {"text": description}, "artifactChanges": changes}]


def _logical_line_region(report: Report, path: str, first: int) -> dict[str, int]:
    """The region fix.remove_logical_line deletes: the line, its continuations and the break
    after them (to the end of the text when it is the last line)."""
    lines = report.tree.files[path].text.splitlines(keepends=True)
    last = first
    while last < len(lines) and lines[last - 1].rstrip("\r\n").endswith("\\"):
        last += 1
    if last < len(lines):
        return {"startLine": first, "startColumn": 1, "endLine": last + 1, "endColumn": 1}
    end = len(lines[-1].encode("utf-16-le")) // 2 + 1  # SARIF columns: UTF-16 code units
    return {"startLine": first, "startColumn": 1, "endLine": last, "endColumn": end}


def _problem_result(problem: Problem, index: int) -> dict[str, Any]:
    return {
        "ruleId": PROBLEM_RULE,
        "ruleIndex": index,
        "level": "error" if problem.pip_fails else "warning",
        "message": {"text": problem.message},
        "locations": [_location(problem.file, problem.line)],
        "partialFingerprints": {
            FINGERPRINT_KEY: _fingerprint(PROBLEM_RULE, problem.file, problem.message)
        },
    }


def as_dict(report: Report, prefix: str = "") -> dict[str, Any]:
    """`prefix` is the app's directory inside the repository (URIs are repository-relative)."""

    def uri(path: str) -> str:
        return f"{prefix}/{path}" if prefix else path

    rule_ids: list[str] = []
    examples: dict[str, Finding | None] = {}
    for finding in report.findings:
        if finding.rule not in examples:
            rule_ids.append(finding.rule)
            examples[finding.rule] = finding
    if report.problems:
        rule_ids.append(PROBLEM_RULE)
        examples[PROBLEM_RULE] = None
    results: list[dict[str, Any]] = []
    for finding in report.findings:
        result: dict[str, Any] = {
            "ruleId": finding.rule,
            "ruleIndex": rule_ids.index(finding.rule),
            "level": LEVELS[finding.severity],
            # SARIF 2.1.0 3.11.4: the first sentence is the summary viewers list
            "message": {"text": f"{finding.short}. {finding.message}"},
            "locations": [_location(uri(finding.file), finding.line)],
            "partialFingerprints": {
                FINGERPRINT_KEY: _fingerprint(finding.rule, uri(finding.file), finding.package)
            },
            "properties": {"package": finding.package, "platforms": list(finding.platforms)},
        }
        fixes = _fix(report, finding)
        for change in fixes:
            for artifact in change["artifactChanges"]:
                artifact["artifactLocation"]["uri"] = uri(artifact["artifactLocation"]["uri"])
        if fixes:
            result["fixes"] = fixes
        results.append(result)
    for problem in report.problems:
        located = Problem(uri(problem.file), problem.line, problem.message, problem.pip_fails)
        results.append(_problem_result(located, rule_ids.index(PROBLEM_RULE)))
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "heroku-req-check",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": README,
                        "rules": [_rule(r, examples[r]) for r in rule_ids],
                    }
                },
                # one code-scanning category per checked app directory
                "automationDetails": {
                    "id": f"heroku-req-check/{prefix}/" if prefix else "heroku-req-check/"
                },
                "results": results,
                "properties": {
                    "platforms": list(report.platforms),
                    # what was modelled and why (the JSON report's `selection`)
                    "selection": _selection(report, uri),
                },
            }
        ],
    }


def _selection(report: Report, uri: Callable[[str], str]) -> dict[str, Any]:
    from .json_out import selection

    chosen = selection(report.selection, report.platforms)
    for key in ("platforms", "detected"):
        for target in chosen[key]:
            for evidence in target["evidence"]:
                if evidence["file"]:
                    evidence["file"] = uri(evidence["file"])
    for evidence in chosen["ignored"]:
        if evidence["file"]:
            evidence["file"] = uri(evidence["file"])
    return chosen


def render(report: Report, prefix: str = "") -> str:
    return json.dumps(as_dict(report, prefix), indent=2, ensure_ascii=False) + "\n"
