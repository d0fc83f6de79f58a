"""grade_box.py - the hermetic part of grading: what of a student's tree is built, and with what.

A lab's box is a fresh directory holding the course's Makefile, headers, shared code and tests
(common/, tests/NN-name/) and the lab's pristine skeleton with the student's own files laid over
it.  The student's files are the skeleton's files that hold a TODO step; nothing else of theirs
is used (their Makefile included), symlinks are not followed, and the box never contains a path
to solutions/.  The box is what sandbox.py shows a build or a test, at /box.
"""
import hashlib
import json
import os
import re
import shutil
import stat
import sys
import tempfile
import threading

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MAX_FILE = 1 << 20          # a student file larger than this is not copied
COURSE_DIRS = ("common/include", "common/src", "common/test", "common/mk")
# Patterns in student code that could reach the grader's or Criterion's internals, leave a
# test early, or touch other processes: listed for the instructor when the skeleton and the
# reference of that file have none.
SUSPICIOUS = [
    ("criterion", r"criterion|\bcr_[a-z]|boxfort|\bbxf"),
    ("the grader's hooks", r"asl_test_|ASL_REPORT|ASL_FINI"),
    ("_exit", r"\b_exit\b|\b_Exit\b|exit_group"),
    ("/proc of other processes", r"/proc/(?!self\b|thread-self\b)"),
    ("constructor/destructor", r"constructor|destructor|\.init_array|\.fini_array"),
    ("process control", r"\bptrace\b|\bprctl\b|process_vm_|\bgetppid\b|\bkill\s*\(\s*-?\s*[01]\b"),
    ("inline assembly syscall", r"\bsyscall\b"),
    ("absolute include", r"#\s*include\s*[\"<]\s*/|\.\./\.\./|\bincbin\b"),
]


class GradeError(Exception):
    """A problem with the grading setup itself (not with student code)."""


_course = {}
_course_lock = threading.Lock()


def course_lab(lab):
    """({relative path: bytes} of the pristine skeleton, {the student's files})."""
    with _course_lock:
        if lab in _course:
            return _course[lab]
        pkg = os.path.join(TOP, "skeleton", lab)   # the Gradescope package ships this
        files = {}
        if os.path.isdir(pkg):
            for root, dirs, names in os.walk(pkg):
                for n in names:
                    p = os.path.join(root, n)
                    with open(p, "rb") as f:
                        files[os.path.relpath(p, pkg)] = f.read()
        else:
            sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
            import skelgen
            files, _ = skelgen.generate_lab(os.path.join(TOP, "solutions", lab))
        if "Makefile" not in files:
            raise GradeError(f"no course Makefile for lab {lab}")
        student = {rel for rel, data in files.items()
                   if rel.endswith((".c", ".h", ".S")) and b"TODO step" in data}
        _course[lab] = (files, student)
        return _course[lab]


def allowed_patterns(lab, rel):
    """Names of SUSPICIOUS patterns the course's own versions of a student file contain."""
    texts = [course_lab(lab)[0].get(rel, b"").decode("utf-8", "replace")]
    ref = os.path.join(TOP, "solutions", lab, rel)
    if os.path.isfile(ref):
        with open(ref, encoding="utf-8", errors="replace") as f:
            texts.append(f.read())
    else:
        try:
            with open(os.path.join(TOP, "skeleton", "allowed.json"), encoding="utf-8") as f:
                return set(json.load(f).get(lab, {}).get(rel, []))
        except (OSError, ValueError):
            pass
    return {name for name, pat in SUSPICIOUS for t in texts if re.search(pat, t)}


def suspicious(lab, rel, text):
    allowed = allowed_patterns(lab, rel)
    out = []
    for name, pat in SUSPICIOUS:
        if name in allowed:
            continue
        for no, line in enumerate(text.splitlines(), 1):
            if re.search(pat, line):
                out.append(f"{rel}:{no}: {name}: {line.strip()[:80]}")
                break
    return out


def read_student_file(path):
    """The bytes of a regular file (never through a symlink), or None."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_FILE:
            return None
        with os.fdopen(fd, "rb") as f:
            fd = None
            return f.read(MAX_FILE + 1)[:MAX_FILE]
    finally:
        if fd is not None:
            os.close(fd)


def write_if_changed(path, data):
    try:
        with open(path, "rb") as f:
            if f.read() == data:
                return
    except OSError:
        pass
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def sync_tree(src, dst):
    """Copy a course directory into the box, keeping unchanged files (and their mtimes)."""
    for root, dirs, names in os.walk(src):
        dirs[:] = [d for d in dirs if d != "build" and not d.startswith(".")]
        for n in names:
            if n.endswith((".pyc",)):
                continue
            p = os.path.join(root, n)
            with open(p, "rb") as f:
                write_if_changed(os.path.join(dst, os.path.relpath(p, src)), f.read())


def uses_labs(files):
    """The earlier labs a lab builds on (USES_LABS in its course Makefile): their libraries
    are linked from the same tree, so the student's own earlier work is graded with it."""
    m = re.search(rb"^USES_LABS\s*:?=\s*([^#\n]*)", files.get("Makefile", b""), re.M)
    return m.group(1).decode("ascii", "replace").split() if m else []


def place_lab(lab, student_dir, box, notes, prefix=""):
    """Lay the lab's skeleton with the student's own files over it into box/labs/LAB."""
    files, student = course_lab(lab)
    lab_box = os.path.join(box, "labs", lab)
    for rel, data in sorted(files.items()):
        if rel in student:
            mine = read_student_file(os.path.join(student_dir, rel))
            if mine is None:
                notes["missing"].append(prefix + rel)
            else:
                data = mine
                notes["flags"] += suspicious(lab, rel, mine.decode("utf-8", "replace"))
        write_if_changed(os.path.join(lab_box, rel), data)
    return files, student


def make_box(lab, student_dir, box):
    """Fill box with the course's files and the student's own; returns notes for the report.
    A lab that builds on earlier labs (USES_LABS) gets those labs too, from the student's
    directories beside this one (their skeleton where the student has none)."""
    for d in COURSE_DIRS:
        sync_tree(os.path.join(TOP, d), os.path.join(box, d))
    sync_tree(os.path.join(TOP, "tests", lab), os.path.join(box, "tests", lab))
    notes = {"missing": [], "ignored": [], "flags": []}
    files, student = place_lab(lab, student_dir, box, notes)
    todo, seen = uses_labs(files), {lab}
    while todo:
        used = todo.pop(0)
        if used in seen:
            continue
        seen.add(used)
        used_dir = os.path.join(os.path.dirname(os.path.abspath(student_dir)), used)
        if not os.path.isdir(used_dir):
            notes["missing"].append(f"{used}/ (this lab builds on it; its skeleton was used)")
        used_files, _ = place_lab(used, used_dir, box, notes, prefix=used + "/")
        todo += uses_labs(used_files)
    # files of the student's that are not theirs to change are ignored: say so if they differ
    for root, dirs, names in os.walk(student_dir):
        dirs[:] = [d for d in dirs if d != "build" and not d.startswith(".")]
        for n in names:
            rel = os.path.relpath(os.path.join(root, n), student_dir)
            if rel in student:
                continue
            if rel.endswith((".c", ".h", ".S")) or rel == "Makefile":
                if read_student_file(os.path.join(root, n)) != files.get(rel):
                    notes["ignored"].append(rel)
    return notes


def included_from_outside(build, b):
    """Headers the build read from outside the box and the system (from gcc's .d files)."""
    bad = set()
    for root, dirs, names in os.walk(build):
        for n in names:
            if not n.endswith(".d"):
                continue
            with open(os.path.join(root, n), encoding="utf-8", errors="replace") as f:
                for word in f.read().replace("\\\n", " ").split():
                    path = word.rstrip(":")
                    if path.startswith("/") and not path.startswith((b + "/", "/usr/")):
                        bad.add(path)
    return sorted(bad)


def persistent_box(work, lab_dir):
    """The box of `make test`, kept between runs so that make rebuilds only what changed.
    Beside the build when the sandboxed user can reach it (not root); as root, the sandbox
    runs as the grading user, who may not be able to enter the student's home: /var/tmp."""
    if os.getuid() != 0:
        box = os.path.join(work, "box")
        os.makedirs(box, exist_ok=True)
        return box
    source = os.path.realpath(lab_dir)
    key = hashlib.sha256(source.encode()).hexdigest()[:12]
    box = os.path.join(tempfile.gettempdir(), f"asl-box-{key}")
    forget_orphan_boxes()
    try:
        os.mkdir(box, 0o711)
    except FileExistsError:
        st = os.lstat(box)
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != 0:   # not ours: never reuse it
            return tempfile.mkdtemp(prefix="asl-box-")
    try:
        with open(os.path.join(box, ".source"), "w", encoding="utf-8") as f:
            f.write(source + "\n")
    except OSError:
        pass
    return box


def forget_orphan_boxes():
    """Delete the kept boxes of lab directories that no longer exist (a scratch tree of
    mutants.py or stepcheck.py, a deleted clone): each holds a build of ~10 MiB, and /tmp
    would otherwise fill up with them.  Only root's boxes that name their source are touched."""
    tmp = tempfile.gettempdir()
    try:
        names = [n for n in os.listdir(tmp) if n.startswith("asl-box-")]
    except OSError:
        return
    for n in names:
        box = os.path.join(tmp, n)
        try:
            st = os.lstat(box)
            if not stat.S_ISDIR(st.st_mode) or st.st_uid != 0:
                continue
            with open(os.path.join(box, ".source"), encoding="utf-8") as f:
                source = f.read().strip()
        except OSError:
            continue
        if source and not os.path.isdir(source):
            shutil.rmtree(box, ignore_errors=True)


def recognise(files_dir, wanted):
    """The lab a flat directory of bare files belongs to: the one asked for (wanted: the labs
    to choose from), or the lab whose student files match the most names (a tie: None)."""
    names = set()
    for root, dirs, fs in os.walk(files_dir):
        names |= set(fs)
    if len(wanted) == 1:
        return wanted[0]
    scores = []
    for lab in wanted:
        student = {os.path.basename(p) for p in course_lab(lab)[1]}
        scores.append((len(names & student), lab))
    scores.sort(reverse=True)
    if not scores or scores[0][0] == 0 or (len(scores) > 1 and scores[0][0] == scores[1][0]):
        return None
    return scores[0][1]


def place_files(files_dir, lab, dest):
    """Put a lab's bare files (found anywhere under files_dir) into dest/lab."""
    target = os.path.join(dest, lab)
    os.makedirs(target, exist_ok=True)
    student = course_lab(lab)[1]
    for root, dirs, fs in os.walk(files_dir):
        for n in fs:
            rel = next((r for r in student if os.path.basename(r) == n), None)
            data = read_student_file(os.path.join(root, n)) if rel else None
            if data is not None:
                with open(os.path.join(target, rel), "wb") as f:
                    f.write(data)
    return dest
