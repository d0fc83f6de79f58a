#!/usr/bin/env bash
# survival_check.sh - prove that no make target loses a student's edit in labs/.
#
# In a throwaway clone of this repository: edit labs/01-memory/load_store.c (and delete nothing
# else), run every top-level and lab-level target that could plausibly touch labs/, including
# regeneration after the reference changed, and check the edit is still there, byte for byte.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$top/grade-out/survival
rm -rf "$work" && git clone -q "$top" "$work" && cd "$work"
f=labs/01-memory/load_store.c
printf '\n/* my notes: a student edit that must survive every make target */\n' >> "$f"
want=$(sha256sum "$f")
check() {
	if [ "$(sha256sum "$f")" != "$want" ]; then
		echo "survival: '$*' changed or removed the student's $f" >&2; exit 1
	fi
	echo "survival: after '$*': edit intact"
}
run() { "$@" > /dev/null 2>&1 || true; check "$@"; }   # outcome aside, the edit must survive
run make skeletons
run make clean
run make all
run make grade LAB=01
run make status
run make check LAB=01
run make drift
run make bench-quick LAB=01
run make -C labs/01-memory test
run make -C labs/01-memory demo
run make -C labs/01-memory bench-quick
run make -C labs/01-memory asan
run make -C labs/01-memory clean
# the course is updated: the reference of this very file changes, then the student regenerates
printf '\n/* a later fix in the reference */\n' >> solutions/01-memory/load_store.c
out=$(make skeletons 2>&1)
check "make skeletons (after the reference changed)"
new=labs/01-memory/build/skeleton-new/load_store.c
grep -q "a later fix in the reference" "$new" || { echo "survival: the new skeleton version was not offered at $new" >&2; exit 1; }
echo "$out" | grep -q "kept your edited labs/01-memory/load_store.c" || { echo "survival: skeletons did not tell the student" >&2; exit 1; }
echo "survival: the update was offered at $new and the student was told"
make drift > /dev/null 2>&1 && echo "survival: drift check treats the edit as the student's (not drift)"
echo "survival: a student's edit survives every target"
