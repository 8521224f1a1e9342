"""Runs TF-Slim 1.1.0's own test files against slimlib and reports per-file results.

    .venv/bin/python tests/tf_slim_conformance/conformance_runner.py [-j JOBS] [-o] [FILTER ...]
        [-- PYTEST ARGS]

FILTER selects the files whose path (`layers/utils_test.py`) contains it; none runs all 35.

Each test file runs in its own pytest subprocess (TF-Slim's files switch eager execution off
for their whole process, as its own test runner runs one process per file), with the alias
package `tests/tf_slim_conformance/alias` first on sys.path so that `import tf_slim` is
slimlib, and with `conformance_plugin` loaded. The table and the pass rate are printed and
written to test-artifacts/tf_slim_conformance.{txt,json}.
"""

import argparse
import ast
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ALIAS = HERE / "alias"
REPO = HERE.parent.parent
ARTIFACTS = REPO / "test-artifacts"
# A file that runs longer than this is stopped; its unreported tests count as errors.
FILE_TIMEOUT_S = 1800

sys.path.insert(0, str(HERE))
import tf_slim_wheel  # noqa: E402
from excluded import EXCLUDED  # noqa: E402


@dataclass
class FileResult:
    file: str
    collected: int = 0
    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    excluded: int = 0
    import_error: str = ""
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    foreign_tf_slim: dict = field(default_factory=dict)
    # node id -> "failed: <the error's first line>", "error: ..." or "skipped: <reason>"
    not_passing: dict = field(default_factory=dict)
    durations: dict = field(default_factory=dict)  # node id -> seconds


@dataclass
class Summary:
    files: list[FileResult]
    seconds: float

    @property
    def collected(self) -> int:
        return sum(f.collected for f in self.files)

    @property
    def passed(self) -> int:
        return sum(f.passed for f in self.files)

    @property
    def rate(self) -> float:
        return self.passed / self.collected if self.collected else 0.0

    @property
    def foreign_tf_slim(self) -> dict:
        return {k: v for f in self.files for k, v in f.foreign_tf_slim.items()}

    def table(self) -> str:
        header = f"{'TF-Slim test file':<40} {'collected':>9} {'passed':>7} {'failed':>7} "
        header += f"{'errors':>7} {'skipped':>7} {'excluded':>8} {'secs':>6} {'cpu s':>6}"
        lines = [header]
        for f in self.files:
            note = "  (import failed)" if f.import_error else ""
            lines.append(
                f"{f.file:<40} {f.collected:>9} {f.passed:>7} {f.failed:>7} {f.errors:>7} "
                f"{f.skipped:>7} {f.excluded:>8} {f.seconds:>6.0f} {f.cpu_seconds:>6.0f}{note}"
            )
        total = FileResult(
            "TOTAL",
            *(sum(getattr(f, k) for f in self.files) for k in ("collected", "passed", "failed")),
            *(sum(getattr(f, k) for f in self.files) for k in ("errors", "skipped", "excluded")),
        )
        lines.append(
            f"{total.file:<40} {total.collected:>9} {total.passed:>7} {total.failed:>7} "
            f"{total.errors:>7} {total.skipped:>7} {total.excluded:>8} {self.seconds:>6.0f} "
            f"{sum(f.cpu_seconds for f in self.files):>6.0f}"
        )
        lines.append(
            f"TF-Slim conformance: {self.passed} of {self.collected} tests pass "
            f"({100 * self.rate:.1f}%)"
        )
        return "\n".join(lines)


def static_test_count(path: Path, relative: str, excluded=EXCLUDED) -> int:
    """Test methods a file defines (by reading it), less its excluded ones: what counts for a
    file that fails to import and so collects nothing."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    ids = {
        f"{relative}::{node.name}::{item.name}"
        for node in tree.body
        if isinstance(node, ast.ClassDef)
        for item in node.body
        if isinstance(item, ast.FunctionDef) and item.name.startswith("test")
    }
    return len(ids - set(excluded))


def _environment(report: Path, excluded: list[str]) -> dict:
    env = dict(os.environ)
    # The alias first, then this folder (the plugin and the exclusion list), then the
    # checkout, so that slimlib is the one under test.
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ALIAS), str(HERE), str(REPO)] + [p for p in [env.get("PYTHONPATH")] if p]
    )
    env["TF_SLIM_CONFORMANCE_REPORT"] = str(report)
    env["TF_SLIM_CONFORMANCE_EXCLUDED"] = json.dumps(excluded)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("CUDA_VISIBLE_DEVICES", env.get("CUDA_VISIBLE_DEVICES", ""))
    return env


def run_file(
    root: Path, test_file: Path, pytest_args: list[str], excluded=EXCLUDED, show_output=False
) -> FileResult:
    relative = test_file.relative_to(root).as_posix()
    excluded_here = sorted(t for t in excluded if t.startswith(relative + "::"))
    result = FileResult(relative)
    report = root / ".reports" / (relative.replace("/", "__") + ".jsonl")
    report.parent.mkdir(exist_ok=True)
    command = [sys.executable, "-m", "pytest", "-p", "conformance_plugin", "-p", "no:cacheprovider"]
    command += ["--import-mode=importlib", "--rootdir", str(root), "-c", str(root / "pytest.ini")]
    command += ["-q", "--no-header", "-rN", "-W", "ignore", *pytest_args, relative]
    started = time.monotonic()
    try:
        subprocess.run(
            command, cwd=root, env=_environment(report, excluded_here), timeout=FILE_TIMEOUT_S,
            stdout=None if show_output else subprocess.DEVNULL,
            stderr=None if show_output else subprocess.DEVNULL,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        result.import_error = f"stopped after {FILE_TIMEOUT_S} s"
    result.seconds = time.monotonic() - started
    events = []
    if report.is_file():
        events = [json.loads(line) for line in report.read_text().splitlines() if line]
    outcomes: dict[str, str] = {}
    messages: dict[str, str] = {}
    for event in events:
        if event["event"] == "collected":
            result.collected = event["collected"]
            result.excluded = len(event["excluded"])
        elif event["event"] == "collect_error":
            result.import_error = event["message"]
        elif event["event"] == "finished":
            result.foreign_tf_slim = event["foreign_tf_slim"]
            result.cpu_seconds = event.get("cpu_seconds", 0.0)
        elif event["event"] == "test":
            durations = result.durations
            durations[event["nodeid"]] = durations.get(event["nodeid"], 0) + event.get("seconds", 0)
            previous = outcomes.get(event["nodeid"])
            if event.get("message") and event["outcome"] != "passed":
                messages.setdefault(event["nodeid"], event["message"])
            if event["when"] == "call":
                outcomes[event["nodeid"]] = event["outcome"]
            elif event["outcome"] == "skipped":
                outcomes[event["nodeid"]] = "skipped"
            elif previous in (None, "passed"):
                outcomes[event["nodeid"]] = "error"  # setup or teardown failed
    if result.import_error and not result.collected:
        result.collected = static_test_count(test_file, relative, excluded_here)
        result.excluded = len(excluded_here)
    result.not_passing = {
        t: f"{o}: {messages.get(t, '')}".rstrip(": ") for t, o in outcomes.items() if o != "passed"
    }
    result.passed = sum(1 for o in outcomes.values() if o == "passed")
    result.failed = sum(1 for o in outcomes.values() if o == "failed")
    result.skipped = sum(1 for o in outcomes.values() if o == "skipped")
    # Errors: setup/teardown failures, plus every test that never reported (import failure,
    # crash, timeout).
    result.errors = result.collected - result.passed - result.failed - result.skipped
    return result


def run(
    jobs: int = 2,
    select: str | list[str] = "",
    pytest_args: list[str] | None = None,
    show_output=False,
) -> Summary:
    """Fetches the wheel, runs its test files (those whose path contains `select`, or one of
    them); with `show_output`, each pytest run prints its own report (tracebacks included)."""
    selects = [select] if isinstance(select, str) else list(select) or [""]
    wheel = tf_slim_wheel.cached_wheel()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="tf-slim-tests-") as folder:
        root = Path(folder)
        files = [
            f
            for f in tf_slim_wheel.extract_test_files(wheel, root)
            if any(part in f.relative_to(root).as_posix() for part in selects)
        ]
        if not files:
            raise ValueError(f"no TF-Slim test file path contains any of {selects}")
        (root / "pytest.ini").write_text("[pytest]\n")
        # The slowest files (the nets) first, so that parallel jobs finish together.
        ordered = sorted(files, key=lambda f: (f.parent.name != "nets", -f.stat().st_size))
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            results = list(
                pool.map(
                    lambda f: run_file(root, f, pytest_args or [], show_output=show_output),
                    ordered,
                )
            )
    results.sort(key=lambda r: r.file)
    return Summary(results, time.monotonic() - started)


def write_artifacts(summary: Summary, directory: Path = ARTIFACTS) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "tf_slim_conformance.txt").write_text(summary.table() + "\n")
    data = {
        "rate": summary.rate,
        "passed": summary.passed,
        "collected": summary.collected,
        "seconds": summary.seconds,
        "files": [asdict(f) for f in summary.files],
    }
    durations = {t: s for f in summary.files for t, s in f.durations.items()}
    data["slowest_tests"] = dict(sorted(durations.items(), key=lambda kv: -kv[1])[:30])
    (directory / "tf_slim_conformance.json").write_text(json.dumps(data, indent=1) + "\n")


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    # Everything after `--` goes to pytest; before it, words select files.
    pytest_args = argv[argv.index("--") + 1 :] if "--" in argv else []
    argv = argv[: argv.index("--")] if "--" in argv else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-j", "--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("-k", "--files", default="", help="only files whose path contains this")
    parser.add_argument(
        "-o", "--output", action="store_true", help="show each pytest run's own report"
    )
    parser.add_argument("select", nargs="*", help="like -k: only files whose path contains one")
    args = parser.parse_args(argv)
    selects = [*args.select, *([args.files] if args.files else [])]
    summary = run(args.jobs, selects, pytest_args, show_output=args.output)
    write_artifacts(summary)
    print(summary.table())
    if summary.foreign_tf_slim:
        print(f"tf_slim modules from outside the alias: {summary.foreign_tf_slim}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
