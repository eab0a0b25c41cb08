""".dockerignore matching: the examples of Docker's documentation ("Build context",
.dockerignore files) and moby/patternmatcher's own behaviour, as tables."""

from __future__ import annotations

import pytest

from heroku_req_check.platforms.dockerignore import Matcher, read_patterns

# (ignore file, path, is a directory, excluded?) - docs.docker.com/build/concepts/context/
DOCS = [
    # "# comment / */temp* / */*/temp* / temp?"
    ("# comment\n*/temp*\n*/*/temp*\ntemp?\n", "somedir/temporary.txt", False, True),
    ("# comment\n*/temp*\n*/*/temp*\ntemp?\n", "somedir/temp", True, True),
    ("# comment\n*/temp*\n*/*/temp*\ntemp?\n", "somedir/subdir/temporary.txt", False, True),
    ("# comment\n*/temp*\n*/*/temp*\ntemp?\n", "tempa", False, True),
    ("# comment\n*/temp*\n*/*/temp*\ntemp?\n", "tempb", True, True),
    ("# comment\n*/temp*\n*/*/temp*\ntemp?\n", "temporary.txt", False, False),
    ("# comment\n*/temp*\n*/*/temp*\ntemp?\n", "a/b/c/temp.txt", False, False),
    ("# comment\n*/temp*\n*/*/temp*\ntemp?\n", "# comment", False, False),
    # "the root of the context is considered to be both the working and the root directory":
    # /foo/bar and foo/bar both exclude foo/bar and nothing else
    ("/foo/bar\n", "foo/bar", False, True),
    ("foo/bar\n", "foo/bar", False, True),
    ("foo/bar\n", "bar", False, False),
    ("foo/bar\n", "x/foo/bar", False, False),
    ("/foo/bar\n", "foo/bar/baz.txt", False, True),  # a directory takes its contents along
    # `**` matches any number of directories, zero included
    ("**/*.go\n", "main.go", False, True),
    ("**/*.go\n", "a/b/c/main.go", False, True),
    ("**/*.go\n", "a/main.py", False, False),
    # exceptions: the last matching line decides
    ("*.md\n!README.md\n", "CHANGES.md", False, True),
    ("*.md\n!README.md\n", "README.md", False, False),
    ("*.md\n!README.md\n", "docs/guide.md", False, False),  # `*.md` is only the root
    ("*.md\n!README*.md\nREADME-secret.md\n", "README-secret.md", False, True),
    ("*.md\n!README*.md\nREADME-secret.md\n", "README-public.md", False, False),
    ("*.md\nREADME-secret.md\n!README*.md\n", "README-secret.md", False, False),
    ("*.md\nREADME-secret.md\n!README*.md\n", "CHANGES.md", False, True),
    # "you can even exclude the Dockerfile and .dockerignore": COPY then leaves them out
    ("Dockerfile\n.dockerignore\n", "Dockerfile", False, True),
    ("Dockerfile\n.dockerignore\n", ".dockerignore", False, True),
    # "include only what you list": `*` then exceptions
    ("*\n!requirements/\n!app.py\n", "requirements/base.txt", False, False),
    ("*\n!requirements/\n!app.py\n", "app.py", False, False),
    ("*\n!requirements/\n!app.py\n", "tests/test_app.py", False, True),
]

# moby/patternmatcher v0.6.1 behaviour beyond the documentation's examples
MATCHER = [
    (
        "  # not a comment: only column 0 starts one\n",
        "# not a comment: only column 0 starts one",
        False,
        True,
    ),
    ("\ufeffsecret.txt\n", "secret.txt", False, True),  # BOM stripped on line 1
    ("  spaced.txt  \r\n", "spaced.txt", False, True),  # whitespace trimmed
    ("./a/../b.txt\n", "b.txt", False, True),  # filepath.Clean
    ("foo/**\n", "foo/x/y.txt", False, True),  # prefix match
    ("foo/**\n", "foobar.txt", False, False),
    ("**\n", "anything/at/all.txt", False, True),
    ("**foo\n", "barfoo", False, True),  # suffix match: `**foo` is any path ending in foo
    ("**foo\n", "a/barfoo", False, True),
    ("a?c\n", "a/c", False, False),  # `?` never matches `/`
    ("a*c\n", "ab/c", False, False),
    ("[a-c].txt\n", "b.txt", False, True),
    ("[^a-c].txt\n", "b.txt", False, False),
    ("x\\*y\n", "x*y", False, True),  # `\` escapes
    ("x\\*y\n", "xzy", False, False),
    ("a.b\n", "axb", False, False),  # `.` is literal
    # fsutil skips an excluded directory unless an exception could re-include something in
    # it: `!**/keep.txt` has a wildcard, so every directory is walked and keep.txt stays
    ("docs\n!**/keep.txt\n", "docs/keep.txt", False, False),
    # ... but with only literal exceptions, one naming another directory cannot help
    ("docs\n!other/keep.txt\n", "docs/keep.txt", False, True),
    ("docs\n!docs/keep.txt\n", "docs/keep.txt", False, False),
    ("docs\n!docs/keep.txt\n", "docs/drop.txt", False, True),
]


@pytest.mark.parametrize(("ignore", "path", "is_dir", "excluded"), DOCS + MATCHER)
def test_excluded(ignore: str, path: str, is_dir: bool, excluded: bool) -> None:
    assert Matcher.parse(ignore).excluded(path, is_dir) is excluded


def test_patterns_are_cleaned_like_ignorefile_readall() -> None:
    patterns = read_patterns("# c\n/abs/path\n! spaced\n\n  \nsub/../x\n")
    assert [(p.text, p.exclusion, p.line) for p in patterns] == [
        ("abs/path", False, 2),
        ("spaced", True, 3),
        ("x", False, 6),
    ]


def test_a_lone_exclamation_mark_is_rejected() -> None:
    with pytest.raises(ValueError, match="illegal exclusion pattern"):
        read_patterns("ok\n!\n")


def test_culprit_names_the_deciding_line() -> None:
    matcher = Matcher.parse("*.txt\n!keep.txt\nrequirements/\n")
    culprit = matcher.culprit("requirements/base.txt")
    assert culprit is not None and culprit.line == 3
