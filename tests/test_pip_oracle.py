"""Heroku's pip-grep (v43-v80, v82-v184) is pip: it runs pip's `parse_requirements` over the
root file, includes followed, and compares each requirement's name with its list. The oracle
here is pip's own parser (the one installed in the test venv, called as pip-grep called it),
run on generated trees and compared with the checker's model of every pip-grep era: they must
agree on every tree.

pip-grep's pip was 1.5.6-9.0.1; the oracle is today's pip. Where those differ (`${VAR}`
expansion, for one, came later) the model follows today's pip, the parser the rest of the
tool mirrors; the generated lines avoid nothing on that account.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from heroku_req_check import catalog
from heroku_req_check.detectors import pip_grep_verdict
from heroku_req_check.tree import walk

ERAS = {
    (era.names, era.compare): era
    for platform in catalog.load()
    for rule in platform.rules
    for era in rule.eras
    if era.detector == "pip-grep"
}


def pip_grep(root: Path, names: tuple[str, ...], compare: str) -> bool:
    """What pip-grep answered: any parsed requirement whose (project) name is in `names`;
    pip raising on the tree makes pip-grep exit non-zero, so the step does not run."""
    from pip._internal.exceptions import PipError
    from pip._internal.network.session import PipSession
    from pip._internal.req.constructors import install_req_from_parsed_requirement
    from pip._internal.req.req_file import parse_requirements

    with warnings.catch_warnings():  # "pkg_resources is deprecated": it is the oracle here
        warnings.simplefilter("ignore", DeprecationWarning)
        from pip._vendor.pkg_resources import safe_name

    cwd = os.getcwd()
    os.chdir(root.parent)  # pip-grep ran in the build directory with a relative path
    try:
        # pip-grep loads every requirement before it compares any: an error anywhere in the
        # tree ends it before the first comparison
        loaded = [
            install_req_from_parsed_requirement(parsed).req
            for parsed in parse_requirements(root.name, session=PipSession())
        ]
    except (PipError, ValueError, OSError):
        return False
    finally:
        os.chdir(cwd)
    wanted = {safe_name(r.name) if compare == "project_name" else r.name for r in loaded if r}
    return bool(wanted & set(names))


def lines_for(names: tuple[str, ...]) -> st.SearchStrategy[str]:
    plain = [n for n in names if "[" not in n] or ["pylibmc"]
    name = st.sampled_from(
        [
            *plain,
            *(n.upper() for n in plain),
            *(n.lower() for n in plain),
            *(n.replace("-", "_") for n in plain),
            *(n + "x" for n in plain),
            "requests",
            "Django",
        ]
    )
    spec = st.sampled_from(["", "==1.0", ">=1,<2", "[extra]", " ; python_version >= '3'", " "])
    requirement = st.builds(
        lambda i, n, s: i + n + s, st.sampled_from(["", "  ", "\t"]), name, spec
    )
    return st.one_of(
        requirement,
        requirement.map(lambda r: r + "  # comment"),
        name.map(lambda n: "# " + n),
        name.map(lambda n: f"-e git+https://example.invalid/x.git#egg={n}"),
        name.map(lambda n: f"{n} @ https://example.invalid/{n}-1.0.tar.gz"),
        name.map(lambda n: n[:3] + "\\\n" + n[3:]),  # a continuation inside the name
        st.sampled_from(
            [
                "-r nested.txt",
                "--requirement nested.txt",
                "--requirement=nested.txt",
                "-rnested.txt",
                "-c constraints.txt",
                "--index-url https://example.invalid/simple",
                "--hash=sha256:" + "0" * 64,
                "-r missing.txt",
                "-e .",  # local projects: valid for pip, nameless for pip-grep
                "./app[extra]",
                "https://example.invalid/thing-1.0.tar.gz",
                "./missing-dir",  # pip stops: it looks like a path and does not exist
                "--no-such-option",
                "",
                "#",
            ]
        ),
    )


@st.composite
def trees(draw: st.DrawFn, names: tuple[str, ...]) -> dict[str, bytes]:
    line = lines_for(names)
    eol = draw(st.sampled_from(["\n", "\r\n"]))

    def text(lines: list[str]) -> bytes:
        return (eol.join(lines) + draw(st.sampled_from(["", eol]))).encode()

    files = {"requirements.txt": text(draw(st.lists(line, max_size=5)))}
    # nested and constraints files include nothing (pip recurses forever on a cycle)
    leaf = line.filter(lambda s: not s.startswith(("-r", "--requirement", "-c")))
    for name in ("nested.txt", "constraints.txt"):
        if draw(st.booleans()):
            files[name] = text(draw(st.lists(leaf, max_size=4)))
    return files


@pytest.mark.parametrize(
    "key", sorted(ERAS, key=str), ids=[f"{c}:{' '.join(n)[:40]}" for n, c in sorted(ERAS, key=str)]
)
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_model_agrees_with_pips_parser(
    key: tuple[tuple[str, ...], str], data: st.DataObject, tmp_path: Path
) -> None:
    names, compare = key
    files = data.draw(trees(names))
    repo = tmp_path / "repo"
    repo.mkdir(exist_ok=True)
    for old in repo.iterdir():
        if old.is_file():
            old.unlink()
    for name, body in files.items():
        (repo / name).write_bytes(body)
    (repo / "setup.py").write_text("")  # `-e .` and `./app` are projects pip accepts
    (repo / "app").mkdir(exist_ok=True)
    (repo / "app" / "pyproject.toml").write_text("")
    expected = pip_grep(repo / "requirements.txt", names, compare)
    event(f"pip-grep finds a name: {expected}")  # --hypothesis-show-statistics shows the mix
    assert pip_grep_verdict(ERAS[key], walk(repo)).detected == expected, files
