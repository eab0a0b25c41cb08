"""Builders that install from the root file alone, or decide from its text: Zeabur (zbpack),
Fly.io's `fly launch` scanner (flyctl) and the Serverless Framework's
serverless-python-requirements plugin.

The dispatch between the core and the three models: `verdict` answers the per-package
detectors (`zbpack-contains`, `flyctl-contains`) for detectors.verdict, `reason` says in one
clause what such a detector reads (check._reasons), and `findings` runs the whole-tree traps
(`zbpack-stdin`, `zbpack-sed`, `flyctl-template`, `spr-inline`, `spr-editable`) for check.check.
Pure like the rest of the core: everything is read through the tree and the contained reader.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from ..catalog import Era, Rule, Selection, format_ranges
from ..detectors import Reader, Verdict
from ..model import BuildPlan, Finding, RequirementsTree
from ..plans import selected_eras

PER_PACKAGE = frozenset({"zbpack-contains", "flyctl-contains"})
WHOLE_TREE = frozenset(
    {"zbpack-stdin", "zbpack-sed", "flyctl-template", "spr-inline", "spr-editable"}
)


def verdict(era: Era, tree: RequirementsTree, read: Reader) -> Verdict:
    """Whether the platform notices the package its era looks for (a per-package detector)."""
    if era.detector == "zbpack-contains":
        from . import zeabur

        return zeabur.contains_verdict(era, tree, read)
    from . import flyio

    return flyio.contains_verdict(era, tree, read)


def reason(era: Era) -> str:
    """What a per-package detector reads, for a finding's message."""
    files = ", ".join(era.files)
    if era.detector == "zbpack-contains":
        return (
            f"`{era.command}` reads only {files} at the app root (a lowercase substring test, "
            "comments count, `-r` never followed)"
        )
    return (
        f"`{era.command}` reads only {files} at the app root, line by line (comments count, "
        "`-r` never followed)"
    )


Era_ = tuple[Selection, Rule, Era]


def selected(
    selections: Iterable[Selection], plans: dict[str, BuildPlan], kinds: frozenset[str]
) -> Iterator[Era_]:
    """Every era of a `kinds` detector that covers a selected release and whose step the plan
    runs."""
    return (found for found in selected_eras(selections, plans) if found[2].detector in kinds)


def labels(selection: Selection) -> tuple[str, ...]:
    return tuple(format_ranges(selection.platform, selection.releases))


Maker = Callable[[RequirementsTree, Selection, Rule, Era, Reader, list[Selection]], list[Finding]]


def findings(
    tree: RequirementsTree,
    selections: Iterable[Selection],
    read: Reader,
    plans: dict[str, BuildPlan],
) -> list[Finding]:
    """The whole-tree traps of every selected era whose step the plan runs."""
    chosen = list(selections)
    eras = list(selected(chosen, plans, WHOLE_TREE))
    if not eras or tree.root_file is None:
        return []
    from . import flyio, serverless, zeabur

    makers: dict[str, Maker] = {
        "zbpack-stdin": zeabur.stdin_findings,
        "zbpack-sed": zeabur.sed_findings,
        "flyctl-template": flyio.template_findings,
        "spr-inline": serverless.inline_findings,
        "spr-editable": serverless.editable_findings,
    }
    found: list[Finding] = []
    for selection, rule, era in eras:
        found += makers[era.detector](tree, selection, rule, era, read, chosen)
    return found


def platform_names(selections: Iterable[Selection]) -> set[str]:
    return {s.platform.name for s in selections}


def root_text_bytes(tree: RequirementsTree, name: str, read: Reader) -> bytes | None:
    """The bytes of app-root file `name`, as edited when a fix trial rewrote the root."""
    source = tree.files.get(name)
    if source is not None:
        return source.data
    return read(name)
