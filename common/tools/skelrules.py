"""skelrules.py - the rules every student step (BEGIN STEP region) must follow.

skelgen.py applies them to every solution file it reads and refuses to generate (or check) a
lab that breaks one, printing file:line and the rule.  They exist so that a student never has to
guess what a step is or how it is checked (CONTRIBUTING.md, "Marking the student's part"):

  R1 every region says which tests check it: "Checked by: suite::test, suite::*" with names
     that exist in tests/LAB/points (a typo would point the student at nothing);
  R2 a region lives inside a function, whose signature and contract comment stay in the
     skeleton: the student never has to invent a name or a signature that a test depends on
     (a private helper keeps its signature, with its body as the region);
  R3 stubs leave nothing behind that the student would have to clean up: an unused-variable
     silencer may only name the enclosing function's parameters or locals declared above the
     region (`LAB_UNUSED(a, b)` or `(void)a;`), never another function or a global.
"""
import fnmatch
import os
import re

CHECKED = re.compile(r"Checked by:\s*(.*)", re.S)
TEST_NAME = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*::(?:\*|[A-Za-z_][A-Za-z0-9_]*\*?))")
VOID = re.compile(r"\(void\)\s*([A-Za-z_][A-Za-z0-9_]*)\s*;")
UNUSED = re.compile(r"LAB_UNUSED\(([^)]*)\)")
FUNC_START = re.compile(r"^[A-Za-z_][^;]*\(")


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
