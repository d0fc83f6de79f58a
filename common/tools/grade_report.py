"""grade_report.py - the grader's outputs: the terminal table (also each student's report.txt),
Gradescope results.json, JUnit XML and the class summary.  `results` is a list of
{"lab", "log", "problem", "notes", "tests": [{id, points, step, status, message, earned,
seconds}]}, as grade.grade_lab() returns them.
"""
import json
import re
import shutil
import statistics
import sys
import textwrap
import xml.etree.ElementTree as ET

TTY = sys.stdout.isatty()
MAX_LINES = 12           # lines of one failure message shown in the table (the logs have all)


def color(s, code, on=None):
    return f"\033[{code}m{s}\033[0m" if (TTY if on is None else on) else s


def totals(results):
    earned = sum(t["earned"] for r in results for t in r["tests"])
    possible = sum(t["points"] for r in results for t in r["tests"] if t["status"] != "SKIP")
    return earned, possible


def wrap(text, width, indent):
    """Every line of text wrapped (never cut) to width, each continuation indented."""
    out = []
    for line in text.splitlines() or [""]:
        lead = len(line) - len(line.lstrip())
        out += textwrap.wrap(line.strip(), width=max(40, width - 1),
                             initial_indent=indent + " " * lead,
                             subsequent_indent=indent + " " * (lead + 2),
                             break_long_words=True, break_on_hyphens=False) or [indent]
    return out


def notes_lines(r, width):
    n = r.get("notes") or {}
    out = []
    if r.get("problem"):
        out += wrap("grader: " + r["problem"], width, "  ")
    if n.get("missing"):
        out += wrap("not submitted (the skeleton's version was graded): "
                    + ", ".join(n["missing"]), width, "  ")
    if n.get("ignored"):
        out += wrap("ignored (not the student's to change; the course's version was used): "
                    + ", ".join(n["ignored"]), width, "  ")
    if n.get("flags"):
        out.append("  flagged for the instructor to look at (could reach the grader's or "
                   "Criterion's internals):")
        for f in n["flags"]:
            out += wrap(f, width, "    ")
    return out


def render_table(results, quiet=False, width=None, colors=None):
    """The table as text: one row per test, failure messages wrapped to width."""
    if width is None:
        width = shutil.get_terminal_size((100, 20)).columns
    lines = []
    for r in results:
        earned = sum(t["earned"] for t in r["tests"])
        possible = sum(t["points"] for t in r["tests"] if t["status"] != "SKIP")
        lines.append(color(f"\nlab {r['lab']}: {earned}/{possible} points", "1", colors))
        lines += notes_lines(r, width)
        if quiet:
            continue
        msgs = {t["message"] for t in r["tests"] if t["status"] not in ("PASS", "SKIP")}
        shared = None
        if len(r["tests"]) > 1 and len(msgs) == 1 and \
                all(t["status"] in ("BUILD", "MISSING") for t in r["tests"]):
            shared = msgs.pop()   # one build error, printed once rather than once per test
            lines.append(color(f"  every test: {r['tests'][0]['status']}", "31", colors))
            lines += wrap(shared, width, "      ")
        lines.append(f"  {'test':<44} {'step':>4} {'pts':>5}  status")
        for t in r["tests"]:
            st = t["status"]
            c = "32" if st == "PASS" else "33" if st == "SKIP" else "31"
            lines.append(f"  {t['id']:<44} {t['step']:>4} {t['earned']:>2}/{t['points']:<2}  "
                         f"{color(st, c, colors)}")
            if t["message"] and st != "PASS" and shared is None:
                msg = []
                for line in t["message"].splitlines():
                    msg += wrap(line, width, "      ")
                if len(msg) > MAX_LINES:
                    msg = msg[:MAX_LINES] + ["      [... the rest is in the test's log]"]
                if "-> reread" not in t["message"] and t.get("step") not in (None, "", "-"):
                    # a crash, a timeout or an exit has no ASL_HINT of its own: the points
                    # file knows the step all the same
                    msg.append(f"          -> reread workbook.md, lab {r['lab']}, "
                               f"step {t['step']}")
                lines += msg
        if r.get("log") and any(t["status"] != "PASS" for t in r["tests"]):
            what = "build output" if r["log"].endswith(".log") else "each test's full output"
            lines.append(f"  ({what}: {r['log']})")
    earned, possible = totals(results)
    lines.append(color(f"\ntotal: {earned}/{possible} points", "1", colors))
    return "\n".join(lines) + "\n"


def print_table(results, quiet=False, titles=None):
    sys.stdout.write(render_table(results, quiet))
    sys.stdout.flush()


def write_json(results, path, elapsed):
    tests = []
    for r in results:
        for t in r["tests"]:
            tests.append({
                "name": f"{r['lab']} {t['id']}",
                "number": f"{r['lab'][:2]}.{t['step']}",
                "score": t["earned"],
                "max_score": 0 if t["status"] == "SKIP" else t["points"],
                "status": "passed" if t["status"] == "PASS" else "failed",
                "output": (t["status"] + (": " + t["message"] if t["message"] else "")),
                "visibility": "visible",
            })
    earned, possible = totals(results)
    notes = "\n".join(l.strip() for r in results for l in
                      [f"lab {r['lab']}:"] + notes_lines(r, 1000) if notes_lines(r, 1000))
    doc = {"score": earned, "max_score": possible, "execution_time": round(elapsed, 1),
           "tests": tests}
    if notes:
        doc["output"] = notes
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2)


# XML 1.0 allows tab, newline, carriage return and these ranges; nothing else.
_XML_BAD = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(s):
    """s made valid in XML whatever student output put in it (control bytes shown as \\xNN)."""
    return _XML_BAD.sub(lambda m: "\\x%02x" % ord(m.group(0)) if ord(m.group(0)) < 256
                        else "?", s or "")


def write_junit(results, path):
    root = ET.Element("testsuites")
    for r in results:
        suite = ET.SubElement(root, "testsuite", name=r["lab"], tests=str(len(r["tests"])),
                              failures=str(sum(t["status"] not in ("PASS", "SKIP")
                                               for t in r["tests"])),
                              skipped=str(sum(t["status"] == "SKIP" for t in r["tests"])),
                              time=str(round(sum(t.get("seconds", 0) for t in r["tests"]), 3)))
        for t in r["tests"]:
            case = ET.SubElement(suite, "testcase", classname=r["lab"], name=xml_text(t["id"]),
                                 time=str(t.get("seconds", 0)))
            msg = xml_text(t["message"])
            if t["status"] == "SKIP":
                ET.SubElement(case, "skipped", message=msg)
            elif t["status"] != "PASS":
                fail = ET.SubElement(case, "failure", type=t["status"],
                                     message=msg.splitlines()[0] if msg else "")
                fail.text = msg
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def write_summary(everyone, labs, path):
    """The class summary after a gradebook: per lab the score distribution, the tests failed
    most often, and the students whose code was flagged or could not be graded."""
    lines = ["class summary", "=" * 13, f"{len(everyone)} students", ""]
    fails, flagged = {}, {}
    for lab in labs:
        scores, possible = [], 0
        for s, results in everyone.items():
            for r in results:
                if r["lab"] != lab:
                    continue
                scores.append(sum(t["earned"] for t in r["tests"]))
                possible = sum(t["points"] for t in r["tests"] if t["status"] != "SKIP")
                for t in r["tests"]:
                    if t["status"] not in ("PASS", "SKIP"):
                        fails[(lab, t["id"])] = fails.get((lab, t["id"]), 0) + 1
                if (r.get("notes") or {}).get("flags") or r.get("problem"):
                    flagged.setdefault(s, []).append(lab)
        if not scores:
            continue
        lines.append(f"lab {lab}: out of {possible}: min {min(scores)}, median "
                     f"{statistics.median(scores):g}, max {max(scores)}, full marks "
                     f"{sum(x == possible for x in scores)}/{len(scores)}")
        buckets = [0] * 5   # 0-19 %, 20-39 %, ... 80-100 %
        for x in scores:
            buckets[min(4, int(5 * x / possible)) if possible else 4] += 1
        for i, n in enumerate(buckets):
            lines.append(f"    {20 * i:>3}-{20 * i + 19 if i < 4 else 100:<3}%  {'#' * n} {n}")
    lines += ["", "tests failed most often:"]
    for (lab, tid), n in sorted(fails.items(), key=lambda kv: (-kv[1], kv[0]))[:15]:
        lines.append(f"  {n:>4}  {lab} {tid}")
    if not fails:
        lines.append("  none")
    lines += ["", "students to look at (flagged code or a grading problem; see their report.txt):"]
    for s, ls in sorted(flagged.items()):
        lines.append(f"  {s}: lab {', '.join(ls)}")
    if not flagged:
        lines.append("  none")
    text = "\n".join(lines) + "\n"
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return text
