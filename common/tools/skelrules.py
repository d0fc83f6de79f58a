"""skelrules.py - the rules every student step (BEGIN STEP region) must follow.

skelgen.py applies them to every solution file it reads and refuses to generate (or check) a
lab that breaks one, printing file:line and the rule.  They exist so that a student never has to
guess what a step is or how it is checked (CONTRIBUTING.md, "Marking the student's part"):

  R1 every region says which tests check it: "Checked by: suite::test, suite::*" with names
     that exist in tests/LAB/points (a typo would point the student at nothing);
  R2 a region lives inside a function, whose signature and contract comment stay in the
     skeleton: the student never has to invent a name or a signature that a test depends on
     (a private helper keeps its signature, with its body as the region).  The one kind of
     region allowed at file scope is a header's macro definitions (a macro cannot hold a
     region: lab 09's protothread macros are the student's work): such a region holds only
     #define lines, and its stub defines exactly the same macros with the same parameters,
     so the names and the contract comments above them stay in the skeleton;
  R3 stubs leave nothing behind that the student would have to clean up: an unused-variable
     silencer may only name the enclosing function's parameters or locals declared above the
     region (`LAB_UNUSED(a, b)` or `(void)a;`), never another function or a global.
"""
import fnmatch
import os
import re

CHECKED = re.compile(r"Checked by:\s*(.*)", re.S)
TEST_NAME = re.compile(r"(?<![A-Za-z0-9_*])([A-Za-z_*][A-Za-z0-9_*]*::[A-Za-z0-9_*]+)")
VOID = re.compile(r"\(void\)\s*([A-Za-z_][A-Za-z0-9_]*)\s*;")
UNUSED = re.compile(r"LAB_UNUSED\(([^)]*)\)")
FUNC_START = re.compile(r"^[A-Za-z_][^;]*\(")
DEFINE = re.compile(r"^#\s*define\s+([A-Za-z_][A-Za-z0-9_]*)(\([^)]*\))?")


def points_tests(top, lab):
    """Test names (suite::test) from tests/LAB/points, or None if there is no points file."""
    path = os.path.join(top, "tests", lab, "points")
    if not os.path.exists(path):
        return None
    names = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split("#", 1)[0].split()
            if parts:
                names.append(parts[0])
    return names


def enclosing_function(lines, begin):
    """Text of the function around line index `begin`, from its signature to that line, or
    None when the region is at file scope."""
    if not lines[begin][:1].isspace():
        return None
    i = begin - 1
    while i >= 0:
        line = lines[i]
        if line.startswith("}"):
            return None                      # left the previous function: file scope
        if FUNC_START.match(line) and not line.startswith(("#", "/*", " *", "*/")):
            return "\n".join(lines[i:begin])
        i -= 1
    return None


def check_region(path, lines, begin, comment, stub_lines, tests):
    """Problems ("file:line: rule: text") for one region; `begin` is the BEGIN line index."""
    where = f"{path}:{begin + 1}"
    problems = []
    m = CHECKED.search(comment)
    named = TEST_NAME.findall(m.group(1)) if m else []
    if not named:
        problems.append(f"{where}: R1: the step does not say which tests check it "
                        f"(add 'Checked by: suite::test' to its BEGIN comment)")
    elif tests is not None:
        for name in named:
            if not any(fnmatch.fnmatchcase(t, name) for t in tests):
                problems.append(f"{where}: R1: 'Checked by' names {name}, which is not in "
                                f"the lab's points file")
    func = enclosing_function(lines, begin)
    if func is None and path.endswith(".h") and not lines[begin][:1].isspace():
        return problems + check_macro_region(where, lines, begin, stub_lines)
    if func is None:
        problems.append(f"{where}: R2: the region is at file scope; put it inside a function "
                        f"whose signature and contract stay in the skeleton")
        return problems
    known = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", func))
    silenced = []
    for s in stub_lines:
        silenced += VOID.findall(s)
        for group in UNUSED.findall(s):
            silenced += [x.strip() for x in group.split(",") if x.strip()]
    for name in silenced:
        if name not in known:
            problems.append(f"{where}: R3: the stub silences '{name}', which is not a parameter "
                            f"or local of the enclosing function (a leftover the student "
                            f"would see)")
    return problems


def macro_signatures(text_lines):
    """{name: "(params)"} of the #define lines among text_lines (continuations skipped), or
    None if a line is neither part of a #define nor blank."""
    sigs, cont = {}, False
    for line in text_lines:
        if cont:
            cont = line.rstrip().endswith("\\")
            continue
        if not line.strip():
            continue
        m = DEFINE.match(line)
        if not m:
            return None
        sigs[m.group(1)] = re.sub(r"\s+", "", m.group(2) or "")
        cont = line.rstrip().endswith("\\")
    return sigs


def check_macro_region(where, lines, begin, stub_lines):
    """R2/R3 for a file-scope region of a header: only #define lines, and a stub that defines
    the same macros with the same parameters (and silences nothing but their parameters)."""
    i = begin
    while not lines[i].rstrip().endswith("*/"):    # the BEGIN comment
        i += 1
    j = i + 1
    while not lines[j].lstrip().startswith("/* END STEP"):
        j += 1
    body = macro_signatures(lines[i + 1:j])
    stub = macro_signatures(stub_lines)
    if not body or body != stub:
        return [f"{where}: R2: the region is at file scope; in a header it may only hold "
                f"#define lines, and its stub must define the same macros with the same "
                f"parameters (region: {body}, stub: {stub})"]
    params = set()
    for sig in body.values():
        params |= {p for p in sig.strip("()").split(",") if p}
    problems = []
    for s in stub_lines:
        for group in UNUSED.findall(s):
            for name in (x.strip() for x in group.split(",") if x.strip()):
                if name not in params:
                    problems.append(f"{where}: R3: the stub silences '{name}', which is not a "
                                    f"parameter of the macro")
    return problems
