"""The public JSON document (`--format json`): a contract; bump `version` to change it."""

from __future__ import annotations

import json
from typing import Any

from ..model import Report

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
                "fix": (
                    {"file": f.fix.file, "line": f.fix.line, "text": f.fix.text} if f.fix else None
                ),
            }
            for f in report.findings
        ],
        "problems": [
            {"file": p.file, "line": p.line, "message": p.message} for p in report.problems
        ],
    }


def render(report: Report) -> str:
    return json.dumps(as_dict(report), indent=2, ensure_ascii=False) + "\n"
