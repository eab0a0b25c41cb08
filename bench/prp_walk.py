"""Comparison: parse every requirements file of a tree with pip-requirements-parser's
`RequirementsFile.from_file` (the card's parser, used naively). Prints the requirement count."""

from __future__ import annotations

import os
import sys

from pip_requirements_parser import RequirementsFile


def main(tree: str) -> None:
    count = 0
    for directory, _dirs, names in os.walk(tree):
        for name in names:
            if name.endswith(".txt"):
                parsed = RequirementsFile.from_file(
                    os.path.join(directory, name), include_nested=False
                )
                count += len(parsed.requirements)
    print(count)


if __name__ == "__main__":
    main(sys.argv[1])
