"""Text from a repository, made safe to print: a requirements line can hold terminal control
sequences (`ESC ]0;title BEL` sets a terminal's title, `ESC [31m` colours it) or bidirectional
overrides that make a line read otherwise than it runs (CVE-2021-42574). Reporters for
terminals and workflow logs show them as escapes; the JSON and SARIF files keep the bytes
(their encoders escape them)."""

from __future__ import annotations

import re

# C0 controls but tab and newline, DEL, C1 controls, and the bidi embedding, override and
# isolate characters (Unicode TR #9)
_HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` with every control or bidi character shown as `\\xNN` / `\\uNNNN`; str -> str,
    newlines and tabs kept (callers print one line per finding, so they never carry any)."""
    return _HIDDEN.sub(_escape, text)
