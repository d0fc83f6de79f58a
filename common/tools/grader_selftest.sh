#!/usr/bin/env bash
# grader_selftest.sh - prove that grading survives hostile student code.
#
# Builds three broken copies of the lab 01 reference in a scratch tree.  In each, mem_load()
# misbehaves only when the word it loads is all ones, which exactly one graded test reads
# (load_store::reads_what_c_wrote, 2 points):
#   segv  - dereferences NULL          -> that test CRASHes
#   hang  - loops forever              -> that test TIMEOUTs
#   exit0 - calls exit(0)              -> that test is EXIT (Criterion 2.4.1 alone says PASS)
#   _exit0 - calls _exit(0)            -> likewise
#   forkbomb - forks without end       -> that test TIMEOUTs; the pids cgroup (or RLIMIT_NPROC)
#              holds the bomb and every process of it is killed afterwards
#   eatmem - allocates without end     -> malloc fails at the address-space limit and the
#              NULL is written through: CRASH (volatile, or gcc deletes the dead stores and the
#              malloc, leaving a plain infinite loop)
# Each broken tree must score exactly full marks minus those 2 points, with that status.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$top/grade-out/selftest
rm -rf "$work" && mkdir -p "$work"
lab=01-memory
full=$(awk '!/^#/ && NF==3 {s+=$2} END {print s}' "$top/tests/$lab/points")
victim=load_store::reads_what_c_wrote
declare -A body=(
	[segv]='*(volatile int *)0 = 1;'
	[hang]='for (;;) __asm__ volatile("");'
	[exit0]='exit(0);'
	[_exit0]='_exit(0);'
	[forkbomb]='for (;;) fork();'
	[eatmem]='for (;;) { volatile char *m = malloc(1 << 20); for (int i = 0; i < (1 << 20); i += 4096) m[i] = 1; }'
)
declare -A want=([segv]=CRASH [hang]=TIMEOUT [exit0]=EXIT [_exit0]=EXIT [forkbomb]=TIMEOUT [eatmem]=CRASH)
fail=0
kinds="segv hang exit0 _exit0 forkbomb eatmem"
# The fork bomb is only safe where it is contained: a pids cgroup (root) or RLIMIT_NPROC.
contained=$(cd "$top/common/tools" && python3 -c '
import os, sandbox
cg = sandbox.make_cgroup()
if cg: os.rmdir(cg)
print("yes" if cg or os.getuid() != 0 else "no")')
if [ "$contained" != yes ]; then
	echo "grader-selftest: SKIPPING the fork bomb: root without a pids cgroup here, so nothing would contain it"
	kinds=${kinds/forkbomb /}
fi
for kind in $kinds; do
	tree=$work/$kind/labs
	mkdir -p "$tree"
	cp -r "$top/solutions/$lab" "$tree/"
	rm -rf "$tree/$lab/build"
	f=$tree/$lab/load_store.c
	# inject the misbehaviour right before mem_load's return
	python3 - "$f" "${body[$kind]}" <<'PY'
import sys
path, code = sys.argv[1], sys.argv[2]
s = open(path).read()
s = s.replace('#include "asl/todo.h"', '#include "asl/todo.h"\n#include <stdlib.h>\n#include <unistd.h>', 1)
marker = "\treturn v;"
assert marker in s, "mem_load's 'return v;' not found"
s = s.replace(marker, "\tif (v == UINT64_MAX) {\n\t\t" + code + "\n\t}\n" + marker, 1)
open(path, "w").write(s)
PY
	# a 1 GiB address-space cap makes the memory eater fail fast instead of touching 4 GiB
	out=$(ASL_GRADE_AS_GIB=1 python3 "$top/common/tools/grade.py" --tree "$tree" --lab $lab --out "$work/$kind/out" --json "$work/$kind/results.json" 2>&1) || true
	got=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(r['score'])" "$work/$kind/results.json")
	status=$(echo "$out" | awk -v t=$victim '$1==t {print $4}' | sed 's/\x1b\[[0-9;]*m//g')
	others=$(echo "$out" | awk -v t=$victim '$1 ~ /::/ && $1!=t && $4!="PASS" {print $1}')
	if [ "$got" -eq $((full - 2)) ] && [ "$status" = "${want[$kind]}" ] && [ -z "$others" ]; then
		echo "grader-selftest: $kind: $victim -> $status, score $got/$full (lost exactly its 2 points)"
	else
		echo "grader-selftest: $kind: FAILED: score $got/$full, $victim -> '$status', other failures: $others" >&2
		echo "$out" >&2
		fail=1
	fi
done
# nothing of the bomb may survive the grade
left=$(pgrep -f "$work/forkbomb" || true)
left=$(echo -n "$left" | grep -c . || true)
if [ "$left" -ne 0 ]; then echo "grader-selftest: $left processes of the fork bomb survived" >&2; fail=1; fi
[ $fail -eq 0 ] && echo "grader-selftest: hostile code costs only the test it breaks"
exit $fail
