#!/usr/bin/env bash
# watch_selftest.sh - `make watch` and `make hint` checked without a terminal (CI runs it).
#
# On a fresh skeleton of lab 01 in a temporary directory, the reference files are dropped in
# step by step, as a student would save them:
#   1. one round (make watch ONCE=1) on the skeleton: step 1 is current and fails
#   2. load_store.c (step 1) dropped in, one round: "step 1 done: next is step 2", step 2 fails
#   3. make hint: step 2's TODO comments from the student's files and its workbook paragraph
#   4. the real loop with inotifywait (where installed): fault_catch.c and fault_probe.c
#      (step 2) saved while it waits -> it reruns by itself, step 2 done, next is step 3
#   5. the same by polling the files' times (--poll): page_faults.c (step 3) -> step 4
#   6. Ctrl-C (SIGINT) while it waits: "watch: stopped", status 0
#   7. a labs/ tree (make watch at the top level): with the result `make test` kept, the
#      round starts at lab 01's first unfinished step, not at step 1; with cpu_trap.c (step 4)
#      dropped in, lab 01 is done and the round goes on to lab 02, step 1
# Every wait is bounded ("did not hang" bounds, generous for a loaded machine); no sleep makes
# anything pass.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/asl-watch-selftest.XXXXXX)
chmod 755 "$work"   # the grader's sandboxed user reads the box under it
mkdir -m 755 "$work/tmp"
export TMPDIR=$work/tmp   # where the grader keeps this lab's box when run as root
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT
lab=01-memory
dir=$work/labs/$lab
ref=$top/solutions/$lab
watch=(python3 "$top/common/tools/watch.py")
fail=0
say() { echo "watch-selftest: $*"; }
bad() { echo "watch-selftest: FAILED: $*" >&2; fail=1; }
has() {   # has LOG TEXT WHAT: LOG contains the fixed string TEXT
	grep -qF -- "$2" "$1" && say "ok: $3" || { bad "$3: no '$2' in $1:"; sed 's/^/    | /' "$1" >&2; }
}
lacks() {
	! grep -qF -- "$2" "$1" && say "ok: $3" || { bad "$3: '$2' in $1"; sed 's/^/    | /' "$1" >&2; }
}
wait_for() {   # wait_for LOG PATTERN SECONDS: until LOG has a line matching PATTERN
	local end=$(( $(date +%s) + $3 ))
	until grep -qE -- "$2" "$1" 2>/dev/null; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.2
	done
}

python3 "$top/common/tools/skelgen.py" --into "$work/labs" > /dev/null

say "1. one round on the skeleton (make watch ONCE=1)"
make --no-print-directory -C "$dir" ASL_TOP="$top" watch ONCE=1 > "$work/1.log" 2>&1 \
	|| bad "make watch ONCE=1 failed (status $?)"
has "$work/1.log" "lab $lab, step 1: Load and store through a pointer" "step 1 is the current step"
has "$work/1.log" "step 1: 0/4 tests pass" "step 1 fails on the skeleton"
lacks "$work/1.log" "step 1 done" "and is not reported done"

say "2. step 1's reference file dropped in, one round"
cp "$ref/load_store.c" "$dir/"
"${watch[@]}" --lab-dir "$dir" --once > "$work/2.log" 2>&1 || bad "watch --once failed"
has "$work/2.log" "step 1 done" "step 1 done"
has "$work/2.log" "next is step 2 - A fault probe" "names step 2 and its title"
has "$work/2.log" "step 2: 0/14 tests pass" "goes on to step 2, which fails"

say "3. the hint of the current step (make hint)"
make --no-print-directory -C "$dir" ASL_TOP="$top" hint > "$work/3.log" 2>&1 || bad "make hint failed"
has "$work/3.log" "hint: lab $lab, step 2: A fault probe" "the hint is step 2's"
has "$work/3.log" "fault_catch.c:" "with the TODO comments of the student's file"
has "$work/3.log" ", in fault_catch():" "naming the function they are in"
has "$work/3.log" "workbook.md, chapter 01, build step 2" "and the workbook's paragraph"
has "$work/3.log" "2. **A fault probe**" "quoted from workbook.md"

live() {   # live NAME FILE... -- WATCH-ARGS: start the loop, save FILEs when it waits, 2 rounds
	local name=$1; shift
	local files=()
	while [ "$1" != "--" ]; do files+=("$1"); shift; done; shift
	"${watch[@]}" --lab-dir "$dir" --rounds 2 "$@" < /dev/null > "$work/$name.log" 2>&1 &
	local pid=$!
	pids+=("$pid")
	wait_for "$work/$name.log" '^watching your files' 300 \
		|| { bad "$name: the first round did not end within 300 s"; return; }
	for f in "${files[@]}"; do cp "$ref/$f" "$dir/$f"; done
	local end=$(( $(date +%s) + 300 ))
	while kill -0 "$pid" 2>/dev/null; do
		[ "$(date +%s)" -lt "$end" ] || { bad "$name: no second round within 300 s"; return; }
		sleep 0.2
	done
	wait "$pid" || bad "$name: watch exited with status $?"
}

if command -v inotifywait > /dev/null; then
	say "4. the loop with inotifywait: step 2's files saved while it waits"
	live 4 fault_catch.c fault_probe.c --
	has "$work/4.log" "by inotifywait" "it watches with inotifywait"
	has "$work/4.log" "fault_catch.c saved" "it saw the save and reran"
	has "$work/4.log" "next is step 3 - Count the minor faults" "step 2 done, step 3 named"
else
	say "4. skipped: inotifywait is not installed (Debian inotify-tools); step 5 polls"
	cp "$ref/fault_catch.c" "$ref/fault_probe.c" "$dir/"
fi

say "5. the loop polling once a second: step 3's file saved while it waits"
live 5 page_faults.c -- --poll
has "$work/5.log" "by polling their modification times once a second" "it says it polls"
has "$work/5.log" "page_faults.c saved" "it saw the save and reran"
has "$work/5.log" "next is step 4 - Make the CPU refuse" "step 3 done, step 4 named"

say "6. Ctrl-C while it waits"
"${watch[@]}" --lab-dir "$dir" --poll < /dev/null > "$work/6.log" 2>&1 &
pid=$!
pids+=("$pid")
if wait_for "$work/6.log" '^watching your files' 300; then
	kill -INT "$pid"
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 0 ] && say "ok: Ctrl-C exits with status 0" || bad "Ctrl-C: status $rc"
	has "$work/6.log" "watch: stopped" "and says it stopped"
	lacks "$work/6.log" "Traceback" "without a Python traceback"
else
	bad "6: the first round did not end within 300 s"
fi

say "7. a labs/ tree: the first unfinished step, from the result make test keeps"
python3 "$top/common/tools/grade.py" --lab-dir "$dir" --lab $lab -q > "$work/7a.log" 2>&1 || true
"${watch[@]}" --tree "$work/labs" --once > "$work/7.log" 2>&1 || bad "watch --tree --once failed"
has "$work/7.log" "lab $lab, step 4: Make the CPU refuse" "starts at lab 01, step 4"
lacks "$work/7.log" "lab $lab, step 1:" "without rerunning steps 1-3"
cp "$ref/cpu_trap.c" "$dir/"
"${watch[@]}" --tree "$work/labs" --once > "$work/7b.log" 2>&1 || bad "watch --tree --once failed"
has "$work/7b.log" "step 4 done" "lab 01's last step done"
has "$work/7b.log" "next is lab 02-syscalls, step 1" "and on to lab 02, step 1"

[ "$fail" -eq 0 ] && say "every check passed" || say "some checks FAILED"
exit "$fail"
