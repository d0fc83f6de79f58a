"""grade_report.py - the grader's outputs: the terminal table, Gradescope results.json and
JUnit XML.  `results` is a list of {"lab", "log", "tests": [{id, points, step, status,
message, earned}]}, as grade.grade_lab() returns them.
"""
import json
import shutil
import sys
import xml.etree.ElementTree as ET

TTY = sys.stdout.isatty()


def color(s, code):
    return f"\033[{code}m{s}\033[0m" if TTY else s


def totals(results):
    earned = sum(t["earned"] for r in results for t in r["tests"])
    possible = sum(t["points"] for r in results for t in r["tests"] if t["status"] != "SKIP")
    return earned, possible


def print_table(results, quiet=False, titles=None):
    width = shutil.get_terminal_size((100, 20)).columns
    for r in results:
        earned = sum(t["earned"] for t in r["tests"])
        possible = sum(t["points"] for t in r["tests"] if t["status"] != "SKIP")
        print(color(f"\nlab {r['lab']}: {earned}/{possible} points", "1"))
        if quiet:
            continue
        print(f"  {'test':<44} {'step':>4} {'pts':>5}  status")
        for t in r["tests"]:
            st = t["status"]
            c = "32" if st == "PASS" else "33" if st == "SKIP" else "31"
            print(f"  {t['id']:<44} {t['step']:>4} {t['earned']:>2}/{t['points']:<2}  "
                  f"{color(st, c)}")
            if t["message"] and st != "PASS":
                msg = t["message"].splitlines()
                for line in msg[:6]:
                    print("      " + line[:max(40, width - 8)])
        if r.get("log") and any(t["status"] != "PASS" for t in r["tests"]):
            what = "build output" if r["log"].endswith(".log") else "each test's full output"
            print(f"  ({what}: {r['log']})")
    earned, possible = totals(results)
    print(color(f"\ntotal: {earned}/{possible} points", "1"))


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
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"score": earned, "max_score": possible, "execution_time": round(elapsed, 1),
                   "tests": tests}, f, indent=2)


def write_junit(results, path):
    root = ET.Element("testsuites")
    for r in results:
        suite = ET.SubElement(root, "testsuite", name=r["lab"], tests=str(len(r["tests"])),
                              failures=str(sum(t["status"] not in ("PASS", "SKIP")
                                               for t in r["tests"])),
                              skipped=str(sum(t["status"] == "SKIP" for t in r["tests"])))
        for t in r["tests"]:
            case = ET.SubElement(suite, "testcase", classname=r["lab"], name=t["id"])
            if t["status"] == "SKIP":
                ET.SubElement(case, "skipped", message=t["message"])
            elif t["status"] != "PASS":
                fail = ET.SubElement(case, "failure", type=t["status"],
                                     message=t["message"].splitlines()[0] if t["message"] else "")
                fail.text = t["message"]
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
