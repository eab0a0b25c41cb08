"""Docker entrypoint of the heroku-req-check action: the same core as the CLI.

With no arguments (the `uses: <owner>/heroku-req-check@v1` form) it reads the action's INPUT_*
variables. With arguments (`uses: docker://...` plus `with: args: ...`) it is the CLI.
"""

import signal
import sys


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(signum)


def _main() -> int:
    from heroku_req_check.cli import install_signal_handlers

    install_signal_handlers()
    if len(sys.argv) > 1:
        from heroku_req_check.cli import main

        return main(sys.argv[1:])
    from heroku_req_check.action import run

    return run()


if __name__ == "__main__":
    # In the container this process is PID 1, which gets no SIGTERM without a handler: one is
    # in place from the first line, before the imports (cli.install_signal_handlers then takes
    # over with the same behaviour).
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        sys.exit(_main())
    except KeyboardInterrupt as stop:  # a signal during the imports, before the handlers
        signum = getattr(stop, "signum", None) or (stop.args[0] if stop.args else signal.SIGINT)
        sys.stderr.write(f"heroku-req-check: cancelled ({signal.Signals(signum).name})\n")
        sys.exit(128 + signum)
