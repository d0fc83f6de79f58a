"""grade_status.py - `make status`: a student's progress in every lab, rerunning only what changed.

A lab's result is kept in its build directory (labs/NN-name/build/grade/result.json, never a
file the student edits) under a key: a hash of everything the result depends on.

  - the lab's box, as grade_box.make_box() fills it: the student's files of this lab and of
    the labs it builds on (USES_LABS), the course's skeleton and Makefile of each, tests/NN,
    common/ (headers, shared code, make rules, test library), and the box's notes (missing or
    ignored files);
  - the toolchain: the compiler's version and path, the Criterion library it links;
  - the grader itself (its Python sources), its sandbox mode and its ASL_GRADE_* settings.

So a lab is rerun when any of these changed, and only then; `make status FRESH=1` reruns every
lab anyway (a result measured on a swamped machine, say).  Every full run of a lab in its own
directory (`make status`, `make -C labs/NN-name test`) stores its result; a run of some tests
only (STEP=, TEST=) does not.  Results with a test the grader could not judge (ERROR, or a
time budget used up) are not stored: they say more about the machine than about the code.
"""
import hashlib
import json
import os
import re
import shutil
import subprocess
import time

import sandbox
from grade_box import course_lab, make_box, persistent_box
from grade_report import color

TOOLS = os.path.dirname(os.path.abspath(__file__))
GRADER_SOURCES = ("grade.py", "grade_box.py", "grade_hints.py", "grade_status.py", "sandbox.py",
                  "skelgen.py", "skelrules.py")
RESULT = "result.json"
_toolchain = None


def step_titles(lab, lab_dir):
    """{step: title} from the TODO comments of the student's files, or of the course's skeleton
    where the student's no longer hold them (a step finished and its TODO deleted)."""
    pat = re.compile(r"/\* (?:TODO step|BEGIN STEP) (\d+): (.*?)(?:\*/)?\s*$")
    titles = {}
    texts = []
    if os.path.isdir(lab_dir):
        for name in sorted(os.listdir(lab_dir)):
            if name.endswith((".c", ".h", ".S")):
                with open(os.path.join(lab_dir, name), encoding="utf-8", errors="replace") as f:
                    texts.append(f.read())
    texts += [data.decode("utf-8", "replace") for rel, data in sorted(course_lab(lab)[0].items())
              if rel.endswith((".c", ".h", ".S"))]
    for text in texts:
        for line in text.splitlines():
            m = pat.search(line)
            if m:
                titles.setdefault(int(m.group(1)), m.group(2).strip())
    return titles


def toolchain():
    """What of the machine the build depends on: compiler, Criterion, sandbox, settings."""
    global _toolchain
    if _toolchain is None:
        cc = os.environ.get("CC") or "cc"
        parts = [cc, os.path.realpath(shutil.which(cc) or cc), sandbox.mode()]
        for args in ([cc, "--version"], [cc, "-print-file-name=libcriterion.so"]):
            try:
                out = subprocess.run(args, capture_output=True, text=True, timeout=30).stdout
            except (OSError, subprocess.TimeoutExpired):
                out = "?"
            parts.append(out.strip())
        parts.append(os.path.realpath(parts[-1]))   # the versioned library behind the link
        parts += sorted(f"{k}={v}" for k, v in os.environ.items() if k.startswith("ASL_GRADE"))
        h = hashlib.sha256("\0".join(parts).encode())
        for name in GRADER_SOURCES:
            try:
                with open(os.path.join(TOOLS, name), "rb") as f:
                    h.update(name.encode() + b"\0" + f.read())
            except OSError:
                pass
        _toolchain = h.hexdigest()
    return _toolchain


def box_key(box, notes):
    """A hash of the box's files (its build directory and test scratch space excluded), its
    notes and the toolchain: equal keys, equal builds, equal results."""
    h = hashlib.sha256(toolchain().encode())
    h.update(json.dumps(notes, sort_keys=True).encode())
    for root, dirs, names in os.walk(box):
        if root == box:
            dirs[:] = [d for d in dirs if d != "build" and not d.startswith("scratch-")]
        dirs.sort()
        for n in sorted(names):
            p = os.path.join(root, n)
            h.update(b"\0" + os.path.relpath(p, box).encode() + b"\0")
            try:
                with open(p, "rb") as f:
                    h.update(hashlib.sha256(f.read()).digest())
            except OSError:
                h.update(b"unreadable")
    return h.hexdigest()


def storable(result):
    return result["tests"] and not any(
        t["status"] == "ERROR" or "time budget" in (t["message"] or "") for t in result["tests"])


def lab_box(lab, lab_dir):
    """(work directory, box, key) of a lab directory, the box filled; None when the lab's
    build directory cannot be written (a read-only tree: then nothing is kept)."""
    work = os.path.join(lab_dir, "build", "grade")
    try:
        os.makedirs(work, exist_ok=True)
    except OSError:
        return None
    box = persistent_box(work, lab_dir)
    os.chmod(box, 0o711)
    return work, box, box_key(box, make_box(lab, lab_dir, box))


def cached(work, key):
    """The stored result of a run with these inputs, or None."""
    try:
        with open(os.path.join(work, RESULT), encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError):
        return None
    return doc if doc.get("key") == key and "result" in doc else None


def store(work, key, result):
    path = os.path.join(work, RESULT)
    try:
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            json.dump({"key": key, "when": time.time(), "result": result}, f)
        os.replace(path + ".tmp", path)
    except OSError:
        pass


def lab_result(lab, lab_dir, jobs, grade_lab, reuse=True, fallback_work=None):
    """Grade one lab directory in full, or reuse the stored result of the same inputs.
    Returns (result, when the reused result was made, or None if the lab was run now)."""
    where = lab_box(lab, lab_dir) if os.path.isdir(lab_dir) else None
    if where is None:    # no lab directory, or a read-only one: graded, nothing kept
        return grade_lab(lab, lab_dir, fallback_work or os.path.join(lab_dir, "build"), jobs), None
    work, box, key = where
    doc = cached(work, key) if reuse else None
    if doc:
        return doc["result"], doc["when"]
    result = grade_lab(lab, lab_dir, work, jobs, box=box)
    if storable(result):
        # what was built is what was hashed, unless a file changed during the run
        if box_key(box, make_box(lab, lab_dir, box)) == key:
            store(work, key, result)
    return result, None


def since(when):
    """'06:41', or 'Nov 27 06:41' for an earlier day."""
    t = time.localtime(when)
    if time.strftime("%Y%m%d", t) == time.strftime("%Y%m%d"):
        return time.strftime("%H:%M", t)
    return time.strftime("%b %d %H:%M", t)


def steps_of(result):
    """{step: [passed, total, [failing tests]]} of a lab's result."""
    steps = {}
    for t in result["tests"]:
        s = steps.setdefault(t["step"], [0, 0, []])
        s[1] += 1
        if t["status"] in ("PASS", "SKIP"):
            s[0] += 1
        else:
            s[2].append(t)
    return steps


def status(tree, labs, out, jobs, grade_lab, fresh=False):
    """Which labs and steps pass, and the next step to work on."""
    start = time.monotonic()
    next_step = None
    reused, rerun = [], []
    print("asynclabs progress for", tree)
    for lab in labs:
        lab_dir = os.path.join(tree, lab)
        r, when = lab_result(lab, lab_dir, jobs, grade_lab, reuse=not fresh,
                             fallback_work=os.path.join(out, lab))
        (reused if when else rerun).append(lab)
        titles = step_titles(lab, lab_dir)
        steps = steps_of(r)
        done = sum(1 for s in steps.values() if s[0] == s[1])
        head = color(f"\nlab {lab}: {done}/{len(steps)} steps done", "1")
        if when:
            head += f"   (unchanged since {since(when)}, not rerun)"
        print(head)
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
        print(f"  work in labs/{lab}/, then run: make -C labs/{lab} test STEP={n}")
        print(f"  or let the tests of each step rerun on every save: make -C labs/{lab} watch")
    else:
        print(color("\nevery graded step passes. Well done.", "1"))
    secs = time.monotonic() - start
    if reused:
        print(f"\n{len(reused)} of {len(labs)} labs unchanged since their last run, not rerun; "
              f"rerun: {', '.join(rerun) or 'none'} ({secs:.0f} s). "
              f"`make status FRESH=1` reruns every lab.")
