#!/usr/bin/env python3
"""stepcheck.py - check that every test needs only its own step and the steps before it.

A student works through a lab in order: when step K is done and steps K+1... are still stubs,
every test the points file gives to step K must pass.  A test that also calls code of a later
step (a step-4 test that needs step 5's timed send) tells a student with a correct step K to
"reread step K".  For each lab and each step K this generates the tree a student has after
step K (`skelgen.py --upto K`: steps <= K keep the reference, later steps are stubs), builds
its test runner and runs the tests of step K.

usage: stepcheck.py [--jobs N] [--keep DIR] [LAB...]     (LAB: 04 or 04-sync; default: all)
  --jobs N    tests run at once (default: the number of CPUs)
  --keep DIR  work in DIR and leave the trees there (default: a temporary directory)

Exit status 0 when every test passes on its own step's tree, 1 otherwise (each failure is
listed with the step it was checked at and its message), 2 on bad usage.
"""
import concurrent.futures
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
GRACE = 10   # seconds past a test's own timeout before it is killed


def usage(msg):
    print(f"stepcheck: {msg}\n\n{__doc__.strip()}", file=sys.stderr)
    return 2


def read_points(lab):
    """{step: [test id]} from tests/LAB/points."""
    steps = {}
    with open(os.path.join(TOP, "tests", lab, "points"), encoding="utf-8") as f:
        for line in f:
            parts = line.split("#", 1)[0].split()
            if len(parts) >= 3:
                steps.setdefault(int(parts[2]), []).append(parts[0])
    return steps


def run_test(runner, tid, work):
    """(passed, message) for one test of a built runner."""
    suite, test = tid.split("::", 1)
    os.makedirs(work, exist_ok=True)
    report, fini = os.path.join(work, "report"), os.path.join(work, "finished")
    timeouts = os.path.join(work, "timeouts")
    env = dict(os.environ, ASL_REPORT=report, ASL_FINI_LOG=fini, ASL_TIMEOUTS=timeouts)
    proc = subprocess.Popen([runner, f"--filter={suite}/{test}", "--short-filename", "-j1"],
                            cwd=work, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    limit = 300.0
    try:
        out, _ = proc.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return False, f"still running after {limit:.0f} s"
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)   # anything the test left behind
        except ProcessLookupError:
            pass
    row = None
    if os.path.exists(report):
        with open(report, encoding="utf-8", errors="replace") as f:
            header = f.readline().rstrip("\n").split("\t")
            for line in f:
                cells = dict(zip(header, line.rstrip("\n").split("\t")))
                if f"{cells.get('suite')}::{cells.get('test')}" == tid:
                    row = cells
    if row is None:
        return False, "no report (runner died?): " + out.decode(errors="replace")[-300:]
    if os.path.exists(fini + ".fail"):
        with open(fini + ".fail", encoding="utf-8", errors="replace") as f:
            return False, f.read().strip()
    expected_signal = row.get("expected_signal", "0") not in ("0", "")
    if row["status"] == "passed" and (expected_signal or os.path.exists(fini)):
        return True, ""
    if row.get("timed_out") == "1":
        return False, "TIMEOUT"
    if row.get("crashed") == "1":
        return False, f"crashed with signal {row.get('signal')}"
    msg = row.get("message", "").replace("\\n", " ").replace("\\t", " ")
    return False, msg or f"failed (exit status {row.get('exit_code')})"


def check_step(lab, step, tests, base, jobs):
    """[(test id, passed, message)] for the tests of one step on its tree."""
    tree = os.path.join(base, f"{lab}-upto{step}")
    shutil.rmtree(tree, ignore_errors=True)
    gen = subprocess.run([sys.executable, os.path.join(TOP, "common", "tools", "skelgen.py"),
                          "--into", tree, "--upto", str(step), lab],
                         capture_output=True, text=True)
    if gen.returncode != 0:
        return [(t, False, "skelgen failed: " + gen.stderr.strip()) for t in tests]
    lab_dir, build = os.path.join(tree, lab), os.path.join(tree, "build")
    make = subprocess.run(["make", "--no-print-directory", "-C", lab_dir, f"ASL_TOP={TOP}",
                           f"BUILD={build}", f"-j{jobs}", "runner"],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if make.returncode != 0:
        err = next((l for l in (make.stdout + make.stderr).splitlines() if "error" in l),
                   "see the build output")
        return [(t, False, "build failed: " + err.strip()) for t in tests]
    runner = os.path.join(build, "test_runner")
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        futs = [pool.submit(run_test, runner, t, os.path.join(tree, "run", f"{i:03d}"))
                for i, t in enumerate(tests)]
        return [(t, *f.result()) for t, f in zip(tests, futs)]


def main(argv):
    args, labs, jobs, keep = argv[1:], [], os.cpu_count() or 2, None
    while args:
        a = args.pop(0)
        if a == "--jobs" and args:
            try:
                jobs = max(1, int(args.pop(0)))
            except ValueError:
                return usage("--jobs takes a number")
        elif a == "--keep" and args:
            keep = os.path.abspath(args.pop(0))
        elif a in ("-h", "--help"):
            print(__doc__.strip())
            return 0
        elif a.startswith("-"):
            return usage(f"unknown option {a}")
        else:
            labs.append(a)
    have = sorted(d for d in os.listdir(os.path.join(TOP, "tests"))
                  if os.path.isfile(os.path.join(TOP, "tests", d, "points")))
    todo = []
    for w in labs or have:
        match = [l for l in have if l == w or l.split("-", 1)[0] == w.zfill(2)]
        if not match:
            return usage(f"no graded lab '{w}' (have: {' '.join(have)})")
        todo += [m for m in match if m not in todo]
    base = keep or tempfile.mkdtemp(prefix="stepcheck-")
    os.makedirs(base, exist_ok=True)
    bad, total, t0 = 0, 0, time.monotonic()
    try:
        for lab in todo:
            for step, tests in sorted(read_points(lab).items()):
                results = check_step(lab, step, tests, base, jobs)
                failed = [r for r in results if not r[1]]
                total += len(results)
                bad += len(failed)
                print(f"{lab} step {step}: {len(results) - len(failed)}/{len(results)} tests "
                      f"pass with steps 1-{step} done and later steps stubbed", flush=True)
                for tid, _, msg in failed:
                    print(f"  FAIL {tid}: {msg[:300]}", flush=True)
    finally:
        if not keep:
            shutil.rmtree(base, ignore_errors=True)
    print(f"stepcheck: {total - bad}/{total} tests pass on their own step's tree "
          f"({time.monotonic() - t0:.0f} s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
