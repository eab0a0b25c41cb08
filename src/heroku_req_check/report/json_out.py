"""The public JSON document (`--format json`): a contract; bump `version` to change it."""

from __future__ import annotations

import json
from typing import Any

from ..model import Evidence, Fix, PlatformSelection, Report, Target

SCHEMA_VERSION = 1


def as_dict(report: Report) -> dict[str, Any]:
    return {
        "version": SCHEMA_VERSION,
        "root": report.tree.root,
        "files": list(report.tree.files),
        "findings": [
            {
                "rule": f.rule,
                "package": f.package,
                "severity": f.severity,
                "file": f.file,
                "line": f.line,
                "platforms": list(f.platforms),
                "message": f.message,
                "fix": _fix(f.fix),
                # added in 1.2 (additive): the one-line form of `message`
                "summary": f.short,
            }
            for f in report.findings
        ],
        "problems": [
            {"file": p.file, "line": p.line, "message": p.message} for p in report.problems
        ],
        # added in 1.1 (additive): each selected platform's build plan for this app
        "plans": [
            {
                "platform": plan.platform,
                "builds_python": plan.builds_python,
                "provider": plan.provider,
                "start": plan.start,
                "evidence": list(plan.evidence),
                # additive: the Python package manager the platform picks
                # ("" where it picks none) and whether it installs the requirements tree
                "installer": plan.installer,
                "installs_requirements": plan.installs_requirements,
            }
            for plan in report.plans
        ],
        # added in 1.2 (additive): what was modelled and why
        "selection": selection(report.selection, report.platforms),
    }


def selection(chosen: PlatformSelection | None, labels: tuple[str, ...]) -> dict[str, Any]:
    """The `selection` object: `how` ("option", "configuration", "detected", "default"),
    `source`, `platforms` (what was modelled, each with its evidence), `detected` (what the
    repository's deployment configuration says, whatever `how` is) and `ignored` (markers that
    selected nothing, and why)."""
    if chosen is None:
        return {
            "how": "option",
            "source": "",
            "platforms": [{"label": label} for label in labels],
            "detected": [],
            "ignored": [],
        }
    return {
        "how": chosen.how,
        "source": chosen.source,
        "platforms": [_target(t) for t in chosen.targets],
        "detected": [_target(t) for t in chosen.detected],
        "ignored": [_evidence(e) for e in chosen.ignored],
    }


def _target(target: Target) -> dict[str, Any]:
    return {
        "label": target.name,
        "platform": target.platform,
        "release": target.release or None,
        "via": target.via or None,
        "modelled": target.modelled,
        "note": target.note or None,
        "evidence": [_evidence(e) for e in target.evidence],
    }


def _evidence(evidence: Evidence) -> dict[str, Any]:
    return {
        "file": evidence.file or None,
        "line": evidence.line,
        "marker": evidence.marker,
        "source": evidence.source or None,
    }


def _fix(fix: Fix | None) -> dict[str, Any] | None:
    if fix is None:
        return None
    out: dict[str, Any] = {"file": fix.file, "line": fix.line, "text": fix.text}
    # added in 1.1 (additive): "replace" respells the line; "remove" is the line a move deletes
    out["action"] = fix.action
    if fix.remove is not None:
        out["remove"] = {"file": fix.remove[0], "line": fix.remove[1]}
    return out


def render(report: Report) -> str:
    return json.dumps(as_dict(report), indent=2, ensure_ascii=False) + "\n"
