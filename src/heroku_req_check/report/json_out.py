"""The public JSON document (`--format json`): a contract; bump `version` to change it."""

from __future__ import annotations

import json
from typing import Any

from ..model import Fix, Report

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
            }
            for plan in report.plans
        ],
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
