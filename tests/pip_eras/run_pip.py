"""Run one old pip, imported once, on several requirements files: each in a forked child.

    python run_pip.py PIP_WHEEL FILE...   ->  one JSON line per file: {"file", "status", "output"}

The child runs `pip install --no-index --download` (pip < 8) or `pip download --no-index`, so
nothing is fetched or installed: pip reads the files, builds its requirement set (where
"Double requirement given" is raised) and then finds no distribution. status is "double"
when pip rejected a name given twice, "unreadable" when it could not read a file, else "ok".
"""

from __future__ import annotations

import json
import os
import sys
import tempfile


def _main_function():  # type: ignore[no-untyped-def]
    try:
        from pip._internal.cli.main import main  # pip 19.3+
    except ImportError:
        try:
            from pip._internal import main  # type: ignore[attr-defined,no-redef]  # 10-19.2
        except ImportError:
            from pip import main  # type: ignore[attr-defined,no-redef]  # up to 9
    return main


def main() -> int:
    wheel, files = sys.argv[1], sys.argv[2:]
    sys.path.insert(0, wheel)
    import pip

    run = _main_function()
    old = int(pip.__version__.split(".")[0]) < 8
    download = tempfile.mkdtemp()
    for path in files:
        with tempfile.TemporaryFile() as log:
            pid = os.fork()
            if pid == 0:
                os.dup2(log.fileno(), 1)
                os.dup2(log.fileno(), 2)
                if old:
                    args = ["install", "--no-index", "--download", download, "-r", path]
                else:
                    args = ["download", "--no-index", "-d", download, "-r", path]
                try:
                    code = run(args)
                except SystemExit as exc:
                    code = exc.code if isinstance(exc.code, int) else 1
                except BaseException:  # the child reports anything and exits
                    import traceback

                    traceback.print_exc()
                    code = 3
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code or 0)
            os.waitpid(pid, 0)
            log.seek(0)
            output = log.read().decode("utf-8", "replace")
        if "Double requirement given" in output:
            status = "double"
        elif "Could not open requirements file" in output or "Traceback" in output:
            status = "unreadable"
        else:
            status = "ok"
        print(json.dumps({"file": path, "status": status, "output": output[-2000:]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
