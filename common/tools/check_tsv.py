#!/usr/bin/env python3
"""check_tsv.py FILE... - check that timing-harness data files are well formed.

Every file must carry the machine-stamp header written by common/src/bench.c, the standard
column header, at least one row, and in each row numbers that are consistent
(min <= q1 <= median <= q3 <= max, median <= p90 <= max, n >= 1, spread >= 0).
Exit status 0 when all files pass, 1 otherwise (one line per problem), 2 on bad usage.
"""
import math
import sys

REQUIRED = ["harness", "dataset", "unit", "x", "mode", "samples", "cpu", "cpus_online",
            "cpus_usable", "kernel", "compiler", "cflags", "date", "stamp", "tree",
            "load_start", "load_end", "load"]
COLUMNS = ["series", "x", "n", "iters", "min", "q1", "median", "q3", "p90", "max", "mad"]


def check(path):
    problems = []
    meta, rows, header = {}, [], None
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError as e:
        return [f"{path}: cannot read: {e.strerror}"]
    for no, line in enumerate(lines, 1):
        if line.startswith("#"):
            key, sep, val = line[1:].partition(":")
            if sep:
                meta[key.strip()] = val.strip()
            continue
        if header is None:
            header = line.split("\t")
            if header != COLUMNS:
                problems.append(f"{path}:{no}: column header is {header}, expected {COLUMNS}")
            continue
        cells = line.split("\t")
        if len(cells) != len(COLUMNS):
            problems.append(f"{path}:{no}: {len(cells)} cells, expected {len(COLUMNS)}")
            continue
        try:
            nums = [float(c) for c in cells[1:]]
        except ValueError:
            problems.append(f"{path}:{no}: a cell is not a number: {cells[1:]}")
            continue
        if not all(math.isfinite(v) for v in nums):
            problems.append(f"{path}:{no}: non-finite value")
            continue
        x, n, iters, mn, q1, med, q3, p90, mx, mad = nums
        eps = 1e-9 * max(1.0, abs(mx))
        if n < 1 or iters < 1:
            problems.append(f"{path}:{no}: n={n:g} iters={iters:g}, both must be >= 1")
        if not (mn <= q1 + eps and q1 <= med + eps and med <= q3 + eps and q3 <= mx + eps):
            problems.append(f"{path}:{no}: quantiles out of order {mn} {q1} {med} {q3} {mx}")
        if not (med <= p90 + eps and p90 <= mx + eps):
            problems.append(f"{path}:{no}: p90 {p90} not within [median, max]")
        if mad < 0:
            problems.append(f"{path}:{no}: negative spread")
        rows.append(cells)
    missing = [k for k in REQUIRED if not meta.get(k)]
    if missing:
        problems.append(f"{path}: header lacks {', '.join(missing)}")
    if header is None or not rows:
        problems.append(f"{path}: no data rows")
    return problems


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr if len(argv) < 2 else sys.stdout)
        return 2 if len(argv) < 2 else 0
    problems = []
    for path in argv[1:]:
        problems += check(path)
    for p in problems:
        print("check_tsv:", p, file=sys.stderr)
    if not problems:
        print(f"check_tsv: {len(argv) - 1} data file(s) well formed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
