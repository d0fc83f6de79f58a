#!/usr/bin/env python3
"""format.py - format the C sources with clang-format (`make format`, `make format-check`).

What is formatted: every *.c and *.h file under solutions/, common/ and tests/.  Never labs/:
it holds the students' edits and is regenerated from solutions/ by skelgen.py (a path under
labs/ given on the command line is refused).  The style is the top-level .clang-format.

clang-format alone is not quite enough, for two things this kit writes:

  - A test message ends with ASL_HINT(step), a macro that expands to a string literal:
    "expected %d" ASL_HINT(3).  clang-format never breaks between a string literal and the
    identifier after it, so when the message fills the line it breaks inside the macro's
    parentheses instead ("... ASL_HINT(" / "3),").  This tool then splits that string literal
    in two at a space (the program's text is unchanged: adjacent literals are one string)
    and formats again, so the hint stays whole.
  - skelgen.py's markers (/* BEGIN STEP n: ... */, /* END STEP n */) must stay indented like
    the code around them.  clang-format aligns a comment line with a trailing comment on the
    line before it; a marker moved that way is reported (file:line) and fails the run: put
    that trailing comment on a line of its own, above its statement.

usage: format.py [--check] [--lab NN] [--jobs N] [FILE...]
  (no option)  rewrite the files that clang-format would change; print how many
  --check      change nothing; list the files that differ (with the number of lines that
               would change) and exit 1 if there is any
  --lab NN     only solutions/NN-*/ and tests/NN-*/
  --jobs N     files formatted at once (default: the number of CPUs)

The clang-format used is $CLANG_FORMAT, else clang-format-14, else clang-format (the version
Debian 12 installs, `common/tools/deps.sh format`).  Another major version formats a few
constructs differently: the run says so, and --check may then list files CI would not.
Exit status: 0 done / nothing differs, 1 differences (--check) or a moved marker, 2 usage or
no clang-format.
"""
import concurrent.futures
import difflib
import os
import re
import shutil
import subprocess
import sys

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ROOTS = ("solutions", "common", "tests")
WANT_MAJOR = 14
# "...text" ASL_HINT(   at the end of a formatted line: the hint was broken open
BROKEN_HINT = re.compile(r'"((?:[^"\\]|\\.)*)"(\s*ASL_HINT\()\s*$')
MARKER = re.compile(r"^(\s*)/\* (BEGIN|END) STEP \d+")


def usage(msg):
    print(f"format.py: {msg}\n\n{__doc__.strip()}", file=sys.stderr)
    return 2


def find_clang_format():
    for cand in (os.environ.get("CLANG_FORMAT"), f"clang-format-{WANT_MAJOR}", "clang-format"):
        if cand and shutil.which(cand):
            out = subprocess.run([cand, "--version"], capture_output=True, text=True).stdout
            m = re.search(r"version (\d+)", out)
            return cand, int(m.group(1)) if m else 0
    return None, 0


def sources(lab):
    """The files to format, relative to TOP, sorted."""
    found = []
    for root in ROOTS:
        for dirpath, dirnames, filenames in os.walk(os.path.join(TOP, root)):
            dirnames[:] = [d for d in dirnames if d != "build" and not d.startswith(".")]
            rel = os.path.relpath(dirpath, TOP)
            found += [os.path.join(rel, f) for f in filenames if f.endswith((".c", ".h"))]
    if lab:
        found = [f for f in found if re.match(rf"(solutions|tests)/{lab}-[^/]+/", f)]
    return sorted(found)


def split_literal(body):
    """Split the text of a string literal at the space nearest its middle: (head, tail)."""
    spaces = [i for i, ch in enumerate(body) if ch == " " and i > 0 and body[i - 1] != "\\"]
    if not spaces:
        return None
    cut = min(spaces, key=lambda i: abs(i - len(body) // 2)) + 1
    return body[:cut], body[cut:]


def clang_format(cf, path, text):
    r = subprocess.run([cf, "--style=file", f"--assume-filename={path}"], input=text,
                       capture_output=True, text=True, cwd=TOP)
    if r.returncode != 0:
        raise RuntimeError(f"{cf} failed on {path}: {r.stderr.strip()}")
    return r.stdout


def format_text(cf, path, text):
    """(formatted text, [problems])"""
    out = clang_format(cf, path, text)
    for _ in range(8):  # each round mends every broken hint it sees
        lines = out.split("\n")
        mended = False
        for i, line in enumerate(lines):
            m = BROKEN_HINT.search(line)
            parts = m and split_literal(m.group(1))
            if parts:
                indent = re.match(r"\s*", line).group(0)
                lines[i] = (line[:m.start()] + '"' + parts[0] + '"\n' + indent + '"' + parts[1]
                            + '"' + m.group(2) + line[m.end():].rstrip())
                mended = True
        if not mended:
            break
        out = clang_format(cf, path, "\n".join(lines))
    problems = []
    for n, line in enumerate(out.split("\n"), 1):
        m = MARKER.match(line)
        if m and " " in m.group(1):
            problems.append(f"{path}:{n}: this STEP marker was aligned with a trailing comment "
                            "on the line above: put that comment on a line of its own")
        if BROKEN_HINT.search(line):
            problems.append(f"{path}:{n}: ASL_HINT( broken open; split the message before it")
    return out, problems


def main(argv):
    check, lab, jobs, files = False, None, os.cpu_count() or 2, []
    args = list(argv)
    while args:
        a = args.pop(0)
        if a in ("-h", "--help"):
            print(__doc__.strip())
            return 0
        if a == "--check":
            check = True
        elif a in ("--lab", "--jobs"):
            if not args:
                return usage(f"{a} needs a value")
            v = args.pop(0)
            if a == "--lab":
                lab = v.split("-")[0]
                if not re.fullmatch(r"\d\d", lab):
                    return usage(f"--lab {v}: expected NN or NN-name")
            elif v.isdigit() and int(v) > 0:
                jobs = int(v)
            else:
                return usage(f"--jobs {v}: expected a positive number")
        elif a.startswith("-"):
            return usage(f"unknown option {a}")
        else:
            rel = os.path.relpath(os.path.abspath(a), TOP)
            if rel.split(os.sep)[0] == "labs":
                return usage(f"{a}: labs/ holds the students' edits and is generated from "
                             "solutions/ (skelgen.py): it is never formatted")
            if not os.path.isfile(os.path.join(TOP, rel)):
                return usage(f"{a}: no such file")
            files.append(rel)
    cf, major = find_clang_format()
    if not cf:
        print("format.py: no clang-format: run common/tools/deps.sh format", file=sys.stderr)
        return 2
    if major != WANT_MAJOR:
        print(f"format.py: warning: {cf} is version {major}; the style is checked with "
              f"version {WANT_MAJOR} (Debian 12), whose output may differ in places",
              file=sys.stderr)
    files = files or sources(lab)

    def one(path):
        with open(os.path.join(TOP, path), encoding="utf-8") as f:
            text = f.read()
        out, problems = format_text(cf, path, text)
        changed = sum(1 for d in difflib.unified_diff(text.split("\n"), out.split("\n"),
                                                      lineterm="", n=0)
                      if d[:1] in "+-" and not d.startswith(("+++", "---")))
        return path, text, out, changed, problems

    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        results = list(pool.map(one, files))
    differ = [(p, c) for p, text, out, c, _ in results if out != text]
    problems = [msg for *_, probs in results for msg in probs]
    if check:
        for p, c in differ:
            print(f"{p}: {c} line(s) differ from clang-format's")
        if differ:
            print(f"format-check: {len(differ)} of {len(files)} file(s) are not formatted "
                  f"({sum(c for _, c in differ)} line(s)); `make format` rewrites them")
        else:
            print(f"format-check: all {len(files)} file(s) formatted")
    else:
        for p, text, out, _, _ in results:
            if out != text:
                with open(os.path.join(TOP, p), "w", encoding="utf-8") as f:
                    f.write(out)
        print(f"format: {len(differ)} of {len(files)} file(s) rewritten "
              f"({sum(c for _, c in differ)} line(s))")
    for msg in problems:
        print(msg, file=sys.stderr)
    return 1 if problems or (check and differ) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
