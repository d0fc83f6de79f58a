#!/usr/bin/env python3
"""mutants.py - mutation testing of the labs' tests: does each suite catch a student's mistake?

A mutant is one plausible student mistake in a step region of a lab's reference, written as an
exact textual replacement (common/tools/mutants/NN.py).  For each mutant this copies solutions/
into a scratch directory (solutions/ itself is never touched), makes the one replacement, grades
the mutated lab with the course's grader (grade.py --tree COPY --lab NN, its sandbox and
timeouts) and says how the suite reacted:

  KILLED-by-FAIL           some test FAILED with a message (what a student should see)
  KILLED-by-TIMEOUT/CRASH  only timeouts, crashes or lost tests: caught, but the student learns
                           little; a test that can hang on this mistake wants its own watchdog
  SURVIVED                 every test passed: no test observes the mistake
  STALE     (an error)     the pattern does not occur exactly once in the reference any more,
                           or the file is not one the grader takes from a student
  BUILD     (an error)     the mutated lab does not compile: a typo in the mutant, not a kill

usage: mutants.py [--runs N] [--jobs J] [--keep DIR] [--list] [--check] [LAB | LAB/NAME]...
  LAB          07 or 07-event-loop (default: every lab with a mutants file); LAB/NAME one mutant
  --runs N     grade each mutant N times (default 1); the verdict is the weakest of the runs
               (a mutant that survived once counts as survived)
  --jobs J     mutants graded at once (default 1; each grade already runs in parallel)
  --keep DIR   work in DIR and keep the failing grade logs (default: a temporary directory)
  --list       print the mutants (lab/name: description) and exit
  --check      only check that every selected mutant still applies (no grading); exit 1 if not

A mutant declared M(..., unobservable="why") is one no test can observe (e.g. a relaxed and a
release store are the same instruction on x86-64): it is still graded and reported, and the
summary adds the kill rate over the observable mutants beside the plain one.  Such a mutant
that gets killed is reported as a SURPRISE: re-examine the mark.

Prints one line per mutant and run, then a summary per lab: mutants, killed, kill rate (killed
over the mutants that are not errors), the rate over the observable ones, survivors by name.
Exit status: 0 when no mutant is STALE or BUILD, 1 otherwise, 2 on bad usage.
"""
import concurrent.futures
import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
HERE = os.path.join(TOP, "common", "tools", "mutants")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

ORDER = ["KILLED-by-FAIL", "KILLED-by-TIMEOUT/CRASH", "SURVIVED"]   # strongest first
ERRORS = ("STALE", "BUILD")


class Mutant:
    def __init__(self, lab, name, file, why, old, new, unobservable=None):
        self.lab, self.name, self.file, self.why, self.old, self.new = \
            lab, name, file, why, old, new
        self.unobservable = unobservable  # None, or why no test can observe the mistake

    @property
    def id(self):
        return f"{self.lab}/{self.name}"


def usage(msg):
    print(f"mutants: {msg}\n\n{__doc__.strip()}", file=sys.stderr)
    return 2


def lab_dirs():
    return sorted(d for d in os.listdir(os.path.join(TOP, "solutions"))
                  if os.path.isfile(os.path.join(HERE, d[:2] + ".py")))


def load(lab):
    """The mutants of lab (a directory name), in file order."""
    out = []

    def M(name, file, why, old, new, unobservable=None):
        if any(m.name == name for m in out):
            raise SystemExit(f"mutants: {lab}/{name} is defined twice")
        if unobservable is not None and not (isinstance(unobservable, str) and
                                             unobservable.strip()):
            raise SystemExit(f"mutants: {lab}/{name}: unobservable= takes the reason, a text")
        out.append(Mutant(lab, name, file, why, old, new, unobservable))

    path = os.path.join(HERE, lab[:2] + ".py")
    with open(path, encoding="utf-8") as f:
        code = compile(f.read(), path, "exec")
    exec(code, {"M": M, "__file__": path})
    return out


def stale_reason(m):
    """None when m applies: its pattern occurs exactly once, in a file the grader takes from the
    student (a mutant of any other file would be graded against the course's copy)."""
    import grade_box
    path = os.path.join(TOP, "solutions", m.lab, m.file)
    if not os.path.isfile(path):
        return f"no file solutions/{m.lab}/{m.file}"
    with open(path, encoding="utf-8") as f:
        n = f.read().count(m.old)
    if n != 1:
        return f"the pattern occurs {n} times in {m.file}, expected exactly once"
    if m.file not in grade_box.course_lab(m.lab)[1]:
        return f"{m.file} holds no step: the grader would not use the mutated file"
    if m.old == m.new:
        return "the replacement changes nothing"
    return None


def grade(m, run, work):
    """Grade one mutant once; returns (verdict, detail, seconds)."""
    why = stale_reason(m)
    if why:
        return "STALE", why, 0.0
    base = tempfile.mkdtemp(prefix=f"{m.lab[:2]}-{m.name}-{run}-", dir=work)
    tree = os.path.join(base, "solutions")
    shutil.copytree(os.path.join(TOP, "solutions"), tree,
                    ignore=shutil.ignore_patterns("build", "*.o", "*.a"))
    path = os.path.join(tree, m.lab, m.file)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.replace(m.old, m.new, 1))
    junit = os.path.join(base, "junit.xml")
    t0 = time.monotonic()
    g = subprocess.run(["nice", sys.executable, os.path.join(TOP, "common/tools/grade.py"),
                        "--tree", tree, "--lab", m.lab, "-q", "--junit", junit,
                        "--out", os.path.join(base, "out")],
                       capture_output=True, text=True)
    secs = time.monotonic() - t0
    try:
        cases = ET.parse(junit).getroot().iter("testcase")
    except (OSError, ET.ParseError):
        return "BUILD", f"the grader wrote no report (exit {g.returncode}): " + \
            (g.stderr or g.stdout).strip()[-300:], secs
    bad = []
    for c in cases:
        f = c.find("failure")
        if f is not None:
            bad.append((c.get("name"), f.get("type"), (f.text or "").strip()))
    if not bad:
        verdict = "SURVIVED"
    elif all(b[1] in ("BUILD", "MISSING") for b in bad):
        verdict = "BUILD"
    # a test's own crash report counts as a FAIL when it names the step to reread (a race
    # test's signal handler saying what the crash means); a bare "crashed" does not
    elif any(b[1] == "FAIL" and b[2] and (not b[2].startswith("crashed") or "-> reread" in b[2])
             for b in bad):
        verdict = "KILLED-by-FAIL"
    else:
        verdict = "KILLED-by-TIMEOUT/CRASH"
    first = sorted(bad, key=lambda b: b[1] != "FAIL")[:2]
    detail = "; ".join(f"{t} {s}: {msg.splitlines()[0][:160] if msg else ''}"
                       for t, s, msg in first)
    if verdict == "BUILD" and bad:
        detail = bad[0][2][-400:]
    shutil.rmtree(base, ignore_errors=True)
    return verdict, detail, secs


def weakest(verdicts):
    errs = [v for v in verdicts if v in ERRORS]
    if errs:
        return errs[0]
    return max(verdicts, key=ORDER.index)


def select(args):
    """The mutants named by args (LAB or LAB/NAME), or every lab's."""
    labs = lab_dirs()
    if not args:
        return [m for lab in labs for m in load(lab)]
    out = []
    for a in args:
        want, _, name = a.partition("/")
        lab = next((d for d in labs if d == want or d[:2] == want), None)
        if lab is None:
            raise ValueError(f"no lab with mutants called {want!r} (have: {' '.join(labs)})")
        ms = load(lab)
        if name:
            ms = [m for m in ms if m.name == name]
            if not ms:
                raise ValueError(f"lab {lab} has no mutant called {name!r}")
        out += ms
    return out


def main(argv):
    runs, jobs, keep, only_list, only_check, names = 1, 1, None, False, False, []
    it = iter(argv)
    try:
        for a in it:
            if a in ("-h", "--help"):
                print(__doc__.strip())
                return 0
            elif a in ("--runs", "--jobs"):
                v = int(next(it))
                if v < 1:
                    raise ValueError
                runs, jobs = (v, jobs) if a == "--runs" else (runs, v)
            elif a == "--keep":
                keep = next(it)
            elif a == "--list":
                only_list = True
            elif a == "--check":
                only_check = True
            elif a.startswith("-"):
                return usage(f"unknown option {a}")
            else:
                names.append(a)
    except (StopIteration, ValueError):
        return usage("--runs and --jobs take a whole number >= 1, --keep a directory")
    try:
        mutants = select(names)
    except ValueError as e:
        return usage(str(e))
    if only_list:
        for m in mutants:
            print(f"{m.id:<58} {m.why}")
            if m.unobservable:
                print(f"{'':<58} unobservable: {m.unobservable}")
        return 0
    if only_check:
        rc = 0
        for m in mutants:
            why = stale_reason(m)
            if why:
                print(f"{m.id}: STALE: {why}")
                rc = 1
        print(f"{len(mutants)} mutants checked, {'some are stale' if rc else 'all apply'}")
        return rc
    work = keep or tempfile.mkdtemp(prefix="asl-mutants-")
    os.makedirs(work, exist_ok=True)
    results = {}
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        futs = [(m, r, pool.submit(grade, m, r, work)) for m in mutants for r in range(runs)]
        for m, r, fut in futs:
            verdict, detail, secs = fut.result()
            results.setdefault(m.id, []).append(verdict)
            print(f"{m.id} run {r + 1}/{runs}: {verdict} ({secs:.0f} s) {detail}", flush=True)
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    return summary(mutants, results, runs)


def summary(mutants, results, runs):
    print(f"\nsummary ({runs} run{'s' if runs > 1 else ''} each; a mutant counts as killed "
          "only if every run killed it)")
    rc = 0
    for lab in sorted({m.lab for m in mutants}):
        ms = [m for m in mutants if m.lab == lab]
        final = {m.name: weakest(results[m.id]) for m in ms}
        errors = [n for n, v in final.items() if v in ERRORS]
        graded = len(ms) - len(errors)
        fail = sum(v == ORDER[0] for v in final.values())
        other = sum(v == ORDER[1] for v in final.values())
        rate = f"{100 * (fail + other) / graded:.0f} %" if graded else "-"
        unobs = [m.name for m in ms if m.unobservable and final[m.name] not in ERRORS]
        obs = [m.name for m in ms if not m.unobservable and final[m.name] not in ERRORS]
        if unobs:
            k = sum(final[n] in ORDER[:2] for n in obs)
            orate = f"{100 * k / len(obs):.0f} %" if obs else "-"
            rate += (f", kill rate {orate} of the observable ones ({len(unobs)} unobservable: "
                     f"{' '.join(unobs)})")
        print(f"  {lab:<18} {len(ms):>3} mutants  killed {fail + other:>3} "
              f"({fail} by FAIL, {other} by TIMEOUT/CRASH only)  kill rate {rate}")
        for m in ms:
            n, v = m.name, final[m.name]
            runs_said = ' '.join(results[m.id])
            if m.unobservable and v in ORDER[:2]:
                print(f"      {'SURPRISE':<24} {n}  ({runs_said}): marked unobservable "
                      "but killed: re-examine the mark")
            elif m.unobservable and v == "SURVIVED":
                print(f"      {'SURVIVED (unobservable)':<24} {n}  ({runs_said})")
            elif v not in ORDER[:1]:
                print(f"      {v:<24} {n}  ({runs_said})")
        if errors:
            rc = 1
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
