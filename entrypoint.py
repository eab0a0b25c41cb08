"""Docker entrypoint of the heroku-req-check action: the same core as the CLI.

With no arguments (the `uses: org/heroku-req-check@v1` form) it reads the action's INPUT_*
variables. With arguments (`uses: docker://...` plus `with: args: ...`) it is the CLI.
"""

import sys

if __name__ == "__main__":
    if len(sys.argv) > 1:
        from heroku_req_check.cli import main

        sys.exit(main(sys.argv[1:]))
    from heroku_req_check.action import run

    sys.exit(run())
