#!/usr/bin/env python3
"""grade.py - build a tree of labs hermetically, run the graded Criterion suites sandboxed, score.

usage:
  grade.py [--tree DIR] [--lab NN]... [--step N] [--test PATTERN] [--json FILE] [--junit FILE] [-q]
           [--expect all-pass|all-fail] [--jobs N] [--out DIR] [--keep-build]
  grade.py --files DIR [--lab NN]          (one lab's bare files, e.g. a Gradescope upload)
  grade.py --students DIR [--lab NN]... [--csv FILE] [--parallel N]
  grade.py --lab-dir DIR --lab NAME [--step N] [--test PATTERN]
                                           (one lab directory; what `make test` runs)
  grade.py --status [--tree DIR] [--fresh] (a student's progress and next step)
  grade.py --sandbox-info                  (which sandbox this machine gives the grader)

  --tree DIR       a labs/ tree, or a checkout that contains labs/ (default: this repo's labs/)
  --lab NN         grade only this lab (01, 01-memory); may repeat
  --test PATTERN   only the tests matching suite::test (shell pattern, e.g. 'chan_timeout::*');
                   on a tree, prints the exact sandboxed runner command of each and keeps
                   the build
  --step N         only the tests of step N of the lab (tests/NN/points); may repeat; one lab
  --fresh          with --status: rerun every lab, even those whose inputs did not change
  --json FILE      write a Gradescope results.json (and a readable report beside it)
  --junit FILE     write JUnit XML
  --csv FILE       write a gradebook CSV (one row per student)
  --students DIR   grade every student tree in DIR (one sub-directory each), then a summary
  --expect MODE    exit 1 unless every test passed (all-pass) or every test failed (all-fail)
  --out DIR        where reports and logs go (default: grade-out/ in this repo)
  --keep-build     keep each lab's build directory (by default only logs are kept)
  --budget-lab S, --budget-student S   wall-clock budgets in seconds (default 180, 900)

What is graded: for each lab, only the student's files - the skeleton's files that hold a
TODO step - are copied into a fresh directory beside the course's Makefile, headers, shared
code and tests; nothing else of the student's tree (their Makefile included) is used, and no
path leads to solutions/.  The build, the test listing and every test run in sandbox.py's
sandbox (bubblewrap where the machine allows).  Each test runs in its own runner invocation.
A test counts as passed only if Criterion says so *and* the runner itself saw the test's body
return and its cleanup end; the runner reports through a pipe no test process holds.
"""
import atexit
import csv
import fcntl
import fnmatch
import hashlib
import os
import re
import shlex
import shutil
import signal
import sys
import tempfile
import threading
import time

import sandbox
from grade_box import (GradeError, included_from_outside, make_box, persistent_box, place_files,
                       recognise)
from grade_hints import hint
from grade_status import lab_result, status
from grade_report import (color, print_table, render_table, totals, write_json, write_junit,
                          write_summary)

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RUN_TIMEOUT = int(os.environ.get("ASL_GRADE_TIMEOUT", "300"))      # one test's runner, seconds
BUDGET_LAB = float(os.environ.get("ASL_GRADE_BUDGET_LAB", "180"))
BUDGET_STUDENT = float(os.environ.get("ASL_GRADE_BUDGET_STUDENT", "900"))
BUILD_TIMEOUT = 300
LIST_TIMEOUT = float(os.environ.get("ASL_GRADE_LIST_TIMEOUT", "60"))
GRACE = 10    # seconds past a test's own timeout before its whole process tree is killed
LOG_KEEP = 32 << 10         # bytes kept of each end of a test's output
BOX = "/box"                # where the lab's box appears inside the bwrap sandbox


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


# ---------------------------------------------------------------------------------------------


def select(lab, entries, tests=None, steps=None):
    """The entries of the tests asked for: matching a pattern of tests and of a step in steps
    (either may be empty: no restriction).  A step the lab does not have is an error."""
    if steps:
        have = sorted({e[2] for e in entries})
        bad = [s for s in steps if s not in have]
        if bad:
            raise GradeError(f"lab {lab} has no step {bad[0]} (its steps: "
                             f"{', '.join(map(str, have))})")
        entries = [e for e in entries if e[2] in steps]
    if tests:
        entries = [e for e in entries if any(fnmatch.fnmatchcase(e[0], p) for p in tests)]
    return entries


def inside(box):
    """The path under which the box appears to sandboxed commands."""
    return BOX if sandbox.mode() == "bwrap" else box


# ---------------------------------------------------------------------------------------------
# Build, list, run: all in the sandbox.

def build_runner(lab, box, log_path, jobs, seconds):
    """Build the lab's test runner in the box; (ok, first error line)."""
    b = inside(box)
    build = os.path.join(box, "build")
    os.makedirs(build, exist_ok=True)
    sandbox.give(build, True)
    cmd = ["make", "--no-print-directory", f"-j{max(1, jobs)}", "-C", f"{b}/labs/{lab}",
           f"ASL_TOP={b}", f"BUILD={b}/build", "runner"]
    rc, timed_out, _ = sandbox.run(cmd, log_path, min(BUILD_TIMEOUT, max(1, seconds)),
                                   ro={BOX: box}, rw={f"{BOX}/build": build}, cwd=f"{b}/labs/{lab}")
    sandbox.give(build, False)
    if timed_out:
        return False, "build timed out"
    if rc == 0:
        outside = included_from_outside(build, b)
        if outside:   # only possible without a mount namespace (sandbox mode user/plain)
            return False, ("build refused: the sources include files from outside the lab: "
                           + ", ".join(outside[:5]))
        return True, ""
    with open(log_path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    pat = r"\berror\b:|undefined reference|No rule to make"
    first = next((l for l in text.splitlines() if re.search(pat, l)), "")
    return False, f"build failed: {first.strip().replace(b + '/', '') or 'see the build log'}"


def list_tests(box, log_path, seconds):
    """The tests the runner lists (inside the sandbox, with a timeout), or None."""
    b = inside(box)
    rc, timed_out, _ = sandbox.run([f"{b}/build/test_runner", "--list"], log_path,
                                   max(1, min(LIST_TIMEOUT, seconds)), ro={BOX: box},
                                   cwd="/tmp" if sandbox.mode() == "bwrap" else box)
    if rc != 0 or timed_out:
        return None
    tests, suite = [], None
    with open(log_path, encoding="utf-8", errors="replace") as f:
        for line in f:
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


def parse_report(text):
    """({test id: row}, {test id: timeout seconds}) from the runner's report."""
    results, timeouts, header = {}, {}, None
    for line in text.splitlines():
        cells = line.split("\t")
        if cells[0] == "#timeout" and len(cells) == 3:
            try:
                timeouts[cells[1]] = float(cells[2])
            except ValueError:
                pass
        elif cells[0] == "suite":
            header = cells
        elif header and len(cells) == len(header):
            row = dict(zip(header, cells))
            row["message"] = unescape(row.get("message", ""))
            results[f"{row['suite']}::{row['test']}"] = row
    return results, timeouts


def verdict_in_log(path):
    """The last verdict asl_test.c printed on its way out ("asynclabs verdict: ..." on stderr:
    a leaked thread or descriptor found after the body returned, or a failure reported from a
    crash handler), or None.  A stub's "not implemented" notice is not a verdict.  Student
    output can print such a line too, but it can only turn a test into a failure, never into a
    pass."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            found = [ln[len("asynclabs verdict: "):].strip() for ln in f
                     if ln.startswith("asynclabs verdict: ")]
    except OSError:
        return None
    return found[-1] if found else None


def classify(lab, tid, row, why=None):
    """(status, message) of one test from its report row; why: the verdict asl_test.c printed
    when it ended the test process itself (verdict_in_log), if any."""
    if why and (row is None or row["status"] == "passed" or not row.get("message")):
        # asl_test.c's atexit guard: student code left through exit() mid-test
        return ("EXIT" if why.startswith("the test ended through exit()") else "FAIL"), why
    if row is None:
        return "ERROR", "the test did not report (the runner died or was stopped)"
    where = row.get("where", "")
    at = f" after {where}, the last assertion Criterion logged" if where else ""
    if row["status"] == "skipped":
        return "SKIP", row["message"] or "skipped"
    if row["timed_out"] == "1":
        msg = f"did not finish within the suite's timeout{at}"
        h = hint(lab, tid, "TIMEOUT")
        return "TIMEOUT", msg + (f"\n(hint: {h})" if h else "")
    if row["crashed"] == "1":
        sig = int(row["signal"] or 0)
        name = signal.Signals(sig).name if sig in signal.valid_signals() else f"signal {sig}"
        h = hint(lab, tid, "CRASH", name)
        return "CRASH", f"crashed with {name}{at}" + (f"\n(hint: {h})" if h else "")
    if row["status"] == "passed":
        # A test expecting a signal passes by dying of it, and Criterion fails such a test
        # when it exits normally instead (exit(0) included): no further proof needed.
        if row.get("expected_signal", "0") not in ("0", ""):
            return "PASS", ""
        if row.get("returned") != "1":
            return "EXIT", ("the test process exited before the test body returned "
                            "(exit() or _exit() called from student code?)")
        if row.get("fini") != "1":
            return "FAIL", ("the test's cleanup check failed (a leaked thread or descriptor? "
                            "every thread you start must be joined, every descriptor closed; "
                            "the full output says which)")
        return "PASS", ""
    if row["exit_code"] == "96":   # asl_test_fini found more threads than at the start
        return "FAIL", ("a thread leaked: more threads were running when the test ended than "
                        "when it started (every thread you start must be joined)")
    if row["exit_code"] == "97":   # the atexit guard of asl_test.c fired
        return "EXIT", "student code called exit() before the test body finished"
    if row["exit_code"] not in ("0", ""):
        return "FAIL", row["message"] or f"the test process exited with status {row['exit_code']}"
    return "FAIL", row["message"] or "failed"


def trim_log(path):
    """Keep the first and last LOG_KEEP bytes of a test's output."""
    try:
        size = os.path.getsize(path)
        if size <= 2 * LOG_KEEP:
            return
        with open(path, "rb") as f:
            head = f.read(LOG_KEEP)
            f.seek(size - LOG_KEEP)
            tail = f.read()
        with open(path, "wb") as f:
            f.write(head + f"\n[... {size - 2 * LOG_KEEP} bytes cut ...]\n".encode() + tail)
    except OSError:
        pass


class Budget:
    """Wall-clock limits: one lab's, within the student's."""

    def __init__(self, seconds, outer=None, what="the lab's"):
        self.end = time.monotonic() + seconds
        self.seconds = seconds
        self.what = what
        if outer and outer.end < self.end:
            self.end, self.seconds, self.what = outer.end, outer.seconds, outer.what

    def left(self):
        return self.end - time.monotonic()

    def reason(self):
        return f"{self.what} time budget ({self.seconds:.0f} s) was used up"


def run_test(lab, box, tid, logs, index, budget, show_cmd=None):
    """Run one test in its own sandboxed runner; (status, message, seconds)."""
    suite, test = tid.split("::", 1)
    b = inside(box)
    base = os.path.join(logs, f"{index:03d}-{suite}-{test}")
    scratch = tempfile.mkdtemp(prefix="scratch-", dir=box)   # a test may write files
    sandbox.give(scratch, True)
    r, w = os.pipe()
    chunks = []

    def reader():
        total = 0
        with os.fdopen(r, "rb") as f:
            while True:
                data = f.read1(65536) if hasattr(f, "read1") else f.read(65536)
                if not data:
                    break
                if total < (4 << 20):
                    chunks.append(data)
                total += len(data)

    t = threading.Thread(target=reader, daemon=True)
    t.start()

    def deadline():
        # the test's own timeout, plus room for the runner's start and Criterion's kill
        _, timeouts = parse_report(b"".join(chunks).decode("utf-8", "replace"))
        return timeouts[tid] + GRACE if tid in timeouts else None

    cmd = [f"{b}/build/test_runner", f"--filter={suite}/{test}", "--short-filename", "-j1"]
    cwd = "/work" if sandbox.mode() == "bwrap" else scratch
    if show_cmd is not None:   # the same sandbox, by hand: the runner's own output, no report pipe
        if sandbox.mode() == "bwrap":
            full, _, _ = sandbox.command(cmd, {BOX: box}, {}, "/tmp")
        else:
            full, _, _ = sandbox.command(cmd, {}, {}, box)
        show_cmd.append(f"  {tid}:\n    " + " ".join(shlex.quote(x) for x in full))
    limit = min(RUN_TIMEOUT, budget.left())
    if limit <= 0:
        os.close(w)
        t.join()
        shutil.rmtree(scratch, ignore_errors=True)
        return "TIMEOUT", f"not run: {budget.reason()}", 0.0
    try:
        _, timed_out, secs = sandbox.run(cmd, base + ".log", limit, ro={BOX: box},
                                         rw={"/work": scratch}, cwd=cwd,
                                         env={"ASL_REPORT_FD": str(w)}, deadline_fn=deadline,
                                         pass_fds=(w,))
    finally:
        os.close(w)
    t.join(timeout=30)
    shutil.rmtree(scratch, ignore_errors=True)
    trim_log(base + ".log")
    rows, _ = parse_report(b"".join(chunks).decode("utf-8", "replace").replace(b + "/", ""))
    status, msg = classify(lab, tid, rows.get(tid), verdict_in_log(base + ".log"))
    if status == "ERROR" and timed_out:
        if budget.left() <= 0:
            return "TIMEOUT", f"stopped: {budget.reason()}", secs
        # Criterion killed the test at its timeout, but processes it left behind kept the
        # runner waiting: the test did not end in time, and it is not run again.
        return "TIMEOUT", ("did not finish within the suite's timeout and left processes "
                           "running (a fork that never ends?)"), secs
    return status, msg, secs


def lock_box(work, lab):
    """Hold the lab's persistent box alone (`make watch` in one terminal, `make status` in
    another): an open file holding the lock, which closing releases."""
    f = open(os.path.join(work, ".box-lock"), "w")
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print(f"lab {lab}: waiting for another run of its tests (make test, status or watch) "
              f"to end", flush=True)
        fcntl.flock(f, fcntl.LOCK_EX)
    return f


def grade_lab(lab, lab_dir, work, jobs, budget=None, tests=None, keep=False, box=None,
              expect_clean=False, steps=None):
    """Grade one lab directory; returns a dict with per-test results.

    work: where logs go.  box: a persistent box directory (`make test`), else a temporary
    one, removed afterwards unless keep.  tests: shell patterns selecting tests; steps: the
    steps whose tests run (both: all tests when empty)."""
    entries = select(lab, read_points(lab), tests, steps)
    budget = Budget(BUDGET_LAB, budget)
    result = {"lab": lab, "tests": [], "log": None, "problem": None, "notes": {}}
    os.makedirs(work, exist_ok=True)
    build_log = os.path.join(work, "build.log")

    def everything(status, msg):
        for tid, pts, step in entries:
            result["tests"].append(dict(id=tid, points=pts, step=step, earned=0,
                                        status=status, message=msg, seconds=0.0))
        return result

    if not entries:
        return result
    if not os.path.isdir(lab_dir):
        return everything("MISSING", f"no directory {lab_dir}")
    if budget.left() <= 0:
        return everything("TIMEOUT", f"not run: {budget.reason()}")
    temp = box is None
    if temp:
        box = tempfile.mkdtemp(prefix=f"asl-grade-{lab}-",
                               dir=os.environ.get("ASL_GRADE_TMP") or None)
    os.chmod(box, 0o711)   # the sandboxed user may enter it (bwrap binds it as that user)
    lock = None if temp else lock_box(work, lab)
    try:
        notes = make_box(lab, lab_dir, box)
        result["notes"] = notes
        ok, msg = build_runner(lab, box, build_log, jobs, budget.left())
        result["log"] = build_log
        if not ok:
            if budget.left() <= 0:
                msg = f"{msg} ({budget.reason()})"
            return everything("BUILD", msg)
        listed = list_tests(box, os.path.join(work, "list.log"), budget.left())
        declared = [e[0] for e in read_points(lab)]
        if listed is None:
            result["problem"] = "the test runner's --list failed or timed out (see list.log)"
        else:
            extra = sorted(set(listed) - set(declared))
            missing = sorted(set(declared) - set(listed))
            if extra or missing:
                lines = [f"tests/{lab}/points and the suites disagree:"]
                lines += [f"  test without a points entry: {t}" for t in extra]
                lines += [f"  points entry without a test: {t}" for t in missing]
                if expect_clean:   # the course's own trees: a course error, stop loudly
                    raise GradeError("\n".join(lines))
                # a student's tree: the tests are the course's, so their code printed
                # something; grade every declared test anyway
                result["problem"] = "\n".join(lines)

        logs = os.path.join(work, "logs")
        shutil.rmtree(logs, ignore_errors=True)
        os.makedirs(logs)
        result["log"] = logs

        # Every test runs in its own runner invocation, contained on its own: a test that
        # forks without end or leaves processes behind cannot starve the tests after it.
        shown = []

        def one(i, tid):
            return run_test(lab, box, tid, logs, i, budget,
                            show_cmd=shown if tests and temp else None)

        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            futs = [pool.submit(one, i, tid) for i, (tid, _, _) in enumerate(entries)]
            outcomes = [f.result() for f in futs]
        # A runner that died without reporting (ERROR) gets one more try, alone: Criterion
        # 2.4.1's runner can trip over its own timeout bookkeeping when the machine is swamped
        # (say, by another test's fork bomb).  A failure the student's code causes recurs.
        for i, (tid, _, _) in enumerate(entries):
            if outcomes[i][0] == "ERROR" and budget.left() > 0:
                outcomes[i] = one(i, tid)
        for (tid, pts, step), (status, msg, secs) in zip(entries, outcomes):
            result["tests"].append(dict(id=tid, points=pts, step=step, status=status,
                                        message=msg, seconds=round(secs, 3),
                                        earned=pts if status == "PASS" else 0))
        if tests and temp:   # an instructor's rerun of some tests: how to run them by hand
            keep = True
            who = "as root; " if sandbox.drop_cmd() else ""
            print(f"lab {lab}: each selected test, as the grader ran it ({who}the build is "
                  f"kept in {box}; delete it when done):")
            print("\n".join(sorted(set(shown))))
        return result
    finally:
        if lock:
            lock.close()
        if temp and not keep:
            shutil.rmtree(box, ignore_errors=True)
        elif temp:
            result["box"] = box


def lab_dirs(tree):
    tree = os.path.abspath(tree)
    if os.path.isdir(os.path.join(tree, "labs")):
        tree = os.path.join(tree, "labs")
    return tree


def is_course_tree(tree):
    """The reference or a freshly generated skeleton: points/suites disagreements are ours."""
    return os.path.realpath(tree) == os.path.realpath(os.path.join(TOP, "solutions"))


def grade_tree(tree, labs, out, jobs, tests=None, keep=False, expect_clean=False,
               budget_student=None, steps=None):
    results = []
    student = Budget(budget_student or BUDGET_STUDENT, what="the student's")
    for lab in labs:
        results.append(grade_lab(lab, os.path.join(tree, lab), os.path.join(out, lab), jobs,
                                 student, tests, keep, expect_clean=expect_clean, steps=steps))
    return results


def out_name(tree):
    """A name for a tree's output directory: its basename plus a hash of its full path, so
    that two students' trees with the same basename never share one."""
    tree = os.path.abspath(tree)
    name = os.path.basename(os.path.dirname(tree)) if os.path.basename(tree) == "labs" \
        else os.path.basename(tree)
    return f"{name}-{hashlib.sha256(tree.encode()).hexdigest()[:8]}"


def write_outputs(results, out_dir, elapsed, who):
    """results.json and the readable report.txt, side by side."""
    os.makedirs(out_dir, exist_ok=True)
    write_json(results, os.path.join(out_dir, "results.json"), elapsed)
    with open(os.path.join(out_dir, "report.txt"), "w", encoding="utf-8") as f:
        f.write(f"asynclabs grade of {who}\n")
        f.write(render_table(results, width=100, colors=False))


def main(argv):
    args = argv[1:]
    opts = {"labs": [], "tree": None, "json": None, "junit": None, "csv": None, "quiet": False,
            "expect": None, "students": None, "lab_dir": None, "status": False,
            "jobs": len(os.sched_getaffinity(0)) or 2, "parallel": 1, "tests": [],
            "out": os.path.join(TOP, "grade-out"), "keep": False, "files": None,
            "budget_lab": None, "budget_student": None, "info": False, "steps": [],
            "fresh": False}
    valued = {"--tree": "tree", "--lab": "labs", "--json": "json", "--junit": "junit",
              "--csv": "csv", "--expect": "expect", "--students": "students",
              "--lab-dir": "lab_dir", "--out": "out", "--jobs": "jobs", "--parallel": "parallel",
              "--test": "tests", "--files": "files", "--budget-lab": "budget_lab",
              "--budget-student": "budget_student", "--step": "steps"}
    while args:
        a = args.pop(0)
        if a in ("-h", "--help"):
            print(__doc__.strip())
            return 0
        if a in ("-q", "--quiet"):
            opts["quiet"] = True
        elif a == "--status":
            opts["status"] = True
        elif a == "--fresh":
            opts["fresh"] = True
        elif a == "--keep-build":
            opts["keep"] = True
        elif a == "--sandbox-info":
            opts["info"] = True
        elif a in valued:
            if not args or not args[0] or args[0].startswith("--"):
                print(f"grade: {a} needs a value\n\n{__doc__.strip()}", file=sys.stderr)
                return 2
            v = args.pop(0)
            key = valued[a]
            if key == "labs":
                opts["labs"].extend(x for x in re.split(r"[ ,]+", v) if x)
            elif key == "tests":
                opts["tests"].extend(x for x in re.split(r"[ ,]+", v) if x)
            elif key == "steps":
                for x in (x for x in re.split(r"[ ,]+", v) if x):
                    if not x.isdigit():
                        print(f"grade: --step takes step numbers (1, 2, ...), not '{x}'",
                              file=sys.stderr)
                        return 2
                    opts["steps"].append(int(x))
            elif key in ("jobs", "parallel", "budget_lab", "budget_student"):
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
    global BUDGET_LAB, BUDGET_STUDENT
    BUDGET_LAB = opts["budget_lab"] or BUDGET_LAB
    BUDGET_STUDENT = opts["budget_student"] or BUDGET_STUDENT
    if opts["info"]:
        print(sandbox.describe())
        return 0
    start = time.monotonic()
    out = os.path.abspath(opts["out"])
    try:
        if opts["lab_dir"]:   # `make test` inside one lab directory: an incremental box
            lab_dir = os.path.abspath(opts["lab_dir"])
            lab = pick_labs(opts["labs"] or [os.path.basename(lab_dir)])[0]
            if opts["tests"] or opts["steps"]:
                work = os.path.join(lab_dir, "build", "grade")
                results = [grade_lab(lab, lab_dir, work, opts["jobs"], tests=opts["tests"],
                                     box=persistent_box(work, lab_dir), steps=opts["steps"])]
            else:   # every test: the result is kept for `make status` (grade_status.py)
                results = [lab_result(lab, lab_dir, opts["jobs"], grade_lab, reuse=False)[0]]
        elif opts["students"]:
            return grade_students(opts, out)
        else:
            if opts["files"]:   # one lab's bare files: place them in a labs-like tree
                lab = recognise(opts["files"], pick_labs(opts["labs"]))
                if not lab:
                    print(f"grade: cannot tell which lab the files in {opts['files']} belong "
                          f"to; name it with --lab NN", file=sys.stderr)
                    return 2
                opts["labs"] = [lab]
                placed = tempfile.mkdtemp(prefix="asl-files-")
                atexit.register(shutil.rmtree, placed, True)
                opts["tree"] = place_files(opts["files"], lab, placed)
            tree = lab_dirs(opts["tree"] or os.path.join(TOP, "labs"))
            if not os.path.isdir(tree):
                print(f"grade: no such directory: {tree}", file=sys.stderr)
                return 2
            if opts["status"]:
                status(tree, pick_labs(opts["labs"]), os.path.join(out, "status"),
                       opts["jobs"], grade_lab, fresh=opts["fresh"])
                return 0
            if opts["steps"] and len(pick_labs(opts["labs"])) != 1:
                raise GradeError("--step needs one lab: name it with --lab NN (LAB=NN)")
            if opts["tests"] or os.environ.get("ASL_SHOW_SANDBOX"):
                print(sandbox.describe())
            results = grade_tree(tree, pick_labs(opts["labs"]), os.path.join(out, out_name(tree)),
                                 opts["jobs"], opts["tests"], opts["keep"],
                                 expect_clean=is_course_tree(tree) or bool(opts["expect"]),
                                 steps=opts["steps"])
            write_outputs(results, os.path.join(out, out_name(tree)), time.monotonic() - start,
                          tree)
    except GradeError as e:
        print(f"grade: {e}", file=sys.stderr)
        return 3
    elapsed = time.monotonic() - start
    n = sum(len(r["tests"]) for r in results)
    if (opts["tests"] or opts["steps"]) and n == 0:
        suites = sorted({e[0].split("::")[0] + "::*"
                         for r in results for e in read_points(r["lab"])})
        print(f"grade: no test matches {' '.join(opts['tests'])}"
              + (f" in step {', '.join(map(str, opts['steps']))}" if opts["steps"] else "")
              + f"; the suites: {' '.join(suites)}", file=sys.stderr)
        return 2
    print_table(results, opts["quiet"])
    counts = {k: sum(t["status"] == k for r in results for t in r["tests"])
              for k in ("PASS", "SKIP")}
    if opts["tests"] or opts["steps"]:
        every = sum(len(read_points(r["lab"])) for r in results)
        what = ", ".join(([f"step {', '.join(map(str, opts['steps']))}"] if opts["steps"] else [])
                         + opts["tests"])
        print(f"only {n} of the {every} graded tests ran (selected: {what}); "
              f"without STEP= and TEST= every test runs")
    if opts["expect"] != "all-fail":   # the teeth run's "0 passed" would read as a red CI
        line = f"{counts['PASS']} passed, {n - counts['PASS'] - counts['SKIP']} failed"
        print(line + (f", {counts['SKIP']} skipped" if counts["SKIP"] else ""))
    if opts["json"]:
        write_json(results, opts["json"], elapsed)
        report = os.path.splitext(opts["json"])[0] + ".txt"
        with open(report, "w", encoding="utf-8") as f:
            f.write(render_table(results, width=100, colors=False))
        print(f"wrote {opts['json']} and {report}")
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


def grade_one_student(root, s, labs, out, jobs, tests, keep):
    """Grade one student; never raises: a failure of the grader itself becomes an ERROR row."""
    start = time.monotonic()
    try:
        results = grade_tree(lab_dirs(os.path.join(root, s)), labs, os.path.join(out, s), jobs,
                             tests, keep)
    except Exception as e:   # noqa: BLE001 - one student must never stop the gradebook
        results = []
        for lab in labs:
            results.append({"lab": lab, "log": None, "problem": f"grader error: {e}",
                            "notes": {}, "tests": [
                                dict(id=tid, points=pts, step=step, earned=0, status="ERROR",
                                     message=f"the grader failed on this tree: {e}", seconds=0)
                                for tid, pts, step in read_points(lab)]})
    write_outputs(results, os.path.join(out, s), time.monotonic() - start, s)
    return results


def grade_students(opts, out):
    """Grade every sub-directory of --students; gradebook CSV, per-student JSON and report,
    and a class summary."""
    root = os.path.abspath(opts["students"])
    students = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
    if not students:
        print(f"grade: no student directories in {root}", file=sys.stderr)
        return 2
    try:
        labs = pick_labs(opts["labs"])
    except GradeError as e:
        print(f"grade: {e}", file=sys.stderr)
        return 3
    sout = os.path.join(out, "students")
    from concurrent.futures import ProcessPoolExecutor
    with ProcessPoolExecutor(max_workers=opts["parallel"]) as pool:
        futs = {s: pool.submit(grade_one_student, root, s, labs, sout, opts["jobs"],
                               opts["tests"], opts["keep"]) for s in students}
        rows, everyone = [], {}
        for s in students:
            try:
                results = futs[s].result()
            except Exception as e:   # noqa: BLE001 - the worker process itself died
                print(f"{s:<30} grader error: {e}", file=sys.stderr)
                results = []
            everyone[s] = results
            earned, possible = totals(results)
            row = {"student": s}
            for r in results:
                row[r["lab"]] = sum(t["earned"] for t in r["tests"])
            row["total"], row["possible"] = earned, possible
            rows.append(row)
            print(f"{s:<30} {earned:>4}/{possible}", flush=True)
    path = opts["csv"] or os.path.join(out, "gradebook.csv")
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=["student"] + labs + ["total", "possible"])
        w.writeheader()
        w.writerows(rows)
    summary = os.path.join(out, "summary.txt")
    text = write_summary(everyone, labs, summary)
    print(text)
    print(f"wrote {path}, {summary} and {sout}/*/results.json, report.txt")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
