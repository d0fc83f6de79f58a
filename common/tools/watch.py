#!/usr/bin/env python3
"""watch.py - the tests of the step you are working on, rerun every time you save a file.

usage:
  watch.py --lab-dir DIR --lab NN [--step N] [--with-hint] [--once] [--poll] [--jobs N]
  watch.py --tree DIR [--lab NN] [...]      every lab of a labs/ tree, in order
  watch.py ... --hint                       print the current step's hint and exit

  --step N      start at step N (default: the first step that does not pass yet)
  --with-hint   print the hint under every failing step (else: h + Enter asks for it)
  --once        one round, then exit (no terminal needed; common/tools/watch_selftest.sh)
  --rounds N    exit after N rounds (tests of the watching itself)
  --poll        look at the files' times once a second even where inotifywait exists

The current step is the first one whose tests do not all pass: read from the result `make
status` or `make test` kept when the student's files have not changed since (grade_status.py),
else found by running the steps in order.  A round runs the current step's tests in the
grader's box (grade.grade_lab, exactly as `make test STEP=N`), shows their table and, when they
all pass, says so, names the next step and goes straight on to it, until a step fails or the
lab (with --tree: every lab) is done.  Then it waits for a save of one of the student's files -
the skeleton's files with a TODO step, of this lab and the labs it builds on - seen by
inotifywait (Debian inotify-tools) where it is installed, else by polling their modification
times once a second.  Typing h + Enter prints the hint: the step's TODO comments from the
student's files and the step's paragraph of workbook.md; r + Enter reruns; q + Enter or Ctrl-C
quits.
"""
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time

import grade
from grade_box import GradeError, course_lab, persistent_box, uses_labs
from grade_report import color, render_table
from grade_status import cached, lab_box, lab_result, step_titles, steps_of

TOP = grade.TOP
CLEAR = "\033[2J\033[H"
POLL_SECONDS = 1.0
SETTLE = 0.3     # seconds of quiet after a save before the tests run (editors write in bursts)


# ---------------------------------------------------------------------------------------------
# The hint: the step's TODO comments and its workbook paragraph.

def workbook_step(lab, step):
    """(bold title or None, the paragraph's lines) of step `step` in the lab's chapter of
    workbook.md: the numbered item under its "Build steps" heading."""
    try:
        with open(os.path.join(TOP, "workbook.md"), encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError:
        return None, []
    num = lab.split("-", 1)[0]
    where = None   # 'chapter', then 'steps'
    para = []
    for line in lines:
        if line.startswith("## "):
            if where:
                break
            where = "chapter" if re.match(rf"## {num}\b", line) else None
        elif where and line.startswith("### "):
            if para:
                break
            where = "steps" if "steps" in line.lower() else "chapter"
        elif where == "steps":
            m = re.match(r"^(\d+)\. ", line)
            if m and para:
                break
            if m and int(m.group(1)) == step:
                para = [line]
            elif para:
                para.append(line)
    while para and not para[-1].strip():
        para.pop()
    m = re.match(r"^\d+\.\s+\*\*(.+?)\*\*", " ".join(l.strip() for l in para))
    return (m.group(1).rstrip(":. ") if m else None), para


def todo_comments(text, step):
    """[(line number, function, comment text)] of the `TODO step N` comments in a file."""
    lines = text.splitlines()
    out = []
    for i, line in enumerate(lines):
        if not re.search(rf"/\* TODO step {step}:", line):
            continue
        body, j = [], i
        while True:
            part = lines[j].strip()
            part = re.sub(r"^/\* TODO step \d+:\s*", "", part) if j == i else \
                re.sub(r"^\*(?!/)\s?", "", part)
            end = "*/" in part
            part = part.split("*/")[0].rstrip()
            if part:
                body.append(part)
            if end or j + 1 >= len(lines):
                break
            j += 1
        func = ""
        for k in range(i - 1, -1, -1):   # the definition the comment sits in
            line = re.sub(r"__attribute__\s*\(\(.*?\)\)\s*", "", lines[k])
            m = re.match(r"^(?:[A-Za-z_][\w\t \*]*[\s\*])?([A-Za-z_]\w*)\s*\(", line)
            m = m or re.match(r"^([A-Za-z_]\w*):", line)   # an assembly label
            if m and not line.rstrip().endswith(";"):
                func = m.group(1)
                break
        out.append((i + 1, func, body))
    return out


def hint_text(lab, lab_dir, step):
    """The hint for one step, as text."""
    files, student = course_lab(lab)
    title, para = workbook_step(lab, step)
    title = title or step_titles(lab, lab_dir).get(step, "")
    out = [color(f"hint: lab {lab}, step {step}: {title}", "1"), ""]
    found = []
    for rel in sorted(student):
        try:
            with open(os.path.join(lab_dir, rel), encoding="utf-8", errors="replace") as f:
                text = f.read()
        except OSError:
            continue
        found += [(rel,) + c for c in todo_comments(text, step)]
    if not found:
        for rel in sorted(student):
            found += [(rel,) + c for c in todo_comments(files[rel].decode("utf-8", "replace"),
                                                        step)]
        if found:
            out.append(f"  (your files no longer hold the TODO comments of step {step}: "
                       f"the skeleton's)")
    for rel, no, func, body in found:
        out.append(f"  {rel}:{no}" + (f", in {func}():" if func else ":"))
        out += [f"      {b}" for b in body]
    if para:
        out += ["", f"  workbook.md, chapter {lab.split('-', 1)[0]}, build step {step}:"]
        out += [f"    {l}" if l.strip() else "" for l in para]
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------
# Where the student is: a lab of the list and a step of it.

def lab_steps(lab):
    return sorted({e[2] for e in grade.read_points(lab)})


def first_unfinished(lab, lab_dir, jobs=None):
    """The first step that does not pass according to the kept result of these very files
    (None: every step passes), or the lab's first step when no such result is kept.  With
    jobs, a lab without a kept result is run in full first (and its result kept)."""
    if jobs:
        print(f"lab {lab}: which step is yours? (its tests run unless `make status` or "
              f"`make test` kept their result for these files)", flush=True)
        result = lab_result(lab, lab_dir, jobs, grade.grade_lab)[0]
    else:
        where = lab_box(lab, lab_dir) if os.path.isdir(lab_dir) else None
        doc = cached(where[0], where[2]) if where else None
        if not doc:
            return lab_steps(lab)[0]
        result = doc["result"]
    steps = steps_of(result)
    return next((n for n in sorted(steps) if steps[n][0] < steps[n][1]), None)


class Place:
    """The current lab and step among labs [(lab, lab_dir)]; done once past the last."""

    def __init__(self, labs, step=None, run_jobs=None):
        self.labs, self.i, self.step, self.run_jobs = labs, 0, None, run_jobs
        if step is not None:
            if step not in lab_steps(labs[0][0]):
                raise GradeError(f"lab {labs[0][0]} has no step {step} (its steps: "
                                 f"{', '.join(map(str, lab_steps(labs[0][0])))})")
            self.step = step
        else:
            self.settle()

    def settle(self):
        """From the current lab on, the first unfinished step (labs kept as done skipped)."""
        while self.i < len(self.labs):
            self.step = first_unfinished(*self.labs[self.i], jobs=self.run_jobs)
            if self.step is not None:
                return
            self.i += 1

    @property
    def done(self):
        return self.i >= len(self.labs)

    @property
    def lab(self):
        return self.labs[self.i]

    def advance(self):
        """Past the current step; (whether a new lab was entered)."""
        steps = lab_steps(self.lab[0])
        later = [s for s in steps if s > self.step]
        if later:
            self.step = later[0]
            return False
        self.i += 1
        self.settle()
        return True


def title_of(lab, lab_dir, step):
    return workbook_step(lab, step)[0] or step_titles(lab, lab_dir).get(step, "")


def build_errors(result, limit=20):
    """The compiler's first error and what follows it, from a failed build's log."""
    try:
        with open(result["log"], encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except (OSError, TypeError):
        return []
    first = next((i for i, l in enumerate(lines) if re.search(r"\berror\b", l)), None)
    if first is None:
        return []
    if first > 0 and re.search(r": In (function|file included)", lines[first - 1]):
        first -= 1
    return lines[first:first + limit]


def run_round(place, opts):
    """Run the current step's tests; while they all pass, go on to the next step.  Returns
    when a step fails or every step is done."""
    while not place.done:
        lab, lab_dir = place.lab
        step = place.step
        n = sum(1 for e in grade.read_points(lab) if e[2] == step)
        print(color(f"lab {lab}, step {step}: {title_of(lab, lab_dir, step)}", "1"))
        print(f"  running its {n} tests ...", flush=True)
        work = os.path.join(lab_dir, "build", "grade")
        os.makedirs(work, exist_ok=True)
        start = time.monotonic()
        r = grade.grade_lab(lab, lab_dir, work, opts["jobs"], box=persistent_box(work, lab_dir),
                            steps=[step])
        table = render_table([r])   # less its last line, the total: one lab's step only
        sys.stdout.write(re.sub(r"\n(\033\[1m)?\ntotal: [^\n]*\n?$", "\n", table))
        if any(t["status"] == "BUILD" for t in r["tests"]):
            print("\n  the build's first error:")
            print("\n".join("    " + l for l in build_errors(r)))
        ok = all(t["status"] in ("PASS", "SKIP") for t in r["tests"])
        secs = time.monotonic() - start
        if not ok:
            passed = sum(t["status"] in ("PASS", "SKIP") for t in r["tests"])
            print(color(f"\nstep {step}: {passed}/{len(r['tests'])} tests pass ({secs:.0f} s). "
                        f"Edit your files, save, and they run again.", "31"))
            if opts["with_hint"]:
                print("\n" + hint_text(lab, lab_dir, step))
            return
        new_lab = place.advance()
        if place.done:
            print(color(f"\nstep {step} done ({secs:.0f} s): every step of "
                        f"{'every lab' if len(place.labs) > 1 else 'lab ' + lab} passes. "
                        f"Well done.", "32"))
            following = grade.all_labs()
            later = [l for l in following if l > lab]
            if later and len(place.labs) == 1:
                print(f"next lab: {later[0]} (make -C labs/{later[0]} watch)")
            return
        nlab, ndir = place.lab
        where = f"lab {nlab}, step {place.step}" if new_lab else f"step {place.step}"
        print(color(f"\nstep {step} done ({secs:.0f} s): next is {where} - "
                    f"{title_of(nlab, ndir, place.step)}\n", "32"), flush=True)


# ---------------------------------------------------------------------------------------------
# Waiting for a save.

def watched_files(lab, lab_dir):
    """The student's files of the lab and of the labs it builds on (absolute paths)."""
    out, todo, seen = [], [(lab, lab_dir)], set()
    while todo:
        l, d = todo.pop(0)
        if l in seen:
            continue
        seen.add(l)
        files, student = course_lab(l)
        out += [os.path.join(d, rel) for rel in sorted(student)]
        todo += [(u, os.path.join(os.path.dirname(d), u)) for u in uses_labs(files)]
    return out


class Watcher:
    """Tells when one of `files` was saved: inotifywait, else their times once a second."""

    def __init__(self, files, poll):
        self.files = set(files)
        self.proc = None
        self.buf = b""
        if not poll and shutil.which("inotifywait"):
            dirs = sorted({os.path.dirname(f) for f in files if os.path.isdir(os.path.dirname(f))})
            self.proc = subprocess.Popen(
                ["inotifywait", "-m", "-r", "-e", "close_write", "-e", "moved_to", "-e", "create",
                 "-e", "delete", "--format", "%w%f", "--exclude", "/build(/|$)"] + dirs,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
            for line in self.proc.stderr:   # its watches are in place before anything is saved
                if b"Watches established" in line:
                    break
            threading.Thread(target=self.proc.stderr.read, daemon=True).start()
            if self.proc.poll() is not None:
                self.proc = None
        self.how = ("inotifywait (a save is seen at once)" if self.proc else
                    "polling their modification times once a second (install inotify-tools "
                    "to see a save at once)")
        self.snap = self.snapshot()

    def snapshot(self):
        snap = {}
        for f in self.files:
            try:
                st = os.stat(f)
                snap[f] = (st.st_mtime_ns, st.st_size, st.st_ino)
            except OSError:
                snap[f] = None
        return snap

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def events(self, timeout):
        """Saved student files seen within timeout seconds (inotifywait)."""
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            return []
        data = os.read(self.proc.stdout.fileno(), 65536)
        if not data:          # inotifywait died: fall back to polling
            self.proc = None
            return []
        self.buf += data
        *lines, self.buf = self.buf.split(b"\n")
        return [os.path.normpath(l.decode("utf-8", "replace")) for l in lines
                if os.path.normpath(l.decode("utf-8", "replace")) in self.files]

    def wait(self, keys):
        """Until a student file is saved ('save', path) or a line is typed ('key', text).
        keys: whether to read the terminal."""
        while True:
            fds = [0] if keys else []
            if self.proc:
                fds.append(self.proc.stdout)
            ready, _, _ = select.select(fds, [], [], None if self.proc else POLL_SECONDS)
            if 0 in ready:
                line = os.read(0, 1024).decode("utf-8", "replace")
                if not line:
                    keys = False   # end of input: watch the files only
                    continue
                return "key", line.strip().lower()
            if self.proc and self.proc.stdout in ready:
                saved = self.events(0)
                if saved:
                    while self.proc and self.events(SETTLE):   # let the editor finish
                        pass
                    self.snap = self.snapshot()
                    return "save", saved[0]
            elif not self.proc:
                now = self.snapshot()
                changed = [f for f in sorted(self.files) if now[f] != self.snap.get(f)]
                self.snap = now
                if changed:
                    return "save", changed[0]


# ---------------------------------------------------------------------------------------------

def parse(argv):
    opts = {"lab_dir": None, "tree": None, "labs": [], "step": None, "once": False,
            "rounds": None, "with_hint": False, "hint": False, "poll": False,
            "jobs": len(os.sched_getaffinity(0)) or 2}
    flags = {"--once": "once", "--with-hint": "with_hint", "--hint": "hint", "--poll": "poll"}
    valued = {"--lab-dir": "lab_dir", "--tree": "tree", "--lab": "labs", "--step": "step",
              "--jobs": "jobs", "--rounds": "rounds"}
    args = argv[1:]
    while args:
        a = args.pop(0)
        if a in ("-h", "--help"):
            print(__doc__.strip())
            sys.exit(0)
        if a in flags:
            opts[flags[a]] = True
        elif a in valued and args and args[0]:
            v = args.pop(0)
            if valued[a] == "labs":
                opts["labs"] += [x for x in re.split(r"[ ,]+", v) if x]
            elif valued[a] in ("step", "jobs", "rounds"):
                if not v.isdigit():
                    raise SystemExit(f"watch: {a} needs a whole number, not '{v}'")
                opts[valued[a]] = int(v)
            else:
                opts[valued[a]] = v
        else:
            print(f"watch: bad argument '{a}'\n\n{__doc__.strip()}", file=sys.stderr)
            sys.exit(2)
    if bool(opts["lab_dir"]) == bool(opts["tree"]):
        print(f"watch: give --lab-dir DIR or --tree DIR\n\n{__doc__.strip()}", file=sys.stderr)
        sys.exit(2)
    return opts


def main(argv):
    opts = parse(argv)
    if opts["lab_dir"]:
        lab_dir = os.path.abspath(opts["lab_dir"])
        lab = grade.pick_labs(opts["labs"] or [os.path.basename(lab_dir)])[0]
        labs = [(lab, lab_dir)]
    else:
        tree = grade.lab_dirs(opts["tree"])
        labs = [(l, os.path.join(tree, l)) for l in grade.pick_labs(opts["labs"])]
    if opts["step"] is not None and len(labs) != 1:
        raise GradeError("STEP= needs one lab: name it with LAB=NN")
    # the hint runs a lab in full to find the step; a round finds it step by step
    place = Place(labs, opts["step"], run_jobs=opts["jobs"] if opts["hint"] else None)
    if opts["hint"]:
        if place.done:
            print("every step passes: no hint needed (STEP=N shows the hint of step N)")
        else:
            print(hint_text(place.lab[0], place.lab[1], place.step))
        return 0

    watcher = None

    def stop(*_):
        if watcher:
            watcher.stop()
        print("\nwatch: stopped")
        sys.stdout.flush()
        os._exit(0)   # the sandboxes of a round still running die with this process
    signal.signal(signal.SIGINT, stop)

    interactive = sys.stdout.isatty() and not opts["once"]
    keys = sys.stdin.isatty() and not opts["once"]
    rounds = 0
    why = "start"
    while True:
        if interactive:
            sys.stdout.write(CLEAR)
        print(f"watch: {time.strftime('%H:%M:%S')}, {why}")
        run_round(place, opts)
        rounds += 1
        if opts["once"] or place.done or (opts["rounds"] and rounds >= opts["rounds"]):
            if opts["once"]:
                print("\nwatch --once: one round done (without --once, the tests rerun on "
                      "every save)")
            if watcher:
                watcher.stop()
            return 0
        lab, lab_dir = place.lab
        files = watched_files(lab, lab_dir)
        if watcher is None or watcher.files != set(files):
            if watcher:
                watcher.stop()
            watcher = Watcher(files, opts["poll"])
        by_lab = {}
        for f in files:
            by_lab.setdefault(os.path.basename(os.path.dirname(f)), []).append(os.path.basename(f))
        shown = "; ".join(f"{d}/: {' '.join(names)}" for d, names in by_lab.items())
        width = shutil.get_terminal_size((100, 20)).columns
        print("\n" + textwrap.fill(f"watching your files ({shown}) by {watcher.how}.", width,
                                   subsequent_indent="  "))
        print(f"Save one to rerun step {place.step}; h + Enter: the hint, r + Enter: rerun, "
              f"q + Enter or Ctrl-C: quit.", flush=True)
        while True:
            kind, what = watcher.wait(keys)
            if kind == "save":
                why = f"{os.path.relpath(what, os.path.dirname(lab_dir))} saved"
                break
            if what in ("q", "quit", "exit"):
                watcher.stop()
                print("watch: stopped")
                return 0
            if what.startswith("h"):
                print("\n" + hint_text(lab, lab_dir, place.step) + "\n", flush=True)
            elif what.startswith("r"):
                why = "rerun asked for"
                break
            else:
                print("h + Enter: the hint, r + Enter: rerun, q + Enter or Ctrl-C: quit",
                      flush=True)


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except GradeError as e:
        print(f"watch: {e}", file=sys.stderr)
        sys.exit(3)
