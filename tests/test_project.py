"""Reading a local project's dependencies from its metadata, backend by backend, never running
anything. Each row is an app (files), the requirements line that pulls the project in, and
what must come out: (file, line, text) of every declaration, and a piece of every problem.
tests/test_project_differential.py checks the same reading against pip and the real backends.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heroku_req_check.project import _poetry_constraint
from heroku_req_check.tomlspan import spans
from heroku_req_check.tree import walk


def build_system(requires: str, backend: str) -> str:
    return f'[build-system]\nrequires = ["{requires}"]\nbuild-backend = "{backend}"\n'


SETUPTOOLS = build_system("setuptools>=68", "setuptools.build_meta")
POETRY = build_system("poetry-core", "poetry.core.masonry.api")
POETRY_META = '[tool.poetry]\nname = "app"\nversion = "1"\ndescription = ""\nauthors = []\n'

Decl = tuple[str, int, str]

CASES: list[tuple[str, str, dict[str, str], list[Decl], list[str]]] = [
    (
        "pep621-wins-over-setup-py",
        "-e .",
        {
            "pyproject.toml": SETUPTOOLS + '[project]\nname = "app"\ndependencies = ["a"]\n',
            "setup.py": "from setuptools import setup\nsetup(install_requires=['b'])\n",
        },
        [("pyproject.toml", 6, "a")],
        [],
    ),
    (
        "project-table-without-dependencies-drops-setup-py",
        "-e .",
        {
            "pyproject.toml": SETUPTOOLS + '[project]\nname = "app"\n',
            "setup.py": "from setuptools import setup\nsetup(install_requires=['b'])\n",
        },
        [],
        ["neither gives dependencies nor lists it in `dynamic`"],
    ),
    (
        "dynamic-from-setup-cfg",
        "-e .",
        {
            "pyproject.toml": SETUPTOOLS + '[project]\nname = "app"\ndynamic = ["dependencies"]\n',
            "setup.cfg": "[options]\ninstall_requires =\n    a\n    b>=1  # why\n",
        },
        [("setup.cfg", 3, "a"), ("setup.cfg", 4, "b>=1")],
        [],
    ),
    (
        "setup-py-wins-over-setup-cfg",
        ".",
        {
            "setup.py": "from setuptools import setup\nsetup(install_requires=['a'])\n",
            "setup.cfg": "[options]\ninstall_requires = b\n",
        },
        [("setup.py", 2, "a")],
        [],
    ),
    (
        "empty-setup-py-value-leaves-setup-cfg",
        ".",
        {
            "setup.py": "from setuptools import setup\nsetup(install_requires=[])\n",
            "setup.cfg": "[options]\ninstall-requires = b\n",  # dashes: deprecated, read
        },
        [("setup.cfg", 2, "b")],
        [],
    ),
    (
        "setup-cfg-one-line-splits-at-semicolons",
        ".",
        {
            "setup.py": "from setuptools import setup\nsetup()\n",
            "setup.cfg": "[options]\ninstall_requires = a; b\n",
        },
        [("setup.cfg", 2, "a"), ("setup.cfg", 2, "b")],
        [],
    ),
    (
        "setup-cfg-file-directive-and-extras",
        ".[x]",
        {
            "setup.py": "from setuptools import setup\nsetup()\n",
            "setup.cfg": "[options]\ninstall_requires = file: reqs.txt\n"
            "[options.extras_require]\nx = c\ny = d\n",
            "reqs.txt": "# comment\na\n\nb ; python_version > '3'\n",
        },
        [("reqs.txt", 2, "a"), ("reqs.txt", 4, "b ; python_version > '3'"), ("setup.cfg", 4, "c")],
        [],
    ),
    (
        "dynamic-files-setuptools-rules-not-pips",
        "-e .",
        {
            "pyproject.toml": SETUPTOOLS + '[project]\nname = "app"\ndynamic = ["dependencies"]\n'
            '[tool.setuptools.dynamic]\ndependencies = {file = ["a.in", "b.in"]}\n',
            "a.in": "one  # comment\ntwo \\\n  -three\n",
            "b.in": "-r a.in\n",
        },
        [("a.in", 1, "one"), ("a.in", 2, "two-three")],
        ["invalid requirement '-r a.in'"],
    ),
    (
        "dynamic-file-missing-or-outside",
        "-e .",
        {
            "pyproject.toml": SETUPTOOLS + '[project]\nname = "app"\ndynamic = ["dependencies"]\n'
            '[tool.setuptools.dynamic]\ndependencies = {file = ["missing.in", "../x.in"]}\n',
        },
        [],
        [
            "missing.in (in .) does not exist",
            "../x.in is outside the project directory",  # the build fails: nothing more said
        ],
    ),
    (
        "dynamic-attr-cannot-be-known",
        "-e .",
        {
            "pyproject.toml": SETUPTOOLS + '[project]\nname = "app"\ndynamic = ["dependencies"]\n'
            '[tool.setuptools.dynamic]\ndependencies = {attr = "app.DEPS"}\n',
        },
        [],
        ["is not a `file` directive"],
    ),
    (
        "dynamic-with-no-source",
        "-e .",
        {"pyproject.toml": SETUPTOOLS + '[project]\nname = "app"\ndynamic = ["dependencies"]\n'},
        [],
        ["lists dependencies as dynamic, but neither"],
    ),
    (
        "extras-self-reference-and-normalised-names",
        "-e .[Web_Server]",
        {
            "pyproject.toml": SETUPTOOLS + '[project]\nname = "App"\ndependencies = []\n'
            '[project.optional-dependencies]\nweb-server = ["app[db]", "g"]\n'
            'db = ["p"]\nx = ["q"]\n',
        },
        [("pyproject.toml", 8, "g"), ("pyproject.toml", 9, "p")],
        [],
    ),
    (
        "setup-py-names-bound-once-and-marker-keys",
        "-e .[a]",
        {
            "setup.py": "from setuptools import setup\nDEPS = ['x', 'y']\nA = ['z']\n"
            "setup(install_requires=DEPS, extras_require={'a': A,"
            " 'a:sys_platform == \"linux\"': ['w'], ':python_version < \"4\"': ['v']})\n",
        },
        [
            ("setup.py", 2, "x"),
            ("setup.py", 2, "y"),
            ("setup.py", 4, 'v; python_version < "4"'),
            ("setup.py", 3, "z"),
            ("setup.py", 4, 'w; sys_platform == "linux"'),
        ],
        [],
    ),
    (
        "setup-py-multi-line-string",
        "-e .",
        {"setup.py": 'from setuptools import setup\nsetup(install_requires="""\na\n# c\nb\n""")\n'},
        [("setup.py", 3, "a"), ("setup.py", 5, "b")],
        [],
    ),
    (
        "setup-py-name-changed-later",
        "-e .",
        {
            "setup.py": "from setuptools import setup\nD = ['x']\nD.append('y')\n"
            "setup(install_requires=D)\n"
        },
        [],
        ["dependencies of setup.py cannot be known without running it"],
    ),
    (
        "setup-py-kwargs",
        "-e .",
        {"setup.py": "from setuptools import setup\nkw = {}\nsetup(name='x', **kw)\n"},
        [],
        ["setup() takes *args or **kwargs"],
    ),
    (
        "setup-py-python2",
        "-e .",
        {"setup.py": "print 'hello'\n"},
        [],
        ["it is not valid Python 3"],
    ),
    (
        "setup-py-unknown-but-pyproject-decides",
        "-e .",
        {
            "pyproject.toml": SETUPTOOLS + '[project]\nname = "app"\ndependencies = ["a"]\n',
            "setup.py": "from setuptools import setup\nsetup(install_requires=open('r').read())\n",
        },
        [("pyproject.toml", 6, "a")],
        [],
    ),
    (
        "poetry-groups-and-unselected-extras-are-not-installed",
        "-e .[cache]",
        {
            "pyproject.toml": POETRY + POETRY_META + "[tool.poetry.dependencies]\npython = '^3.8'\n"
            "Django = {version = '^4.2', extras = ['bcrypt']}\n"
            "pylibmc = {version = '~1.6', optional = true}\n"
            "redis = {version = '*', optional = true}\n"
            "lib = {git = 'https://example.invalid/lib.git', tag = 'v1'}\n"
            "[tool.poetry.extras]\ncache = ['pylibmc']\nqueue = ['redis']\n"
            "[tool.poetry.group.dev.dependencies]\npytest = '*'\n",
        },
        [
            ("pyproject.toml", 11, "Django[bcrypt]<5,>=4.2"),
            ("pyproject.toml", 14, "lib @ git+https://example.invalid/lib.git@v1"),
            ("pyproject.toml", 12, "pylibmc<1.7,>=1.6"),
        ],
        [],
    ),
    (
        "poetry-2-project-table-wins",
        "-e .",
        {
            "pyproject.toml": POETRY
            + '[project]\nname = "app"\nversion = "1"\ndependencies = ["a"]\n'
            "[tool.poetry.dependencies]\nb = '*'\n",
        },
        [("pyproject.toml", 7, "a")],
        [],
    ),
    (
        "poetry-1-ignores-project-table",
        "-e .",
        {
            "pyproject.toml": POETRY.replace('"poetry-core"', '"poetry-core<2"')
            + '[project]\nname = "app"\nversion = "1"\ndependencies = ["a"]\n'
            + POETRY_META.replace('name = "app"\n', "")
            + "[tool.poetry.dependencies]\nb = '1.0'\n",
        },
        [("pyproject.toml", 13, "b==1.0")],
        [],
    ),
    (
        "poetry-mixed-dynamic-adds-required-poetry-dependencies",
        "-e .",
        {
            "pyproject.toml": POETRY
            + '[project]\nname = "app"\nversion = "1"\ndynamic = ["dependencies"]\n'
            '[project.optional-dependencies]\nx = ["o"]\n'
            "[tool.poetry.dependencies]\nb = '>=1'\n",
        },
        [("pyproject.toml", 11, "b>=1")],
        [],
    ),
    (
        "hatch-direct-reference-and-dynamic",
        "-e .",
        {
            "pyproject.toml": build_system("hatchling", "hatchling.build")
            + '[project]\nname = "app"\ndynamic = ["optional-dependencies"]\n'
            'dependencies = ["x @ https://example.invalid/x.whl"]\n',
        },
        [("pyproject.toml", 7, "x @ https://example.invalid/x.whl")],
        ["lists optional-dependencies as dynamic", "hatchling refuses it"],
    ),
    (
        "flit-dynamic-dependencies-refused",
        ".",
        {
            "pyproject.toml": build_system("flit_core", "flit_core.buildapi")
            + '[project]\nname = "app"\ndynamic = ["dependencies"]\n',
        },
        [],
        ["which flit_core refuses"],
    ),
    (
        "flit-3-metadata-table",
        ".",
        {
            "pyproject.toml": build_system("flit_core<4", "flit_core.buildapi")
            + "[tool.flit.metadata]\nmodule = 'app'\nrequires = ['a']\n"
            "[tool.flit.metadata.requires-extra]\nx = ['b']\n",
        },
        [("pyproject.toml", 6, "a")],
        [],
    ),
    (
        "flit-4-refuses-metadata-table",
        ".",
        {
            "pyproject.toml": build_system("flit_core>=3", "flit_core.buildapi")
            + "[tool.flit.metadata]\nmodule = 'app'\nrequires = ['a']\n",
        },
        [],
        ["admits flit_core 4, which refuses [tool.flit.metadata]"],
    ),
    (
        "any-backend-honours-static-project-table",
        "-e .",
        {
            "pyproject.toml": '[build-system]\nrequires = ["maturin"]\nbuild-backend = "maturin"\n'
            '[project]\nname = "app"\ndependencies = [\n  "a",\n  \'b>=1\',\n]\n',
        },
        [("pyproject.toml", 7, "a"), ("pyproject.toml", 8, "b>=1")],
        [],
    ),
    (
        "unknown-backend-without-project-table",
        "-e .",
        {"pyproject.toml": '[build-system]\nrequires = ["x"]\nbuild-backend = "custom"\n'},
        [],
        ["cannot be known without running it"],
    ),
    (
        "build-system-without-requires",
        "-e .",
        {"pyproject.toml": '[build-system]\nbuild-backend = "hatchling.build"\n'},
        [],
        ["[build-system] has no `requires` list"],
    ),
    (
        "not-toml",
        "-e .",
        {"pyproject.toml": "[project\nname = = 1\n"},
        [],
        ["pyproject.toml is not valid TOML"],
    ),
    (
        "invalid-requirement-in-metadata",
        "-e .",
        {"pyproject.toml": SETUPTOOLS + '[project]\nname = "app"\ndependencies = ["not valid("]\n'},
        [],
        ["invalid requirement 'not valid('"],
    ),
]


def make(root: Path, line: str, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    (root / "requirements.txt").write_text(line + "\n")
    return root


@pytest.mark.parametrize(
    ("line", "files", "declared", "problems"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_metadata_is_read_as_the_backend_reads_it(
    tmp_path: Path, line: str, files: dict[str, str], declared: list[Decl], problems: list[str]
) -> None:
    tree = walk(make(tmp_path, line, files))
    metadata = [d for d in tree.declarations if d.via]
    assert [(d.file, d.line, d.text) for d in metadata] == declared
    assert all(d.via == "requirements.txt:1" for d in metadata)
    assert len(tree.problems) == len(problems), tree.problems
    for problem, piece in zip(tree.problems, problems, strict=True):
        assert piece in problem.message and not problem.pip_fails


def test_a_symlink_out_of_the_repository_is_never_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside.toml"
    outside.write_text(SETUPTOOLS + '[project]\nname = "x"\ndependencies = ["secret"]\n')
    (tmp_path / "repo").mkdir()
    repo = make(tmp_path / "repo", "-e .", {})
    os.symlink(outside, repo / "pyproject.toml")
    tree = walk(repo)
    assert [d for d in tree.declarations if d.via] == []
    (problem,) = tree.problems
    assert problem.file == "pyproject.toml" and "outside the repository" in problem.message


def test_nested_path_dependencies_are_followed_inside_the_repository(tmp_path: Path) -> None:
    repo = make(
        tmp_path,
        "-e .",
        {
            "pyproject.toml": POETRY
            + POETRY_META
            + "[tool.poetry.dependencies]\nlib = {path = 'lib'}\nout = {path = '../out'}\n",
            "lib/setup.py": "from setuptools import setup\nsetup(install_requires=['deep'])\n",
        },
    )
    tree = walk(repo)
    assert [(d.file, d.text, d.via) for d in tree.declarations] == [
        ("pyproject.toml", "lib @ file:lib", "requirements.txt:1"),
        ("pyproject.toml", "out @ file:../out", "requirements.txt:1"),
        ("lib/setup.py", "deep", "requirements.txt:1"),
    ]
    (problem,) = tree.problems
    assert (problem.file, problem.line) == ("pyproject.toml", 11)
    assert "outside the repository" in problem.message


def test_a_project_named_twice_is_read_once_with_every_extra(tmp_path: Path) -> None:
    repo = make(
        tmp_path,
        "-e .[a]\n.[b]",
        {
            "pyproject.toml": SETUPTOOLS + '[project]\nname = "app"\ndependencies = ["base"]\n'
            '[project.optional-dependencies]\na = ["x"]\nb = ["y"]\n',
        },
    )
    tree = walk(repo)
    assert sorted(d.text for d in tree.declarations) == ["base", "x", "y"]


@pytest.mark.parametrize(
    ("poetry", "pep440"),
    [
        ("^1.2.3", "<2,>=1.2.3"),
        ("^1.2", "<2,>=1.2"),
        ("^0.2.3", "<0.3,>=0.2.3"),
        ("^0.0.3", "<0.0.4,>=0.0.3"),
        ("^0", "<1,>=0"),
        ("~1.2.3", "<1.3,>=1.2.3"),
        ("~1", "<2,>=1"),
        ("~=1.2", "~=1.2"),
        ("1.2.3", "==1.2.3"),
        ("1.2.*", "==1.2.*"),
        (">=1,<2", "<2,>=1"),
        (">= 1.0 < 2.0", "<2.0,>=1.0"),
        ("*", ""),
        ("^1 || ^2", None),
    ],
)
def test_poetry_constraints_in_pep_440(poetry: str, pep440: str | None) -> None:
    """poetry-core's constraint rules (constraints/version/parser.py, README "Dependency
    specification"), written as the specifier pip reads."""
    assert _poetry_constraint(poetry) == pep440


# -- tomlspan: every string found where it starts -------------------------------------------------
strings = st.text(alphabet=st.sampled_from(list("ab=1 #[]{},.'\"\\\n\t")), max_size=8)


def literal(value: str, style: int) -> str:
    if style == 1 and "'" not in value and "\n" not in value:
        return f"'{value}'"
    if style == 2 and "'''" not in value and not value.endswith("'"):
        return f"'''{value}'''"
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped.replace(chr(9), chr(92) + "t")}"'


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(strings, st.integers(0, 2), st.booleans()), min_size=1, max_size=6),
    st.booleans(),
)
def test_every_string_is_found_where_it_starts(
    items: list[tuple[str, int, bool]], inline: bool
) -> None:
    parts = []
    remark = '  # a comment, with "quotes" and [brackets]'
    for value, style, comment in items:
        parts.append(f"  {literal(value, style)},{remark if comment else ''}\n")
    body = "dependencies = [\n" + "".join(parts) + "]\n"
    text = (
        '# head\n[project]\nname = "x" # c\n'
        + (f"table = {{ k = {literal('v', 0)} }}\n" if inline else "")
        + body
    )
    import tomllib

    values = tomllib.loads(text)["project"]["dependencies"]
    found = spans(text)
    for index, value in enumerate(values):
        offset, decoded = found.strings[("project", "dependencies", index)]
        assert decoded == value
        assert text[offset] in "\"'"
        assert found.line(("project", "dependencies", index), value) == found.line_of(offset)
