"""Benchmark: heroku-req-check against `grep -rFi` and pip's own parsers, as ratios in one run.

    .venv/bin/python bench/run.py                 # seed app, 1,000 and 10,000 files, 5 rounds
    .venv/bin/python bench/run.py --sizes 1000 --repeat 3
    .venv/bin/python bench/run.py --cold-start    # plus the image: size, build, start (podman)
    .venv/bin/python bench/run.py --sizes docker1000    # a repository of 1,000 Dockerfiles

For each generated tree (bench/treegen.py, seeded) the commands run interleaved, round by round
with the order rotated each round, so machine noise lands on all of them alike. Each command is
a fresh process; its wall time and peak RSS (from wait4) are recorded. The slow comparisons
(pip's walk and pip-requirements-parser on every file) run `--slow-repeat` times only.
Results are checked: the tool's findings, pip's walk and the generator agree on which catalog
packages sit in which nested files. Prints a Markdown report (machine, medians, ratios).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.treegen import Generated, generate, generate_docker, generate_seed_app

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent


@dataclass
class Command:
    label: str
    argv: list[str]
    slow: bool = False
    times: list[float] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)
    last_stdout: bytes = b""


def run_once(command: Command) -> None:
    start = time.perf_counter()
    proc = subprocess.Popen(command.argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = proc.stdout.read() if proc.stdout else b""
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):  # 1: the tool found something / grep found nothing
        raise SystemExit(f"{command.label} exited {proc.returncode}: {' '.join(command.argv)}")
    command.times.append(elapsed)
    command.rss_kb.append(usage.ru_maxrss)
    command.last_stdout = out


def measure(commands: list[Command], repeat: int, slow_repeat: int) -> None:
    for command in commands:  # one untimed warm-up each: page cache, .pyc files
        if not command.slow:
            run_once(command)
            command.times.clear()
            command.rss_kb.clear()
    for round_number in range(repeat):
        shift = round_number % len(commands)
        for command in commands[shift:] + commands[:shift]:
            if command.slow and len(command.times) >= slow_repeat:
                continue
            run_once(command)


def tool_catalog_hits(stdout: bytes) -> set[tuple[str, str]]:
    """(file, package) of the findings about a package (not Railpack's root includes)."""
    from heroku_req_check.catalog import load

    about_files = {r.id for p in load() for r in p.rules if not r.packages and not r.vcs}
    report = json.loads(stdout)
    return {
        (f["file"], f["package"])
        for f in report["findings"]
        if f["rule"].partition(":")[0] not in about_files
    }


def bench_tree(name: str, tree: Generated, args: argparse.Namespace) -> dict[str, object]:
    py = sys.executable
    # every platform and release, as before deployment detection made the default narrower:
    # the generated trees have no deployment configuration, so the default run would model
    # only each platform's current release
    tool = Command(
        "heroku-req-check --format json --platform all",
        [str(BIN / "heroku-req-check"), "--format", "json", "--platform", "all", str(tree.root)],
    )
    full = Command(f"{tool.label} --no-prescan", [*tool.argv, "--no-prescan"])
    grep = Command("grep -rFi pylibmc", ["grep", "-rFi", "pylibmc", str(tree.root)])
    from heroku_req_check.catalog import interest_keys

    keys = ",".join(sorted(interest_keys()))
    pip_walk = Command(
        "pip parse_requirements walk",
        [py, str(HERE / "pip_walk.py"), str(tree.root), keys],
        slow=True,
    )
    prp = Command(
        "pip-requirements-parser, every file",
        [py, str(HERE / "prp_walk.py"), str(tree.root)],
        slow=True,
    )
    default = Command(
        "heroku-req-check --format json (default: current releases)",
        [str(BIN / "heroku-req-check"), "--format", "json", str(tree.root)],
    )
    commands = [tool, full, grep, pip_walk, prp, default]
    if name == "seed":
        commands.append(Command("python -c pass", [py, "-c", "pass"]))
    measure(commands, args.repeat, args.slow_repeat if name != "seed" else args.repeat)
    expected = {(f, p.lower()) for f, p in tree.catalog_nested}
    from_pip = {tuple(x) for x in json.loads(pip_walk.last_stdout)["catalog"]}
    from_tool = tool_catalog_hits(tool.last_stdout)
    # the prescan must change nothing; pip must see the packages the generator planted; every
    # finding must be a catalog package pip sees in that file (a release that misses a package
    # everywhere reports it once, so the tool may name fewer files than pip)
    identical = (
        tool.last_stdout == full.last_stdout and expected <= from_pip and from_tool <= from_pip
    )
    return {
        "name": name,
        "tree": tree,
        "commands": commands,
        "identical": identical,
        "detail": (sorted(from_tool), sorted(expected), sorted(from_pip)),
    }


def bench_docker(tree: Generated, args: argparse.Namespace, size: str) -> dict[str, object]:
    """The docker platform on a repository of Dockerfiles: the model alone, every platform,
    and `grep -rF "pip install"` (reading every file once) as the floor."""
    tool = Command(
        "heroku-req-check --platform docker --format json",
        [str(BIN / "heroku-req-check"), "--platform", "docker", "--format", "json",
         str(tree.root)],
    )  # fmt: skip
    every = Command(
        "heroku-req-check --format json (every platform)",
        [str(BIN / "heroku-req-check"), "--format", "json", str(tree.root)],
    )
    grep = Command('grep -rF "pip install"', ["grep", "-rF", "pip install", str(tree.root)])
    commands = [tool, every, grep, Command("python -c pass", [sys.executable, "-c", "pass"])]
    measure(commands, args.repeat, args.repeat)
    report_json = json.loads(tool.last_stdout)
    found = {
        (f["file"], f["package"])
        for f in report_json["findings"]
        if f["rule"].startswith("docker/")
    }
    identical = found == set(tree.catalog_nested) and tool.last_stdout.count(b'"fix"') > 0
    return {
        "name": f"{size} ({size[6:] or 1000} Dockerfiles; identical = the planted misses)",
        "tree": tree,
        "commands": commands,
        "identical": identical and not report_json["problems"],
        "detail": (
            sorted(found - set(tree.catalog_nested)),
            sorted(set(tree.catalog_nested) - found),
        ),
    }


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    grep_version = subprocess.run(["grep", "--version"], capture_output=True, text=True)
    return (
        f"{platform.system()} {platform.machine()}, {cpu}, {os.cpu_count()} cores; "
        f"Python {platform.python_version()}; {grep_version.stdout.splitlines()[0]}"
    )


def report(results: list[dict[str, object]], args: argparse.Namespace) -> str:
    lines = [
        f"Machine: {machine()}",
        f"Rounds: {args.repeat} (slow comparisons: {args.slow_repeat}), seed {args.seed}",
        "",
    ]
    for result in results:
        tree = result["tree"]
        assert isinstance(tree, Generated)
        commands = result["commands"]
        assert isinstance(commands, list)
        tool = commands[0]
        lines.append(
            f"### {result['name']}: {tree.files} files, {tree.lines} lines, "
            f"{tree.bytes / 1e6:.1f} MB; results identical: "
            f"{'yes' if result['identical'] else 'NO'}"
        )
        lines.append("")
        lines.append("| command | runs | median s | x tool | peak RSS MB |")
        lines.append("|---|---|---|---|---|")
        base = median(tool.times)
        for command in commands:
            m = median(command.times)
            lines.append(
                f"| {command.label} | {len(command.times)} | {m:.3f} | {m / base:.2f} | "
                f"{max(command.rss_kb) / 1024:.0f} |"
            )
        lines.append("")
        if not result["identical"]:
            lines.append(f"Mismatch (tool, planted, pip): {result['detail']}")
            lines.append("")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="seed,1000,10000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--slow-repeat", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--cold-start",
        action="store_true",
        help="also measure the Docker action's cold start (podman, as root; bench/coldstart.py)",
    )
    args = parser.parse_args()
    # an installed package has its bytecode compiled (pip compiles on install); an editable
    # checkout run with PYTHONDONTWRITEBYTECODE=1 would otherwise be timed compiling itself
    import compileall

    import heroku_req_check

    compileall.compile_dir(Path(heroku_req_check.__file__).parent, quiet=1)
    results = []
    with tempfile.TemporaryDirectory(prefix="hrc-bench-") as tmp:
        for size in args.sizes.split(","):
            dest = Path(tmp) / size
            if size.startswith("docker"):
                tree = generate_docker(dest, dockerfiles=int(size[6:] or 1000), seed=args.seed)
                print(f"measuring {size} ...", file=sys.stderr)
                results.append(bench_docker(tree, args, size))
                continue
            if size == "seed":
                tree = generate_seed_app(dest)
            else:
                tree = generate(dest, files=int(size), seed=args.seed)
            print(f"measuring {size} ...", file=sys.stderr)
            results.append(bench_tree(size, tree, args))
    print(report(results, args))
    if args.cold_start:
        from bench.coldstart import measure as cold_start

        print("### Cold start of the Docker action\n")
        print("\n".join(cold_start(args.repeat)))
    return 0 if all(r["identical"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
