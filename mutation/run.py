"""Mutation testing of the planner's core modules with mutmut 3, one module at a time.

    python mutation/run.py                       # every core module (hours on a busy 2-core machine)
    python mutation/run.py fca demand            # some modules
    python mutation/run.py --report-only         # only rewrite docs/mutation.md from mutants/
    python mutation/run.py --sample 80 scenario  # a seeded random sample of 80 mutants (estimate)
    python mutation/run.py --recheck-timeouts optimise  # re-run timed-out mutants in a fresh process
    python mutation/run.py --recheck-timeouts --recheck-survivors optimise  # ... and survivors, new tests
    python mutation/run.py --sample-all 150 --seed 29   # a random sample across all of planner/,
                                                        # against the full suite minus browser tests
    python mutation/run.py --recheck-timeouts --sample-all-recheck  # its timeouts again, one by one
    python mutation/run.py --recheck-timeouts --sample-all-recheck --unchecked --cap 300  # and the rest

Each module's mutants run against the fast hand-worked test subset configured in
pyproject.toml ``[tool.mutmut]`` (``PLANNER_MUTATION=1`` deselects the tests on the whole
embedded study, see tests/conftest.py). The report (docs/mutation.md, and the summary table
between the ``mutation`` markers of README.md) gives per module the kill rate

    killed / (mutants - equivalent)

where *killed* includes timeouts (a mutant that hangs is detected) and *equivalent* are the
surviving mutants listed with a one-line reason in mutation/equivalent.txt (a mutant that
cannot change any observable behaviour). Every other survivor is listed as a test gap.

``--sample-all N`` (issue 28) measures the suite as a whole instead: a seeded random sample of
N mutants drawn from every module of ``planner/`` (not only the core), each run against the
full test suite minus the browser tests (``PLANNER_NO_BROWSER=1``: what runs without Chromium),
without ``PLANNER_MUTATION`` (the whole-study tests count too). It works in an isolated copy
of the project (``mutants-all/``, its own ``[tool.mutmut]``), so the per-module results in
``mutants/`` stay as they are; its figures go to ``mutation/sample_all.json`` and a row of the
report and README table. mutmut runs, per mutant, the tests that reach the mutated function
(recorded in one instrumented run of the whole selection first): the same verdict as the full
suite, since no other test executes that code.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import io
import json
import os
import re
import subprocess
import sys
import threading
import time
import tokenize
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = ROOT / "mutants"
EQUIVALENT = ROOT / "mutation" / "equivalent.txt"
EQUIVALENT_ALL = ROOT / "mutation" / "equivalent_sample_all.txt"
TIMINGS = ROOT / "mutation" / "timings.json"
REPORT = ROOT / "docs" / "mutation.md"
README = ROOT / "README.md"
TARGET = 85.0
ALL_DIR = ROOT / "mutants-all"  # --sample-all: an isolated copy of the project with its own mutants/
SAMPLE_ALL = ROOT / "mutation" / "sample_all.json"
FULL_SUITE = ["tests/"]  # with PLANNER_NO_BROWSER=1: the whole suite as it runs without Chromium
# (mutmut splits its pytest arguments at spaces, so `-m "not browser"` cannot be passed through it)
SAMPLE_ALL_ROW = "all of planner/"

# module -> (mutant-name glob for `mutmut run`, meta files under mutants/)
MODULES: dict[str, tuple[str, list[str]]] = {
    "accessibility": ("planner.analysis.accessibility.*", ["planner/analysis/accessibility.py.meta"]),
    "demand": ("planner.inputs.demand.*", ["planner/inputs/demand.py.meta"]),
    "comparison": ("planner.analysis.comparison.*", ["planner/analysis/comparison.py.meta"]),
    "scenario": ("planner.analysis.scenario.*", ["planner/analysis/scenario.py.meta"]),
    "fca": ("planner.analysis.fca.*", ["planner/analysis/fca.py.meta"]),
    "data": ("planner.inputs.data.*", ["planner/inputs/data.py.meta"]),
    "optimise": ("planner.optimise.*", ["planner/optimise/inputs.py.meta", "planner/optimise/run.py.meta",
                                        "planner/optimise/solver.py.meta"]),
}
KILLED = {1, 3}
TIMEOUT = {36, -24, 24, 152, 255}
SURVIVED = {0}
NO_TESTS = {5, 33}


def equivalents() -> dict[str, str]:
    """``mutant name -> reason`` from mutation/equivalent.txt and, for the samples across planner/,
    mutation/equivalent_sample_all.txt (``name: reason`` per line)."""
    out = {}
    for path in (EQUIVALENT, EQUIVALENT_ALL):
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                name, _, reason = line.partition(":")
                out[name.strip()] = reason.strip()
    return out


def exit_codes(module: str) -> dict[str, int | None]:
    codes: dict[str, int | None] = {}
    for meta in MODULES[module][1]:
        path = MUTANTS / meta
        if path.exists():
            codes.update(json.loads(path.read_text())["exit_code_by_key"])
    return codes


def stats(module: str, equiv: dict[str, str]) -> dict[str, object]:
    return {"module": module, **_count(exit_codes(module), mutant_diffs(module), equiv)}


def _count(codes: dict[str, int | None], diffs: dict[str, tuple[str, str]],
           equiv: dict[str, str]) -> dict[str, object]:
    """Counts, kill rates and the names of survivors, equivalents and message-text mutants."""
    c = Counter()
    survivors, equivalent, messages = [], [], []
    for name, code in sorted(codes.items(), key=lambda kv: _natural(kv[0])):
        if code is None:
            c["not_checked"] += 1
        elif code in KILLED:
            c["killed"] += 1
        elif code in TIMEOUT:
            c["timeout"] += 1
        elif name in equiv:
            c["equivalent"] += 1
            equivalent.append(name)
        elif is_message_text(*diffs.get(name, ("", ""))):
            c["message_text"] += 1
            messages.append(name)
        elif code in NO_TESTS:
            c["no_tests"] += 1
            survivors.append(name)
        else:
            c["survived"] += 1
            survivors.append(name)
    checked = len(codes) - c["not_checked"]
    denom = checked - c["equivalent"]
    detected = c["killed"] + c["timeout"]
    rate = 100.0 * detected / denom if denom else float("nan")
    denom_b = denom - c["message_text"]
    rate_b = 100.0 * detected / denom_b if denom_b else float("nan")
    return {"mutants": len(codes), "checked": checked, **c, "rate": rate,
            "rate_behaviour": rate_b, "survivors": survivors, "equivalent_names": equivalent,
            "message_names": messages, "diffs": diffs}


def _natural(name: str) -> tuple:
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name))


def mutant_diffs(module: str) -> dict[str, tuple[str, str]]:
    """``mutant name -> (original line, mutated line)`` read from the mutated sources."""
    out: dict[str, tuple[str, str]] = {}
    for meta in MODULES[module][1]:
        src_path = MUTANTS / meta.removesuffix(".meta")
        if not src_path.exists():
            continue
        out.update(_diffs_from_source(src_path, meta.removesuffix(".py.meta").replace("/", ".")))
    return out


def _diffs_from_source(src_path: Path, dotted: str,
                       wanted: set[str] | None = None) -> dict[str, tuple[str, str]]:
    """``mutant name -> (original line, mutated line)`` of one mutated source file (only the
    ``wanted`` mutants, when given)."""
    out: dict[str, tuple[str, str]] = {}
    if src_path.exists():
        src = src_path.read_text(encoding="utf-8")
        lines = src.splitlines()
        funcs: dict[str, dict[str, str]] = {}
        for node in ast.walk(ast.parse(src)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                m = re.fullmatch(r"(.+)__mutmut_(\d+|orig)", node.name)
                if m:  # the body without the def line (which carries the mutant's name)
                    body = "\n".join(lines[node.lineno:node.end_lineno])
                    funcs.setdefault(m.group(1), {})[m.group(2)] = body
        for base, versions in funcs.items():
            orig = versions.get("orig", "").splitlines()
            for n, body in versions.items():
                if n == "orig" or (wanted is not None and f"{dotted}.{base}__mutmut_{n}" not in wanted):
                    continue
                diff = list(difflib.unified_diff(orig, body.splitlines(), n=0, lineterm=""))[2:]
                minus = next((d[1:].strip() for d in diff if d.startswith("-")), "")
                plus = next((d[1:].strip() for d in diff if d.startswith("+")), "")
                out[f"{dotted}.{base}__mutmut_{n}"] = (minus, plus)
    return out


def _strings(line: str) -> tuple[list[str], list[str]] | None:
    """(non-string tokens, string tokens) of one line, or None if it does not tokenize alone."""
    try:
        toks = list(tokenize.generate_tokens(io.StringIO(line).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return None
    other = [t.string for t in toks if t.type != tokenize.STRING]
    return other, [t.string for t in toks if t.type == tokenize.STRING]


def is_message_text(orig: str, mutated: str) -> bool:
    """True when a mutant only changes the wording of a human-readable message (a string with
    a space in it, e.g. an error text), not a key, column name, code or number."""
    a, b = _strings(orig), _strings(mutated)
    if a is None or b is None or a[0] != b[0] or a[1] == b[1] or len(a[1]) != len(b[1]):
        return False  # (a string argument dropped is not a wording change)
    # the wording may change, not the code inside an f-string's braces
    return all(x == y or (" " in x and re.findall(r"\{[^}]*\}", x) == re.findall(r"\{[^}]*\}", y))
               for x, y in zip(a[1], b[1], strict=False))


def run_module(module: str, max_children: int, sample: int = 0) -> float:
    """Run the module's mutants (all, or a seeded random sample of ``sample`` of them)."""
    env = {**os.environ, "PLANNER_MUTATION": "1"}
    names = [MODULES[module][0]]
    if sample:
        if not exit_codes(module):  # mutants not generated yet: `mutmut run` of no name generates them
            subprocess.run([sys.executable, "-m", "mutmut", "run", "--max-children", "1", "none.*"],
                           cwd=ROOT, env=env, check=False)
        import random

        pool = sorted(exit_codes(module), key=_natural)
        names = random.Random(16).sample(pool, min(sample, len(pool)))
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mutmut", "run", "--max-children", str(max_children), *names],
                   cwd=ROOT, env=env, check=False)
    return time.perf_counter() - t0


def recheck_timeouts(module: str, survivors: bool = False) -> Counter:
    """Run each timed-out mutant again in a fresh pytest process with a generous wall-clock limit.

    mutmut's timeout is a CPU-time limit on a forked worker; on a loaded machine (and with
    the solver's threads) mutants whose tests merely ran slowly were counted as timeouts,
    i.e. as detected. A mutant whose tests now pass is recorded as survived (exit code 0),
    one whose tests fail as killed (1); one that still exceeds the limit stays a timeout.
    With ``survivors`` the surviving mutants are run again too, against the test files that
    reach the mutated function and those of the selection named after the module, as they
    are now (tests added since the run are copied in).
    """
    import shutil
    import tomllib

    shutil.copytree(ROOT / "tests", MUTANTS / "tests", dirs_exist_ok=True)
    selection = [t for t in tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
                 ["pytest_add_cli_args_test_selection"] if t.startswith("tests/")]
    stats_file = json.loads((MUTANTS / "mutmut-stats.json").read_text())
    tests_by_func = stats_file["tests_by_mangled_function_name"]
    durations = stats_file.get("duration_by_test", {})
    env = {**os.environ, "PLANNER_MUTATION": "1"}
    out: Counter = Counter()
    for meta in MODULES[module][1]:
        path = MUTANTS / meta
        if not path.exists():
            continue
        data = json.loads(path.read_text())
        for name, code in sorted(data["exit_code_by_key"].items()):
            if code in TIMEOUT:
                tests = sorted(tests_by_func.get(re.sub(r"__mutmut_\d+$", "", name), ()))
            elif survivors and code in SURVIVED | NO_TESTS:  # the files that reach it, and the module's own
                mapped = tests_by_func.get(re.sub(r"__mutmut_\d+$", "", name), ())
                tests = sorted({t.split("::")[0] for t in mapped} | {t for t in selection if module in t})
            else:
                continue
            limit = 60 + 10 * sum(durations.get(t, 1.0) for t in tests)
            try:
                rc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                                     *tests], cwd=MUTANTS, env={**env, "MUTANT_UNDER_TEST": name},
                                    capture_output=True, timeout=limit).returncode
            except subprocess.TimeoutExpired:
                out["timeout"] += 1
                continue
            if rc in (0, 1):
                data["exit_code_by_key"][name] = rc
                out["survived" if rc == 0 else "killed"] += 1
                print(f"{'survived' if rc == 0 else 'killed':8} {name}")
        path.write_text(json.dumps(data, indent=4))
    return out


def _project_files() -> list[str]:
    """Every file of the project as git sees it (tracked, and new files not ignored)."""
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                         capture_output=True, check=True).stdout.decode().split("\0")
    return sorted({f for f in out if f and not f.startswith(("mutants", ".venv")) and (ROOT / f).exists()
                   or (f and (ROOT / f).is_symlink())})


def _toml_list(values: list[str]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def all_config(pyproject: str, tests: list[str], top_level: list[str]) -> str:
    """``pyproject`` with its ``[tool.mutmut]`` table replaced by the sample-all one: every module
    of planner/ mutated, ``tests`` as the selection, every other top-level entry copied along
    (README, docs, notebooks, geodata ...: tests read them)."""
    head, _, rest = pyproject.partition("[tool.mutmut]")
    nxt = re.search(r"^\[", rest, re.M)
    tail = rest[nxt.start():] if nxt else ""
    section = "\n".join([
        "[tool.mutmut]",
        'source_paths = ["planner/"]',
        f"also_copy = {_toml_list(top_level)}",
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "-q"]',
        f"pytest_add_cli_args_test_selection = {_toml_list(tests)}",
        "use_git_change_detection = false",  # the copy is inside this repository's work tree
        "", ""])
    return head + section + tail


def prepare_all(tests: list[str]) -> None:
    """A fresh copy of the project in ALL_DIR with the sample-all mutmut configuration."""
    import shutil

    if ALL_DIR.exists():
        shutil.rmtree(ALL_DIR)
    files = _project_files()
    for f in files:
        src, dst = ROOT / f, ALL_DIR / f
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_symlink():
            os.symlink(os.readlink(src), dst)
        else:
            shutil.copy2(src, dst)
    top = sorted({f.split("/")[0] + ("/" if "/" in f else "") for f in files}
                 - {"planner/", "tests/", "pyproject.toml"})
    py = ALL_DIR / "pyproject.toml"
    py.write_text(all_config(py.read_text(encoding="utf-8"), tests, top), encoding="utf-8")


def _all_meta() -> list[Path]:
    return sorted((ALL_DIR / "mutants" / "planner").rglob("*.py.meta"))


def _all_codes() -> dict[str, int | None]:
    codes: dict[str, int | None] = {}
    for meta in _all_meta():
        codes.update(json.loads(meta.read_text())["exit_code_by_key"])
    return codes


def _all_durations() -> dict[str, float]:
    out: dict[str, float] = {}
    for meta in _all_meta():
        out.update(json.loads(meta.read_text()).get("durations_by_key", {}))
    return out


def _diffs_of(metas: list[Path], base: Path, wanted: set[str]) -> dict[str, tuple[str, str]]:
    """``mutant name -> (original line, mutated line)`` of the ``wanted`` mutants under ``base``."""
    out: dict[str, tuple[str, str]] = {}
    for meta in metas:
        dotted = meta.relative_to(base).as_posix().removesuffix(".py.meta").replace("/", ".")
        if any(n.startswith(dotted + ".") for n in wanted):  # only the files of sampled mutants
            out.update(_diffs_from_source(meta.with_suffix(""), dotted, wanted))
    return out


def _commit() -> str:
    """The checkout's short commit, ``+changes`` when planner/ or tests/ differ from it."""
    def git(*args: str) -> str:
        run = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return run.stdout.strip()

    dirty = git("status", "--porcelain", "planner", "tests")
    return git("rev-parse", "--short", "HEAD") + ("+changes" if dirty else "")


WIDEN_FILE_S = 60.0  # a test file of at most this many seconds (mutmut's recorded durations) runs whole


def widen_test_mapping(stats_path: Path, file_cap_s: float = WIDEN_FILE_S) -> int:
    """Add to each function's recorded tests the other tests of their files (files of at most
    ``file_cap_s`` s); returns how many (function, test) pairs were added.

    mutmut runs, per mutant, only the tests its instrumented run saw reaching the mutated
    function. Work a module shares between its tests (a page rendered once for all of them, a
    module-scoped fixture) is seen under the first test only, so the tests that compare its
    other parts never run for the mutant: seeds 33 and 34 had survivors that a test of the
    same file kills. Widening adds tests, never removes one; the full suite stays the referee."""
    from collections import defaultdict

    stats = json.loads(stats_path.read_text(encoding="utf-8"))
    durations: dict[str, float] = stats["duration_by_test"]
    by_file: dict[str, list[str]] = defaultdict(list)
    for test in durations:
        by_file[test.split("::")[0]].append(test)
    small = {f for f, tests in by_file.items() if sum(durations[t] for t in tests) <= file_cap_s}
    added = 0
    for func, tests in stats["tests_by_mangled_function_name"].items():
        wide = set(tests) | {t for f in {x.split("::")[0] for x in tests} & small for t in by_file[f]}
        added += len(wide) - len(set(tests))
        stats["tests_by_mangled_function_name"][func] = sorted(wide)
    stats_path.write_text(json.dumps(stats), encoding="utf-8")
    return added


def run_sample_all(sample: int, seed: int, tests: list[str], max_children: int, resume: bool = False) -> dict:
    """Run a seeded random sample of ``sample`` mutants drawn from all of planner/ against
    ``tests`` (default: the full suite minus browser tests); write mutation/sample_all.json."""
    import random
    from datetime import date

    env = {k: v for k, v in os.environ.items() if k != "PLANNER_MUTATION"}  # the whole suite counts
    env["PLANNER_NO_BROWSER"] = "1"  # ... but not the Chromium tests (tests/conftest.py)
    env["PLANNER_SOURCE_TESTS"] = "0"  # nor those reading planner's source text (holds every mutant)
    if not (resume and ALL_DIR.exists()):
        commit = _commit()  # of the copy: main may move on while the sample runs
        prepare_all(tests)
        # `mutmut run` of a name matching nothing generates every mutant (and records which tests
        # reach which function: one instrumented run of the selection), then stops
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "mutmut", "run", "--max-children", str(max_children), "none.*"],
                       cwd=ALL_DIR, env=env, check=False)
        widened = widen_test_mapping(ALL_DIR / "mutants" / "mutmut-stats.json")
        setup_s = time.perf_counter() - t0
        # what a --resume in a later session needs (sample_all.json may still hold another seed)
        (ALL_DIR / "setup.json").write_text(json.dumps({"seed": seed, "commit": commit, "setup_s": setup_s,
                                                        "widened": widened}), encoding="utf-8")
    else:
        old = json.loads((ALL_DIR / "setup.json").read_text()) if (ALL_DIR / "setup.json").exists() else {}
        if old.get("seed", seed) != seed:
            raise SystemExit(f"mutants-all/ holds seed {old['seed']}'s sample, not seed {seed}'s: "
                             "run without --resume")
        setup_s, commit, widened = old.get("setup_s", 0.0), old.get("commit", ""), old.get("widened", 0)
    pool = sorted(_all_codes(), key=_natural)
    if not pool:
        raise SystemExit(f"no mutants were generated in {ALL_DIR / 'mutants'} (see mutmut's output above)")
    names = random.Random(seed).sample(pool, min(sample, len(pool)))
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mutmut", "run", "--max-children", str(max_children), *names],
                   cwd=ALL_DIR, env=env, check=False)
    wall = time.perf_counter() - t0
    codes, durations = _all_codes(), _all_durations()
    result = {"seed": seed, "sample": len(names), "mutants": len(pool), "tests": tests,
              "date": date.today().isoformat(), "commit": commit,
              "setup_s": round(setup_s, 1), "run_s": round(wall, 1),
              "mapping": f"recorded tests + the rest of their files (files of <= {WIDEN_FILE_S:.0f} s)",
              "widened": widened,
              "codes": {n: codes.get(n) for n in names},
              "durations_s": {n: round(durations[n], 2) for n in names if n in durations},
              "diffs": {n: list(d) for n, d in
                        _diffs_of(_all_meta(), ALL_DIR / "mutants", set(names)).items()}}
    SAMPLE_ALL.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return result


def recheck_sample_all_timeouts(unchecked: bool = False, cap_s: float | None = None,
                                jobs: int = 1) -> Counter:
    """Run each timed-out mutant of the last --sample-all run again, alone, in a fresh pytest
    process with a generous wall-clock limit, against the tests of the sample (the copy in
    mutants-all/, not today's tests). mutmut's timeout is a CPU-time limit that a mutant also
    hits when the tests reaching it are merely long (the optimiser's); one whose tests now fail
    is recorded as killed, one whose tests pass as survived, one still over the limit stays a
    timeout. The first verdicts are kept in sample_all.json under ``first_codes``.

    ``unchecked``: also the mutants the run did not reach (stopped before the end), their
    tests fastest first and stopping at the first failure, as mutmut runs them; ``cap_s``
    caps each mutant's wall-clock time: one whose tests all pass within it is survived, one
    still running at the cap stays unchecked (a long mutant is mostly one that survives).
    ``jobs`` mutants run side by side (``--max-children``)."""
    data = json.loads(SAMPLE_ALL.read_text(encoding="utf-8"))
    stats_file = json.loads((ALL_DIR / "mutants" / "mutmut-stats.json").read_text())
    tests_by_func = stats_file["tests_by_mangled_function_name"]
    durations = stats_file.get("duration_by_test", {})
    env = {k: v for k, v in os.environ.items() if k != "PLANNER_MUTATION"}
    env.update(PLANNER_NO_BROWSER="1", PLANNER_SOURCE_TESTS="0")
    first = data.setdefault("first_codes", {})
    out: Counter = Counter()
    lock = threading.Lock()
    todo = sorted(data["codes"].items(), key=lambda kv: (kv[1] is not None, kv[0]))  # unchecked first
    todo = [(n, c) for n, c in todo if c in TIMEOUT or (unchecked and c is None)]

    def one(name: str, code: int | None) -> None:
        tests = sorted(tests_by_func.get(re.sub(r"__mutmut_\d+$", "", name), ()),
                       key=lambda t: durations.get(t, 1.0))
        if not tests:
            with lock:
                data["codes"][name] = 33  # no test reaches it
                out["no tests"] += 1
            return
        limit = 120 + 10 * sum(durations.get(t, 1.0) for t in tests)
        limit = min(limit, cap_s) if cap_s else limit
        try:
            rc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                                 *tests], cwd=ALL_DIR / "mutants", env={**env, "MUTANT_UNDER_TEST": name},
                                capture_output=True, timeout=limit).returncode
        except subprocess.TimeoutExpired:
            with lock:
                out["timeout" if code is not None else "still unchecked"] += 1
            print(f"{'timeout' if code is not None else 'unchecked'} {name}", flush=True)
            return
        if rc in (0, 1):
            with lock:
                first.setdefault(name, code)
                data["codes"][name] = rc
                out["survived" if rc == 0 else "killed"] += 1
                SAMPLE_ALL.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")  # stop any time
            print(f"{'survived' if rc == 0 else 'killed':8} {name}", flush=True)

    # one pytest process per mutant; ``jobs`` of them side by side, as mutmut's --max-children
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        list(pool.map(lambda kv: one(*kv), todo))
    SAMPLE_ALL.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return out


def recheck_sample_all_whole_suite(cap_s: float = 1200.0, jobs: int = 1,
                                   only: list[str] | None = None) -> Counter:
    """Run each survivor, timeout and unchecked mutant of the last --sample-all run against the
    WHOLE suite.

    mutmut runs a mutant only against the tests its instrumented run saw calling the mutated
    function, and it records a call under the test that was running: work done once in a
    module- or session-scoped fixture (the bundled study, a page rendered once for several
    approved files) or behind a cache is recorded under the first test only. The issue's rule is
    the full suite, so a survivor is rechecked against every test: the files of the tests
    mutmut recorded first, then all others, stopping at the first failure. A failure is a kill,
    a pass a survivor; a run still going after ``cap_s`` keeps its verdict. A kill counts only
    when the failing test, run alone, fails with the mutant and passes without it (no effect of
    the order of the tests). The verdict before
    is kept under ``first_codes``, and under ``whole_suite`` each name so decided with the
    first test that failed on it."""
    data = json.loads(SAMPLE_ALL.read_text(encoding="utf-8"))
    stats_file = json.loads((ALL_DIR / "mutants" / "mutmut-stats.json").read_text())
    tests_by_func = stats_file["tests_by_mangled_function_name"]
    every = sorted(p.relative_to(ALL_DIR / "mutants").as_posix()
                   for p in (ALL_DIR / "mutants" / "tests").glob("test_*.py"))
    env = {k: v for k, v in os.environ.items() if k != "PLANNER_MUTATION"}
    env.update(PLANNER_NO_BROWSER="1", PLANNER_SOURCE_TESTS="0")
    first = data.setdefault("first_codes", {})
    whole = data.setdefault("whole_suite", {})
    out: Counter = Counter()
    lock = threading.Lock()
    # survivors first, then the unchecked, then timeouts (each verdict is saved as it comes: a run
    # stopped for time has decided the mutants that can lower the rate)
    # (a survivor listed as equivalent, with its reason, needs no run: it leaves the rate as it is)
    equiv = equivalents()
    todo = sorted((n for n, c in data["codes"].items()
                   if (c in SURVIVED and n not in equiv) or c in TIMEOUT or c is None),
                  key=lambda n: (0 if data["codes"][n] in SURVIVED else 1 if data["codes"][n] is None else 2,
                                 _natural(n)))
    if only:  # these, in this order (each still a survivor, timeout or unchecked)
        todo = [n for n in only if n in todo]

    def confirmed(name: str, test: str) -> bool:
        """The failing test, alone, fails with the mutant and passes without it (no order effect)."""
        def alone(mutant: str) -> int:
            return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test],
                                  cwd=ALL_DIR / "mutants", env={**env, "MUTANT_UNDER_TEST": mutant},
                                  capture_output=True, timeout=cap_s).returncode
        try:
            return alone(name) == 1 and alone("none") == 0
        except subprocess.TimeoutExpired:
            return False

    def one(name: str) -> None:
        recorded = tests_by_func.get(re.sub(r"__mutmut_\d+$", "", name), ())
        own = list(dict.fromkeys(t.split("::")[0] for t in recorded))
        files = own + [f for f in every if f not in own]
        try:
            run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                                  "-p", "no:randomly", "-rfE", *files], cwd=ALL_DIR / "mutants",
                                 env={**env, "MUTANT_UNDER_TEST": name}, capture_output=True, text=True,
                                 timeout=cap_s)
            rc = run.returncode
        except subprocess.TimeoutExpired:
            with lock:
                out["not decided"] += 1
            print(f"{'not decided':11} {name}", flush=True)
            return
        if rc not in (0, 1):  # pytest interrupted, an internal or usage error: no verdict
            with lock:
                out[f"pytest exit {rc}"] += 1
            print(f"{'no verdict':11} {name}  pytest exit {rc}", flush=True)
            return
        # a test id may hold spaces (its parameters); a fixture's error fails the run too
        failed = [m[1] for ln in run.stdout.splitlines()
                  if (m := re.match(r"^(?:FAILED|ERROR) (.+?)(?: - .*)?$", ln))]
        if rc == 1 and not (failed and confirmed(name, failed[0])):
            with lock:
                out["kill not confirmed"] += 1
            print(f"{'unconfirmed':11} {name}  {failed[:1]}", flush=True)
            return
        with lock:
            first.setdefault(name, data["codes"][name])
            data["codes"][name] = rc
            whole[name] = "survived" if rc == 0 else failed[0]
            out["survived" if rc == 0 else "killed"] += 1
            SAMPLE_ALL.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")  # stop any time
        print(f"{'survived' if rc == 0 else 'killed':11} {name}  {whole[name]}", flush=True)

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        list(pool.map(one, todo))
    return out


def sample_all_stats(equiv: dict[str, str]) -> dict[str, object] | None:
    """The stats() row of the last --sample-all run (mutation/sample_all.json), or None."""
    if not SAMPLE_ALL.exists():
        return None
    data = json.loads(SAMPLE_ALL.read_text(encoding="utf-8"))
    diffs = {n: tuple(d) for n, d in data.get("diffs", {}).items()}
    row = _count(data["codes"], diffs, equiv)
    suite = "full suite minus browser tests" if data["tests"] == FULL_SUITE else \
        f"tests: {' '.join(data['tests'])}"
    on = f", commit {data['commit']}" if data.get("commit") else ""
    row.update(module=f"{SAMPLE_ALL_ROW} (random sample, seed {data['seed']}, {data['date']}{on}, {suite})",
               mutants=data["mutants"], diffs=diffs,
               run_s=data.get("run_s"), setup_s=data.get("setup_s"),
               per_mutant_s=sorted(data.get("durations_s", {}).values()),
               first_codes=data.get("first_codes", {}), whole_suite=data.get("whole_suite", {}),
               notes=data.get("notes", {}))
    return row


def report() -> list[dict[str, object]]:
    equiv = equivalents()
    timings = json.loads(TIMINGS.read_text()) if TIMINGS.exists() else {}
    rows = [stats(m, equiv) for m in MODULES]
    whole = sample_all_stats(equiv)
    previous = _previous_report()
    for r in rows:  # a module not run in this checkout keeps the figures of the last report
        if not r["checked"] and r["module"] in previous:
            r["previous_row"] = previous[r["module"]][0]
    lines = ["# Mutation testing", "",
             "Written by `make mutation` (`mutation/run.py`, mutmut 3) — do not edit by hand. Kill rate =",
             "(killed + timed out) / (checked − equivalent); equivalent mutants are listed with a reason",
             "in `mutation/equivalent.txt`; every other survivor below is a gap in the tests. *Message",
             "text* survivors only change the wording of an error or warning; the last rate leaves them out.",
             f"Target: ≥ {TARGET:.0f} % per module. A module with fewer checked mutants than mutants was",
             "measured on a seeded random sample (`--sample N`): its rate is an estimate.", "",
             _table(rows, timings, whole), "",
             "Commands: `make mutation` (every module in full), `make mutation MODULES=\"fca demand\"`,",
             "`python mutation/run.py --sample 30 scenario` (an estimate), `python mutation/run.py "
             "--report-only`, `python mutation/run.py --recheck-timeouts [--recheck-survivors] optimise` "
             "(re-runs timed-out mutants, and survivors, in a fresh process against the current tests).",
             f"Load average of the machine when this report was written: {os.getloadavg()[0]:.1f} "
             "(2 cores); a loaded machine turns some slow mutants into timeouts, counted as detected.",
             "`make mutation SAMPLE=150 SEED=30` (`--sample-all`): a random sample across all of "
             "planner/ against the full suite minus browser tests (the last row).",
             ""]
    if whole is not None:
        lines += _sample_all_section(whole, equiv)
    for r in rows:
        if not r["checked"]:
            if r["module"] in previous:  # not run here: the section of the last report that ran it
                lines += previous[r["module"]][1]
            continue
        lines += [f"## {r['module']}", ""]
        if r["survivors"]:
            lines += [f"Surviving mutants ({len(r['survivors'])}): original → mutated line "
                      "(`mutmut show NAME` shows the whole diff):", ""]
            lines += [_line(n, r["diffs"]) for n in r["survivors"]]
            lines.append("")
        if r["message_names"]:
            lines += [f"Surviving message-text mutants ({len(r['message_names'])}): only the wording of "
                      "an error or warning changes (the tests pin its file, row and field):", ""]
            lines += [_line(n, r["diffs"]) for n in r["message_names"]]
            lines.append("")
        if r["equivalent_names"]:
            lines += ["Equivalent mutants (no observable change):", ""]
            lines += [f"- `{n}`: {equiv[n]}" for n in r["equivalent_names"]]
            lines.append("")
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text("\n".join(lines), encoding="utf-8")
    _update_readme(_table(rows, timings, whole))
    return rows


def _previous_report() -> dict[str, tuple[str, list[str]]]:
    """``module -> (table row, section lines)`` of the current docs/mutation.md.

    mutants/ holds only what was run in this checkout (it is not committed), so a run of
    some modules keeps the other modules' rows and survivor lists from the last report.
    """
    if not REPORT.exists():
        return {}
    lines = REPORT.read_text(encoding="utf-8").splitlines()
    rows = {ln.split("|")[1].strip(): ln for ln in lines
            if ln.startswith("| ") and ln.split("|")[1].strip() in MODULES and "not run" not in ln}
    sections: dict[str, list[str]] = {}
    current = None
    for ln in lines:
        if ln.startswith("## "):
            current = ln[3:].strip()
            sections[current] = []
        if current in MODULES:
            sections[current].append(ln)
    return {m: (rows[m], sections.get(m, [])) for m in rows}


def _line(name: str, diffs: dict[str, tuple[str, str]], full: bool = False) -> str:
    a, b = diffs.get(name, ("?", "?"))
    short = name if full else name.split(".")[-1]
    return f"- `{short}`: `{a[:90]}` → `{b[:90]}`"


def _sample_all_section(r: dict[str, object], equiv: dict[str, str]) -> list[str]:
    """The report's section on the last --sample-all run: time per mutant, every survivor."""
    per = r["per_mutant_s"]
    lines = [f"## {r['module']}", "",
             f"{r['checked']} of {r['mutants']} mutants of all of planner/ checked; kill rate "
             f"{r['rate']:.1f} % (killed + timed out over checked − equivalent). Preparing the copy, "
             f"generating the mutants and the instrumented run of the test selection took "
             f"{(r['setup_s'] or 0) / 60:.1f} min; the sample itself {(r['run_s'] or 0) / 60:.1f} min"
             + (f", per mutant median {per[len(per) // 2]:.1f} s, longest {per[-1]:.1f} s" if per else "")
             + ".", ""]
    whole = r.get("whole_suite") or {}
    first = {n: c for n, c in (r.get("first_codes") or {}).items() if n not in whole}
    if first:
        late = sum(c is None for c in first.values())
        lines += [f"{len(first)} verdicts come from `--recheck-timeouts --sample-all-recheck` (each mutant "
                  f"alone, against the sample's own tests): {late} of mutants the run had not reached, "
                  f"{len(first) - late} of mutants it had counted as timed out.", ""]
    if whole:
        notes = r.get("notes") or {}
        lines += [f"{len(whole)} verdicts were decided after mutmut's own run, a kill always confirmed by "
                  "its failing test alone, with and without the mutant; how, where a note says it "
                  "(else `--recheck-timeouts --sample-all-recheck --whole-suite`: against every test):", ""]
        lines += [f"- `{n}`: " + ("survived" if v == "survived" else f"killed by `{v}`")
                  + (f" ({notes[n]})" if n in notes else "") for n, v in sorted(whole.items())]
        lines.append("")
    for title, key in (("Surviving mutants", "survivors"),
                       ("Surviving message-text mutants", "message_names")):
        if r[key]:
            lines += [f"{title} ({len(r[key])}): original → mutated line:", ""]
            lines += [_line(n, r["diffs"], full=True) for n in r[key]]
            lines.append("")
    if r["equivalent_names"]:
        lines += ["Equivalent mutants (no observable change):", ""]
        lines += [f"- `{n}`: {equiv[n]}" for n in r["equivalent_names"]]
        lines.append("")
    return lines


def _table(rows: list[dict[str, object]], timings: dict[str, float],
           whole: dict[str, object] | None = None) -> str:
    out = ["| module | mutants | checked | killed | timed out | survived | no tests | message text | "
           "equivalent | kill rate | excl. message text | run time (checked mutants) |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        if r.get("previous_row"):
            out.append(r["previous_row"])
            continue
        rate = "not run" if not r["checked"] else f"{r['rate']:.1f} %"
        if r["checked"] and r["checked"] < r["mutants"]:
            rate += f" (sample of {r['checked']})"
        rate_b = "" if not r["checked"] else f"{r['rate_behaviour']:.1f} %"
        t = timings.get(r["module"])
        out.append(f"| {r['module']} | {r['mutants']} | {r['checked']} | {r.get('killed', 0)} | "
                   f"{r.get('timeout', 0)} | {r.get('survived', 0)} | {r.get('no_tests', 0)} | "
                   f"{r.get('message_text', 0)} | {r.get('equivalent', 0)} | {rate} | {rate_b} | "
                   f"{'' if t is None else f'{t / 60:.0f} min'} |")
    if whole is not None:  # the random sample across all of planner/, full suite (--sample-all)
        r = whole
        out.append(f"| {r['module']} | {r['mutants']} | {r['checked']} | {r.get('killed', 0)} | "
                   f"{r.get('timeout', 0)} | {r.get('survived', 0)} | {r.get('no_tests', 0)} | "
                   f"{r.get('message_text', 0)} | {r.get('equivalent', 0)} | "
                   f"{r['rate']:.1f} % (sample of {r['checked']}) | {r['rate_behaviour']:.1f} % | "
                   f"{(r['run_s'] or 0) / 60:.0f} min |")
    return "\n".join(out)


def _update_readme(table: str) -> None:
    text = README.read_text(encoding="utf-8")
    start, end = "<!-- mutation:start -->", "<!-- mutation:end -->"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
        README.write_text(f"{head}{start}\n{table}\n{end}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("modules", nargs="*", choices=[[], *MODULES], help="default: all core modules")
    ap.add_argument("--max-children", type=int, default=2)
    ap.add_argument("--report-only", action="store_true")
    ap.add_argument("--sample", type=int, default=0,
                    help="run a seeded random sample of this many mutants per module (an estimate)")
    ap.add_argument("--recheck-timeouts", action="store_true",
                    help="run the timed-out mutants again in a fresh process (slow tests on a busy machine)")
    ap.add_argument("--recheck-survivors", action="store_true",
                    help="with --recheck-timeouts: also run the survivors again against the current tests")
    ap.add_argument("--sample-all", type=int, default=0, metavar="N",
                    help="a seeded random sample of N mutants across all of planner/, against --tests")
    ap.add_argument("--seed", type=int, default=35,
                    help="seed of --sample-all's sample (28, 29, 32-34 measured; 30, 31 written against)")
    ap.add_argument("--tests", default=" ".join(FULL_SUITE),
                    help="pytest selection of --sample-all (default: the full suite minus browser tests)")
    ap.add_argument("--sample-all-recheck", action="store_true",
                    help="with --recheck-timeouts: recheck the last --sample-all run's timeouts instead")
    ap.add_argument("--unchecked", action="store_true",
                    help="with --sample-all-recheck: also the mutants the run did not reach")
    ap.add_argument("--cap", type=float, default=None, help="with --sample-all-recheck: seconds per mutant")
    ap.add_argument("--whole-suite", action="store_true",
                    help="with --sample-all-recheck: survivors, timeouts against every test (--cap s each)")
    ap.add_argument("--only", default="",
                    help="with --whole-suite: these mutant names only (comma-separated)")
    ap.add_argument("--resume", action="store_true",
                    help="--sample-all: keep mutants-all/ (an interrupted run continues where it stopped)")
    args = ap.parse_args(argv)
    if args.sample_all:
        import shlex

        r = run_sample_all(args.sample_all, args.seed, shlex.split(args.tests), args.max_children,
                           args.resume)
        print(f"sample of {r['sample']} of {r['mutants']} mutants across planner/: "
              f"setup {r['setup_s']:.0f} s, sample {r['run_s']:.0f} s")
    elif args.recheck_timeouts and args.sample_all_recheck and args.whole_suite:
        verdicts = recheck_sample_all_whole_suite(args.cap or 1200.0, args.max_children,
                                                  [n.strip() for n in args.only.split(",") if n.strip()])
        print("sample across planner/, whole suite", dict(verdicts))
    elif args.recheck_timeouts and args.sample_all_recheck:
        verdicts = recheck_sample_all_timeouts(args.unchecked, args.cap, args.max_children)
        print("sample across planner/", dict(verdicts))
    elif args.recheck_timeouts:
        for module in args.modules or list(MODULES):
            print(module, dict(recheck_timeouts(module, args.recheck_survivors)))
    elif not args.report_only:
        timings = json.loads(TIMINGS.read_text()) if TIMINGS.exists() else {}
        for module in args.modules or list(MODULES):
            timings[module] = round(run_module(module, args.max_children, args.sample), 1)
            TIMINGS.write_text(json.dumps(timings, indent=1) + "\n")
    rows = report()
    for r in rows:
        rate = "not run" if not r["checked"] else f"{r['rate']:.1f} % killed"
        print(f"{r['module']:14} {r['checked']:5}/{r['mutants']:<5} checked  {rate}")
    whole = sample_all_stats(equivalents())
    if whole is not None:
        print(f"{whole['module']}: {whole['checked']}/{whole['mutants']} checked  "
              f"{whole['rate']:.1f} % killed")
    print(f"report: {REPORT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
