"""heroku-req-check: find requirements that deployment buildpacks miss."""

__version__ = "1.0.0"

# Where the project is published, "owner/name" on GitHub: the one setting behind every link the
# tool prints (issues, SARIF help) and, through scripts/set-owner, behind the README's and the
# examples' `uses:` lines. `org` is a placeholder until the project has an owner; the release
# workflow derives the image name from the repository it runs in, not from this.
REPOSITORY = "org/heroku-req-check"
HOME_URL = f"https://github.com/{REPOSITORY}"
ISSUES_URL = f"{HOME_URL}/issues"
