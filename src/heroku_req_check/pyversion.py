"""A requested Python the release does not install: the build stops before any step.

The catalog's `python-offered` eras list the Python versions a release installs ("3.10": any
patch of that minor, Heroku's OLDEST/NEWEST_SUPPORTED_PYTHON_3_MINOR_VERSION; "3.7.1": that
version alone, Cloud Foundry's manifest.yml). The version the app asks for is the one
plans.pythons_for reads from its version files by the catalog's `[[platform.python_files]]`;
only a version a file names is judged (a release's default is offered by definition, and an
older app's cached Python is not known here). The rule's `stops` then makes every later
step's finding for those releases moot (shadow.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from .catalog import Era, Rule, Selection, format_ranges
from .detectors import Reader
from .model import BuildPlan, Finding, RequirementsTree
from .plans import pythons_for

# origins that are not a file the app wrote
_NOT_A_FILE = frozenset({"", "default", "cache", "requires-python"})


def offered(version: str, offers: tuple[str, ...]) -> bool:
    """Whether a release offering `offers` installs the requested `version` ("3.12" or
    "3.12.1"). A request without a patch matches any offer of that minor (Cloud Foundry's
    FindMatchingVersion on `3.6.x`; Heroku resolves the patch itself)."""
    parts = version.split(".")
    minor = ".".join(parts[:2])
    for offer in offers:
        if offer.count(".") == 1 or len(parts) < 3:
            if ".".join(offer.split(".")[:2]) == minor:
                return True
        elif offer == version:
            return True
    return False


def _line_of(read: Reader, file: str, version: str) -> int:
    """The first line of `file` that names `version` (1 when none does)."""
    data = read(file)
    if data is None:
        return 1
    for number, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
        if version in line:
            return number
    return 1


def findings(
    tree: RequirementsTree,
    selections: Iterable[Selection],
    plans: dict[str, BuildPlan],
    read: Reader,
) -> list[Finding]:
    """One error per (rule, version file, requested version) for the selected releases whose
    `python-offered` era does not offer the version the app's file names. `tree` and `plans`
    are unused beyond the platform's own data: the version files are read through `read`."""
    del tree, plans  # the request comes from the version files alone
    out: list[Finding] = []
    for selection in selections:
        platform = selection.platform
        eras = [
            (rule, era)
            for rule in platform.rules
            for era in rule.eras
            if era.detector == "python-offered"
            and any(era.first <= r <= era.last for r in selection.releases)
        ]
        if not eras:
            continue
        rejected: dict[tuple[str, str, str], tuple[Rule, set[int], list[Era]]] = {}
        for python in pythons_for(platform, read):
            if python.origin in _NOT_A_FILE or python.implementation != "CPython":
                continue
            if len(python.versions) != 1:
                continue
            [version] = python.versions
            for rule, era in eras:
                releases = {
                    r
                    for r in selection.releases
                    if max(era.first, python.first) <= r <= min(era.last, python.last)
                }
                if not releases or offered(version, era.offers):
                    continue
                entry = rejected.setdefault((rule.id, python.origin, version), (rule, set(), []))
                entry[1].update(releases)
                entry[2].append(era)
        for (_, origin, version), (rule, releases, hit) in rejected.items():
            file = origin.split(" (", 1)[0]
            line = _line_of(read, file, version)
            labels = format_ranges(platform, releases)
            where = ", ".join(labels)
            hit = sorted(set(hit), key=lambda e: e.first)
            newest = hit[-1]
            mine = [r for r in releases if newest.first <= r <= newest.last]
            verb = "offers" if len(mine) == 1 else "offer"
            offers = f"{platform.span(min(mine), max(mine))} {verb} {', '.join(newest.offers)}"
            if len(hit) > 1:
                offers += "; the earlier ones fewer or others, none of them this one"
            tags = ", ".join(e.source.tag for e in hit)
            source = f"{platform.repo} {newest.source.path} (read at {tags})"
            out.append(
                Finding(
                    rule=rule.id,
                    package="python",
                    severity="error",
                    file=file,
                    line=line,
                    platforms=tuple(labels),
                    title=f"Python {version}: not offered by {labels[0]}",
                    summary=(
                        f"{origin} asks for Python {version}, which {where} "
                        f"{'do' if len(labels) > 1 else 'does'} not install: the build fails "
                        "before any package is installed"
                    ),
                    message=(
                        f"{origin} line {line} asks for Python {version}, but {where} "
                        f"{'do' if len(labels) > 1 else 'does'} not install it ({offers}; "
                        f"`{newest.command}`, {source}): {rule.when_missed}."
                    ),
                    advice=(
                        f"Ask for a Python {where} installs in {file}, or deploy with a "
                        f"release that offers {version}."
                    ),
                )
            )
    return out
