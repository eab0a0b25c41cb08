"""Comparison: walk a tree from its root with pip's own `parse_requirements` (what a careful
user would script). Prints JSON: {"files": n, "requirements": n, "catalog": [[file, key]...]},
the nested declarations whose PEP 503 key is one of argv[2] (comma-separated).

pip follows -r/-c itself. pip is internal API here on purpose: it is the reference behaviour.
"""

from __future__ import annotations

import json
import os
import re
import sys

from pip._internal.network.session import PipSession
from pip._internal.req.req_file import parse_requirements


def main(tree: str, keys: str) -> None:
    catalog_keys = set(keys.split(","))
    root = os.path.join(tree, "requirements.txt")
    files: set[str] = set()
    catalog: set[tuple[str, str]] = set()
    count = 0
    for parsed in parse_requirements(root, session=PipSession(), constraint=False):
        count += 1
        origin = re.match(r"-[rc] (.*) \(line \d+\)", parsed.comes_from or "")
        path = origin.group(1) if origin else root
        files.add(path)
        name = re.split(r"[\s\[<>=!~;@]", parsed.requirement, maxsplit=1)[0]
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in catalog_keys and os.path.realpath(path) != os.path.realpath(root):
            catalog.add((os.path.normpath(os.path.relpath(path, tree)), key))
    out = {"files": len(files), "requirements": count, "catalog": sorted(catalog)}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
