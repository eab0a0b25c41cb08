"""Docker entrypoint of the heroku-req-check action: the same core as the CLI."""

import sys

from heroku_req_check.action import run

if __name__ == "__main__":
    sys.exit(run())
