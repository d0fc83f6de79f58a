#!/usr/bin/env python3
"""skelgen.py - generate the student skeletons in labs/ from the reference in solutions/.

The reference is the one source.  A student's part is marked in a solution file like this:

    /* BEGIN STEP 3: Count the minor faults caused by first-touching `bytes` bytes.
     * Checked by: page_faults::count_matches_pages
     * stub: (void)bytes; return LAB_TODO(3);
     */
    ... the reference code ...
    /* END STEP 3 */

In the skeleton the whole region becomes the comment with "BEGIN STEP 3:" turned into
"TODO step 3:" (stub lines dropped) followed by the stub lines.  Files without markers are copied
as they are.

No clobbering: labs/.skeleton-manifest records the SHA-256 of every file as generated.  A file
in labs/ whose content no longer matches that hash has been edited by the student and is never
overwritten; the new version is written under the lab's build/skeleton-new/ instead.

usage: skelgen.py [--check [--strict]] [--into DIR [--upto K]] [--top DIR] [LAB...]
  (no option)  regenerate labs/ (only pristine or missing files are written)
  --check      change nothing; exit 1 if a pristine file in labs/ differs from what would be
               generated, or if the markers and the tests' points files disagree about the
               steps.  Files the student edited are listed, not counted as drift.
  --strict     with --check: every difference counts, edited or not (CI, on a clean clone)
  --into DIR   write a fresh, complete skeleton tree into DIR (for the teeth check)
  --upto K     with --into: steps 1..K keep the reference code, only steps > K are stubs
               (a student who finished step K; common/tools/stepcheck.py grades these)
"""
import hashlib
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import skelrules  # noqa: E402  (the rules every region must follow: R1-R3)

BEGIN = re.compile(r"^(\s*)/\* BEGIN STEP (\d+): ?(.*)$")
END = re.compile(r"^\s*/\* END STEP (\d+) \*/\s*$")
STUB = re.compile(r"^\s*\*\s?stub: ?(.*)$")
SKIP_DIRS = {"build"}
MANIFEST = ".skeleton-manifest"


class MarkerError(Exception):
    pass


def transform(text, path, tests=None, problems=None, upto=0):
    """Return (skeleton text, {step: title}) for one solution file; regions of steps <= upto
    are kept as they are (reference code and markers).  Breaches of the region rules
    (skelrules.py) are appended to `problems` when it is given."""
    out, steps = [], {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        m = BEGIN.match(line)
        if END.match(line):
            raise MarkerError(f"{path}:{i + 1}: END STEP without BEGIN")
        if not m:
            out.append(line)
            i += 1
            continue
        indent, step, first = m.group(1), int(m.group(2)), m.group(3)
        start = i
        comment, stub = [indent + "/* TODO step %d: %s" % (step, first)], []
        closed = first.rstrip().endswith("*/")
        if closed:
            raise MarkerError(f"{path}:{i + 1}: the BEGIN comment must also say what to do "
                              f"and end on a later line")
        steps.setdefault(step, first.strip())
        i += 1
        while i < len(lines) and not closed:   # rest of the BEGIN comment
            line = lines[i]
            sm = STUB.match(line)
            if sm:
                stub.append(indent + sm.group(1))
            elif line.strip() == "*/":
                comment.append(line)
                closed = True
            else:
                comment.append(line)
                closed = line.rstrip().endswith("*/")
            i += 1
        if not closed:
            raise MarkerError(f"{path}:{start + 1}: BEGIN STEP comment never closed")
        while i < len(lines) and not END.match(lines[i]):   # the reference code: dropped
            if BEGIN.match(lines[i]):
                raise MarkerError(f"{path}:{i + 1}: nested BEGIN STEP")
            i += 1
        if i == len(lines):
            raise MarkerError(f"{path}:{start + 1}: BEGIN STEP {step} without END STEP")
        if int(END.match(lines[i]).group(1)) != step:
            raise MarkerError(f"{path}:{i + 1}: END STEP does not match BEGIN STEP {step}")
        if problems is not None:
            problems.extend(skelrules.check_region(path, lines, start, "\n".join(comment),
                                                   stub, tests))
        if step <= upto:
            out.extend(lines[start:i + 1])
        else:
            out.extend(comment)
            out.extend(stub)
        i += 1
    return "\n".join(out), steps


def sha(data):
    return hashlib.sha256(data).hexdigest()


def generate_lab(sol_dir, problems=None, upto=0):
    """{relative path: bytes} of the skeleton of one lab, and its steps."""
    files, steps = {}, {}
    top = os.path.dirname(os.path.dirname(os.path.abspath(sol_dir)))
    tests = skelrules.points_tests(top, os.path.basename(os.path.abspath(sol_dir)))
    for root, dirs, names in os.walk(sol_dir):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(names):
            src = os.path.join(root, name)
            rel = os.path.relpath(src, sol_dir)
            with open(src, "rb") as f:
                data = f.read()
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                files[rel] = data
                continue
            if "BEGIN STEP" in text or "END STEP" in text:
                text, s = transform(text, os.path.relpath(src, top), tests, problems, upto)
                for k, v in s.items():
                    steps.setdefault(k, (v, rel))
                data = text.encode("utf-8")
            files[rel] = data
    return files, steps


def read_manifest(labs):
    manifest = {}
    try:
        with open(os.path.join(labs, MANIFEST), encoding="utf-8") as f:
            for line in f:
                if line.strip() and not line.startswith("#"):
                    digest, rel = line.rstrip("\n").split("  ", 1)
                    manifest[rel] = digest
    except FileNotFoundError:
        pass
    return manifest


def points_steps(top, lab):
    path = os.path.join(top, "tests", lab, "points")
    steps = set()
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split("#", 1)[0].split()
            if len(parts) >= 3:
                steps.add(int(parts[2]))
    return steps


def main(argv):
    check, strict, into, top, only, upto = False, False, None, None, [], 0
    args = argv[1:]
    while args:
        a = args.pop(0)
        if a == "--check":
            check = True
        elif a == "--strict":
            strict = True
        elif a == "--into" and args:
            into = os.path.abspath(args.pop(0))
        elif a == "--upto" and args:
            try:
                upto = int(args.pop(0))
            except ValueError:
                upto = -1
            if upto < 0:
                print("skelgen: --upto takes a step number (0 or more)", file=sys.stderr)
                return 2
        elif a == "--top" and args:
            top = args.pop(0)
        elif a in ("-h", "--help"):
            print(__doc__.strip())
            return 0
        elif a.startswith("-"):
            print(f"skelgen: unknown option {a}\n\n{__doc__.strip()}", file=sys.stderr)
            return 2
        else:
            only.append(a)
    if upto and not into:
        print("skelgen: --upto needs --into DIR (labs/ is only ever the pristine skeleton)",
              file=sys.stderr)
        return 2
    top = os.path.abspath(top or os.path.join(os.path.dirname(__file__), "..", ".."))
    sols, labs = os.path.join(top, "solutions"), os.path.join(top, "labs")
    all_labs = sorted(d for d in os.listdir(sols) if os.path.isdir(os.path.join(sols, d)))
    for name in only:
        if name not in all_labs:
            print(f"skelgen: no lab '{name}' in solutions/ (have: {' '.join(all_labs)})",
                  file=sys.stderr)
            return 2
    todo = only or all_labs
    manifest = read_manifest(labs)
    new_manifest = {k: v for k, v in manifest.items()
                    if only and k.split("/", 1)[0] not in todo}
    problems, written, kept = [], 0, []

    rule_problems = []
    for lab in todo:
        try:
            files, steps = generate_lab(os.path.join(sols, lab), rule_problems, upto)
        except MarkerError as e:
            print(f"skelgen: {e}", file=sys.stderr)
            return 1
        wanted = points_steps(top, lab)
        if wanted is not None:
            for s in sorted(wanted - set(steps)):
                problems.append(f"{lab}: tests/{lab}/points names step {s}, "
                                f"which has no BEGIN STEP marker")
            for s in sorted(set(steps) - wanted):
                problems.append(f"{lab}: step {s} ({steps[s][0]}) has no graded test")
        if into:
            for rel, data in files.items():
                dest = os.path.join(into, lab, rel)
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                with open(dest, "wb") as f:
                    f.write(data)
                os.chmod(dest, os.stat(os.path.join(sols, lab, rel)).st_mode & 0o777)
                written += 1
            continue
        for rel, data in files.items():
            key = f"{lab}/{rel}"
            dest = os.path.join(labs, key)
            new_manifest[key] = sha(data)
            try:
                with open(dest, "rb") as f:
                    current = f.read()
            except FileNotFoundError:
                current = None
            if current == data:
                continue
            edited = current is not None and sha(current) != manifest.get(key)
            if check:
                if edited and not strict:
                    kept.append((key, "edited by you: not checked"))
                else:
                    problems.append(f"labs/{key} is out of date" +
                                    (" (and was edited by hand)" if edited else ""))
                continue
            if edited:
                alt = os.path.join(labs, lab, "build", "skeleton-new", rel)
                os.makedirs(os.path.dirname(alt), exist_ok=True)
                with open(alt, "wb") as f:
                    f.write(data)
                kept.append((key, os.path.relpath(alt, top)))
                continue
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with open(dest, "wb") as f:
                f.write(data)
            mode = os.stat(os.path.join(sols, lab, rel)).st_mode & 0o777
            os.chmod(dest, mode)
            written += 1
        # files once generated but no longer in the solution: remove only if pristine
        for key in [k for k in manifest if k.startswith(lab + "/")]:
            rel = key.split("/", 1)[1]
            if rel in files:
                continue
            dest = os.path.join(labs, key)
            if not os.path.exists(dest):
                continue
            with open(dest, "rb") as f:
                pristine = sha(f.read()) == manifest[key]
            if check:
                problems.append(f"labs/{key} is no longer generated")
            elif pristine:
                os.remove(dest)
            else:
                kept.append((key, "(no longer part of the skeleton; left in place)"))

    if rule_problems:
        for p in rule_problems:
            print("skelgen:", p, file=sys.stderr)
        print(f"skelgen: {len(rule_problems)} problem(s) with the step regions; the rules are "
              f"in common/tools/skelrules.py and CONTRIBUTING.md", file=sys.stderr)
        return 1
    if into:
        for p in problems:
            print("skelgen: warning:", p, file=sys.stderr)
        print(f"skelgen: {written} file(s) written into {into}")
        return 0
    if check:
        for key, why in kept:
            print(f"skelgen: labs/{key}: {why}")
        stored = read_manifest(labs)
        for key in sorted(set(stored) | set(new_manifest)):
            if stored.get(key) != new_manifest.get(key):
                problems.append(f"labs/{MANIFEST}: entry for {key} is out of date")
        for p in problems:
            print("skelgen:", p, file=sys.stderr)
        if problems:
            print("skelgen: run `make skeletons` and commit the result", file=sys.stderr)
            return 1
        print(f"skelgen: labs/ matches solutions/ ({len(todo)} labs)")
        return 0

    with open(os.path.join(labs, MANIFEST), "w", encoding="utf-8") as f:
        f.write("# generated by common/tools/skelgen.py: SHA-256 of each file as generated.\n"
                "# A file whose content differs has been edited and is never overwritten.\n")
        for key in sorted(new_manifest):
            f.write(f"{new_manifest[key]}  {key}\n")
    for key, where in kept:
        print(f"skelgen: kept your edited labs/{key}; new skeleton version: {where}")
    for p in problems:
        print("skelgen: warning:", p, file=sys.stderr)
    print(f"skelgen: {written} file(s) written, {len(kept)} edited file(s) kept")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
