#!/usr/bin/env python3
"""grade.py - run the graded Criterion suites against a tree of labs and score them.

usage:
  grade.py [--tree DIR] [--lab NN]... [--json FILE] [--junit FILE] [--csv FILE] [-q]
           [--expect all-pass|all-fail] [--jobs N]
  grade.py --students DIR [--lab NN]... [--csv FILE] [--parallel N]
  grade.py --lab-dir DIR --lab NAME        (one lab directory; what `make test` runs)
  grade.py --status [--tree DIR]           (a student's progress and next step)

  --tree DIR       a labs/ tree, or a checkout that contains labs/ (default: this repo's labs/)
  --lab NN         grade only this lab (01, 01-memory); may repeat
  --json FILE      write a Gradescope results.json
  --junit FILE     write JUnit XML
  --csv FILE       write a gradebook CSV (one row per student)
  --students DIR   grade every student tree in DIR (one sub-directory each)
  --expect MODE    exit 1 unless every test passed (all-pass) or every test failed (all-fail)
  --out DIR        where builds and logs go (default: grade-out/ in this repo)

How student code is contained: every test runs in its own runner invocation (Criterion adds
the suite's timeout), contained by sandbox.py: own process group, resource limits, a pids
cgroup where the machine allows, and everything left of it killed afterwards.  A test counts as passed only if Criterion says so *and*
its fini hook left proof that the body returned (Criterion 2.4.1 reports exit(0) as a pass).
Results come from the runner's own escaped report (common/test/asl_test.c), not --json.
"""
import csv
import os
import re
import shutil
import signal
import subprocess
import sys
import time

from grade_report import color, print_table, totals, write_json, write_junit
from sandbox import run_contained

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RUN_TIMEOUT = int(os.environ.get("ASL_GRADE_TIMEOUT", "300"))      # one test's runner, seconds
GRACE = 10    # seconds past a test's own timeout before its whole process tree is killed


class GradeError(Exception):
    """A problem with the grading setup itself (not with student code)."""


def all_labs():
    return sorted(d for d in os.listdir(os.path.join(TOP, "tests"))
                  if os.path.isfile(os.path.join(TOP, "tests", d, "points")))


def pick_labs(wanted):
    labs = all_labs()
    if not wanted:
        return labs
    out = []
    for w in wanted:
        match = [l for l in labs if l == w or l.split("-", 1)[0] == w.zfill(2)]
        if not match:
            raise GradeError(f"no graded lab '{w}' (have: {' '.join(labs)})")
        out += [m for m in match if m not in out]
    return out


def read_points(lab):
    """[(test id, points, step)] from tests/LAB/points, in file order."""
    path = os.path.join(TOP, "tests", lab, "points")
    entries, seen = [], set()
    with open(path, encoding="utf-8") as f:
        for no, line in enumerate(f, 1):
            parts = line.split("#", 1)[0].split()
            if not parts:
                continue
            if len(parts) != 3 or "::" not in parts[0]:
                raise GradeError(f"{path}:{no}: expected 'suite::test POINTS STEP'")
            try:
                pts, step = int(parts[1]), int(parts[2])
            except ValueError:
                raise GradeError(f"{path}:{no}: points and step must be whole numbers")
            if parts[0] in seen:
                raise GradeError(f"{path}:{no}: {parts[0]} listed twice")
            seen.add(parts[0])
            entries.append((parts[0], pts, step))
    return entries


def step_titles(lab_dir):
    """{step: title} from the TODO comments (skeleton) or BEGIN markers (solution)."""
    titles = {}
    pat = re.compile(r"/\* (?:TODO step|BEGIN STEP) (\d+): (.*?)(?:\*/)?\s*$")
    for name in sorted(os.listdir(lab_dir)) if os.path.isdir(lab_dir) else []:
        if name.endswith((".c", ".h", ".S")):
            with open(os.path.join(lab_dir, name), encoding="utf-8", errors="replace") as f:
                for line in f:
                    m = pat.search(line)
                    if m:
                        titles.setdefault(int(m.group(1)), m.group(2).strip())
    return titles


def build_runner(lab, lab_dir, build_dir, log_path):
    """Build the lab's test runner with the student's sources; (ok, first error line)."""
    makefile = os.path.join(lab_dir, "Makefile")
    cmd = ["make", "--no-print-directory", "-C", lab_dir, f"ASL_TOP={TOP}",
           f"BUILD={build_dir}", "runner"]
    if not os.path.exists(makefile):   # a submission without its Makefile: use the reference
        cmd[3:3] = ["-f", os.path.join(TOP, "solutions", lab, "Makefile")]
    with open(log_path, "wb") as log:
        try:
            rc = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, timeout=600).returncode
        except subprocess.TimeoutExpired:
            return False, "build timed out"
    if rc == 0:
        return True, ""
    with open(log_path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    first = next((l for l in text.splitlines() if re.search(r"\berror\b:|undefined reference|No rule to make", l)), "")
    return False, f"build failed: {first.strip() or 'see ' + log_path}"


def list_tests(runner):
    out = subprocess.run([runner, "--list"], capture_output=True, text=True, timeout=60,
                         stdin=subprocess.DEVNULL)
    if out.returncode != 0:
        raise GradeError(f"{runner} --list failed: {out.stderr.strip()}")
    tests, suite = [], None
    for line in out.stdout.splitlines():
        m = re.match(r"^(\S+): \d+ tests?$", line)
        if m:
            suite = m.group(1)
            continue
        m = re.match(r"^[├└│]── (\S+)", line)
        if m and suite:
            tests.append(f"{suite}::{m.group(1)}")
    return tests


def unescape(s):
    return re.sub(r"\\(.)", lambda m: {"t": "\t", "n": "\n"}.get(m.group(1), m.group(1)), s)


def read_report(path):
    results = {}
    if not os.path.exists(path):
        return results
    with open(path, encoding="utf-8", errors="replace") as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            cells = line.rstrip("\n").split("\t")
            row = dict(zip(header, cells))
            row["message"] = unescape(row.get("message", "")).replace(TOP + "/", "")
            results[f"{row['suite']}::{row['test']}"] = row
    return results


def classify(row, finished, why=None):
    """(status, message) of one test from its report row; why: the verdict the test process
    left in its .fail file (asl_test.c: a leak found by the fini hook, or a crash handler's
    message), if any."""
    if why and (row is None or row["status"] == "passed" or not row.get("message")):
        return "FAIL", why
    if row is None:
        return "ERROR", "the test did not report (the runner died or was stopped)"
    if row["status"] == "skipped":
        return "SKIP", row["message"] or "skipped"
    if row["timed_out"] == "1":
        return "TIMEOUT", "did not finish within the suite's timeout (infinite loop? deadlock?)"
    if row["crashed"] == "1":
        sig = int(row["signal"] or 0)
        name = signal.Signals(sig).name if sig in signal.valid_signals() else f"signal {sig}"
        return "CRASH", f"crashed with {name}"
    if row["status"] == "passed":
        # A test expecting a signal passes by dying of it: no fini proof, and none needed,
        # because Criterion fails such a test when it exits normally (exit(0) included).
        if not finished and row.get("expected_signal", "0") in ("0", ""):
            return "EXIT", ("the test process exited before the test body returned "
                            "(exit() or _exit() called from student code?)")
        return "PASS", ""
    if row["exit_code"] == "96":   # asl_test_fini found more threads than at the start
        return "FAIL", ("a thread leaked: more threads were running when the test ended than "
                        "when it started (every thread you start must be joined)")
    if row["exit_code"] == "97":   # the atexit guard of asl_test.c fired
        return "EXIT", "student code called exit() before the test body finished"
    if row["exit_code"] not in ("0", ""):
        return "FAIL", row["message"] or f"the test process exited with status {row['exit_code']}"
    return "FAIL", row["message"] or "failed"


def grade_lab(lab, lab_dir, work, jobs):
    """Grade one lab directory; returns a dict with per-test results."""
    entries = read_points(lab)
    result = {"lab": lab, "tests": [], "log": None, "problem": None}
    os.makedirs(work, exist_ok=True)
    build_dir = os.path.join(work, "build")
    build_log = os.path.join(work, "build.log")

    def everything(status, msg):
        for tid, pts, step in entries:
            result["tests"].append(dict(id=tid, points=pts, step=step, earned=0,
                                        status=status, message=msg))
        return result

    if not os.path.isdir(lab_dir):
        return everything("MISSING", f"no directory {lab_dir}")
    ok, msg = build_runner(lab, lab_dir, build_dir, build_log)
    result["log"] = build_log
    if not ok:
        return everything("BUILD", msg)
    runner = os.path.join(build_dir, "test_runner")
    listed = list_tests(runner)
    declared = [e[0] for e in entries]
    extra = sorted(set(listed) - set(declared))
    missing = sorted(set(declared) - set(listed))
    if extra or missing:
        lines = [f"tests/{lab}/points and the suites disagree:"]
        lines += [f"  test without a points entry: {t}" for t in extra]
        lines += [f"  points entry without a test: {t}" for t in missing]
        raise GradeError("\n".join(lines))

    # Every test runs in its own runner invocation, contained on its own: a test that forks
    # without end or leaves processes behind cannot starve the tests after it.
    scratch = os.path.join(work, "scratch")
    shutil.rmtree(scratch, ignore_errors=True)
    logs = os.path.join(work, "logs")
    shutil.rmtree(logs, ignore_errors=True)
    os.makedirs(logs)
    result["log"] = logs

    def run_one(index, tid):
        suite, test = tid.split("::", 1)
        base = os.path.join(logs, f"{index:03d}-{suite}-{test}")
        report, fini = base + ".report", base + ".finished"
        for stale in (report, fini, fini + ".fail"):   # a retry must not inherit old proof
            if os.path.exists(stale):
                os.remove(stale)
        here = os.path.join(scratch, f"{index:03d}")   # a test may write files: not in the tree
        os.makedirs(here)
        timeouts = base + ".timeouts"
        env = dict(os.environ, ASL_REPORT=report, ASL_FINI_LOG=fini, ASL_TIMEOUTS=timeouts)

        def deadline():
            # the test's own timeout, plus room for the runner's start and Criterion's kill
            try:
                with open(timeouts, encoding="utf-8") as f:
                    for line in f:
                        name, _, secs = line.rstrip("\n").partition("\t")
                        if name == tid:
                            return float(secs) + GRACE
            except (OSError, ValueError):
                pass
            return None

        _, timed_out = run_contained([runner, f"--filter={suite}/{test}", "--short-filename",
                                      "-j1"], here, env, base + ".log", RUN_TIMEOUT, deadline)
        rows = read_report(report)
        done = os.path.exists(fini)
        why = None
        if os.path.exists(fini + ".fail"):   # a verdict from asl_test.c (fail_exit)
            with open(fini + ".fail", encoding="utf-8", errors="replace") as f:
                why = f.read().strip() or "the test process ended early with no message"
        status, msg = classify(rows.get(tid), done, why)
        if status == "ERROR" and timed_out:
            # Criterion killed the test at its timeout, but processes it left behind kept the
            # runner waiting: the test did not end in time, and it is not run again.
            return "TIMEOUT", ("did not finish within the suite's timeout and left processes "
                               "running (a fork that never ends?)")
        return status, msg

    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futs = [pool.submit(run_one, i, tid) for i, (tid, _, _) in enumerate(entries)]
        outcomes = [f.result() for f in futs]
    # A runner that died without reporting (ERROR) gets one more try, alone: Criterion 2.4.1's
    # runner can trip over its own timeout bookkeeping when the machine is swamped (say, by
    # another test's fork bomb).  A failure the student's code causes happens again.
    for i, (tid, _, _) in enumerate(entries):
        if outcomes[i][0] == "ERROR":
            shutil.rmtree(os.path.join(scratch, f"{i:03d}"), ignore_errors=True)
            outcomes[i] = run_one(i, tid)
    shutil.rmtree(scratch, ignore_errors=True)
    for (tid, pts, step), (status, msg) in zip(entries, outcomes):
        result["tests"].append(dict(id=tid, points=pts, step=step, status=status, message=msg,
                                    earned=pts if status == "PASS" else 0))
    return result


def lab_dirs(tree):
    tree = os.path.abspath(tree)
    if os.path.isdir(os.path.join(tree, "labs")):
        tree = os.path.join(tree, "labs")
    return tree


def grade_tree(tree, labs, out, jobs):
    results = []
    for lab in labs:
        work = os.path.join(out, lab)
        results.append(grade_lab(lab, os.path.join(tree, lab), work, jobs))
    return results


def status(tree, out, jobs):
    """Which labs and steps pass, and the next step to work on."""
    next_step = None
    print("asynclabs progress for", tree)
    for lab in all_labs():
        lab_dir = os.path.join(tree, lab)
        r = grade_lab(lab, lab_dir, os.path.join(out, lab), jobs)
        titles = step_titles(lab_dir)
        steps = {}
        for t in r["tests"]:
            s = steps.setdefault(t["step"], [0, 0, []])
            s[1] += 1
            if t["status"] in ("PASS", "SKIP"):
                s[0] += 1
            else:
                s[2].append(t)
        done = sum(1 for s in steps.values() if s[0] == s[1])
        print(color(f"\nlab {lab}: {done}/{len(steps)} steps done", "1"))
        for n in sorted(steps):
            ok, total, failing = steps[n]
            mark = color("done", "32") if ok == total else color(f"{ok}/{total} tests", "31")
            print(f"  step {n:>2}  {mark:<20} {titles.get(n, '')[:70]}")
            if ok != total and next_step is None:
                next_step = (lab, n, titles.get(n, ""), failing[0])
    if next_step:
        lab, n, title, t = next_step
        print(color(f"\nnext: lab {lab}, step {n}: {title}", "1"))
        print(f"  first failing test: {t['id']} ({t['status']})")
        if t["message"]:
            print("    " + t["message"].splitlines()[0][:100])
        print(f"  work in labs/{lab}/, then run: make -C labs/{lab} test")
    else:
        print(color("\nevery graded step passes. Well done.", "1"))


def main(argv):
    args = argv[1:]
    opts = {"labs": [], "tree": None, "json": None, "junit": None, "csv": None, "quiet": False,
            "expect": None, "students": None, "lab_dir": None, "status": False,
            "jobs": os.cpu_count() and len(os.sched_getaffinity(0)) or 2, "parallel": 1,
            "out": os.path.join(TOP, "grade-out")}
    valued = {"--tree": "tree", "--lab": "labs", "--json": "json", "--junit": "junit",
              "--csv": "csv", "--expect": "expect", "--students": "students",
              "--lab-dir": "lab_dir", "--out": "out", "--jobs": "jobs", "--parallel": "parallel"}
    while args:
        a = args.pop(0)
        if a in ("-h", "--help"):
            print(__doc__.strip())
            return 0
        if a in ("-q", "--quiet"):
            opts["quiet"] = True
        elif a == "--status":
            opts["status"] = True
        elif a in valued:
            if not args or not args[0] or args[0].startswith("--"):
                print(f"grade: {a} needs a value\n\n{__doc__.strip()}", file=sys.stderr)
                return 2
            v = args.pop(0)
            key = valued[a]
            if key == "labs":
                opts["labs"].extend(x for x in re.split(r"[ ,]+", v) if x)
            elif key in ("jobs", "parallel"):
                if not v.isdigit() or int(v) < 1:
                    print(f"grade: {a} needs a positive number", file=sys.stderr)
                    return 2
                opts[key] = int(v)
            else:
                opts[key] = v
        else:
            print(f"grade: unknown argument '{a}'\n\n{__doc__.strip()}", file=sys.stderr)
            return 2
    if opts["expect"] not in (None, "all-pass", "all-fail"):
        print("grade: --expect takes all-pass or all-fail", file=sys.stderr)
        return 2
    start = time.monotonic()
    out = os.path.abspath(opts["out"])
    try:
        if opts["lab_dir"]:   # `make test` inside one lab directory
            lab_dir = os.path.abspath(opts["lab_dir"])
            lab = opts["labs"][0] if opts["labs"] else os.path.basename(lab_dir)
            results = [grade_lab(lab, lab_dir, os.path.join(lab_dir, "build", "grade"),
                                 opts["jobs"])]
        elif opts["students"]:
            return grade_students(opts, out)
        else:
            tree = lab_dirs(opts["tree"] or os.path.join(TOP, "labs"))
            if not os.path.isdir(tree):
                print(f"grade: no such directory: {tree}", file=sys.stderr)
                return 2
            name = os.path.basename(os.path.dirname(tree)) if tree.endswith("labs") else \
                os.path.basename(tree)
            if opts["status"]:
                status(tree, os.path.join(out, "status"), opts["jobs"])
                return 0
            results = grade_tree(tree, pick_labs(opts["labs"]), os.path.join(out, name),
                                 opts["jobs"])
    except GradeError as e:
        print(f"grade: {e}", file=sys.stderr)
        return 3
    print_table(results, opts["quiet"])
    counts = {k: sum(t["status"] == k for r in results for t in r["tests"])
              for k in ("PASS", "SKIP")}
    n = sum(len(r["tests"]) for r in results)
    if opts["expect"] != "all-fail":   # the teeth run's "0 passed" would read as a red CI
        line = f"{counts['PASS']} passed, {n - counts['PASS'] - counts['SKIP']} failed"
        print(line + (f", {counts['SKIP']} skipped" if counts["SKIP"] else ""))
    if opts["json"]:
        write_json(results, opts["json"], time.monotonic() - start)
        print(f"wrote {opts['json']}")
    if opts["junit"]:
        write_junit(results, opts["junit"])
        print(f"wrote {opts['junit']}")
    if opts["expect"] == "all-pass":
        bad = [(r["lab"], t) for r in results for t in r["tests"]
               if t["status"] not in ("PASS", "SKIP")]
        if bad:
            print(f"grade: expected every test to pass; {len(bad)} did not", file=sys.stderr)
            return 1
    if opts["expect"] == "all-fail":
        bad = [(r["lab"], t) for r in results for t in r["tests"] if t["status"] == "PASS"]
        if bad:
            for lab, t in bad:
                print(f"grade: {lab} {t['id']} PASSES on the skeleton: it has no teeth",
                      file=sys.stderr)
            return 1
        print(f"teeth: all {n} graded tests fail on this tree, as they must on the skeleton")
    return 0


def grade_students(opts, out):
    """Grade every sub-directory of --students; gradebook CSV and per-student JSON."""
    root = os.path.abspath(opts["students"])
    students = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
    if not students:
        print(f"grade: no student directories in {root}", file=sys.stderr)
        return 2
    labs = pick_labs(opts["labs"])
    from concurrent.futures import ProcessPoolExecutor
    with ProcessPoolExecutor(max_workers=opts["parallel"]) as pool:
        futs = {s: pool.submit(grade_tree, lab_dirs(os.path.join(root, s)), labs,
                               os.path.join(out, "students", s), opts["jobs"])
                for s in students}
        rows = []
        for s in students:
            results = futs[s].result()
            write_json(results, os.path.join(out, "students", s, "results.json"), 0)
            earned, possible = totals(results)
            row = {"student": s}
            for r in results:
                row[r["lab"]] = sum(t["earned"] for t in r["tests"])
            row["total"], row["possible"] = earned, possible
            rows.append(row)
            print(f"{s:<30} {earned:>4}/{possible}")
    path = opts["csv"] or os.path.join(out, "gradebook.csv")
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=["student"] + labs + ["total", "possible"])
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {path} and {out}/students/*/results.json")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
