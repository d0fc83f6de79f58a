#!/usr/bin/env python3
"""stepcheck.py - check that every test needs only its own step and the steps before it.

A student works through a lab in order: when step K is done and steps K+1... are still stubs,
every test the points file gives to step K must pass.  A test that also calls code of a later
step (a step-4 test that needs step 5's timed send) tells a student with a correct step K to
"reread step K".  For each lab and each step K this generates the tree a student has after
step K (`skelgen.py --upto K`: steps <= K keep the reference, later steps are stubs), builds
grades the tests of step K with the course's grader (`grade.py --step K`, in its sandbox).
The labs a lab builds on (USES_LABS) are laid beside it complete.

usage: stepcheck.py [--jobs N] [--keep DIR] [LAB...]     (LAB: 04 or 04-sync; default: all)
  --jobs N    tests run at once (default: the number of CPUs)
  --keep DIR  work in DIR and leave the trees there (default: a temporary directory)

Exit status 0 when every test passes on its own step's tree, 1 otherwise (each failure is
listed with the step it was checked at and its message), 2 on bad usage.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


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


def uses_labs(lab):
    """The earlier labs this lab builds on (USES_LABS in its Makefile), recursively."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import grade_box
    todo, seen = [lab], []
    while todo:
        name = todo.pop(0)
        with open(os.path.join(TOP, "solutions", name, "Makefile"), "rb") as f:
            for used in grade_box.uses_labs({"Makefile": f.read()}):
                if used not in seen:
                    seen.append(used)
                    todo.append(used)
    return seen


def check_step(lab, step, tests, base, jobs):
    """[(test id, passed, message)] for the tests of one step on its tree, graded by the
    course's own grader (grade.py --step), in its sandbox."""
    tree = os.path.join(base, f"{lab}-upto{step}")
    shutil.rmtree(tree, ignore_errors=True)
    skelgen = os.path.join(TOP, "common", "tools", "skelgen.py")
    # this lab done up to step K; the labs it builds on complete, as a student has them
    gens = [[lab, str(step)]] + [[used, "999"] for used in uses_labs(lab)]
    for name, upto in gens:
        gen = subprocess.run([sys.executable, skelgen, "--into", tree, "--upto", upto, name],
                             capture_output=True, text=True)
        if gen.returncode != 0:
            return [(t, False, "skelgen failed: " + gen.stderr.strip()) for t in tests]
    results = os.path.join(tree, "results.json")
    run = subprocess.run([sys.executable, os.path.join(TOP, "common", "tools", "grade.py"),
                          "--tree", tree, "--lab", lab, "--step", str(step), "--jobs",
                          str(jobs), "--out", os.path.join(tree, "grade"), "--json", results,
                          "-q"], capture_output=True, text=True, stdin=subprocess.DEVNULL)
    try:
        with open(results, encoding="utf-8") as f:
            rows = json.load(f)["tests"]
    except (OSError, ValueError, KeyError):
        return [(t, False, "the grader wrote no results: " + (run.stdout + run.stderr)[-300:])
                for t in tests]
    got = {r["name"].split(" ", 1)[1]: r for r in rows}
    return [(t, got.get(t, {}).get("status") == "passed",
             got.get(t, {}).get("output", "not graded")) for t in tests]


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
