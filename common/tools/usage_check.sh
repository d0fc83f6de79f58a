#!/usr/bin/env bash
# usage_check.sh - every program (demo, harness, driver, app) of every lab answers bad arguments with a
# usage message on stderr and exit status 2, and -h with exit status 0.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
fail=0 n=0
for lab in "$top"/solutions/[0-9][0-9]-*/; do
	progs=$(make -s -C "$lab" --no-print-directory -f Makefile -f - print-programs <<'MK' 2>/dev/null
print-programs: ; @echo $(PROGRAMS)
MK
)
	make -s -C "$lab" programs >/dev/null || { echo "usage_check: cannot build $lab" >&2; exit 1; }
	for p in $(echo $progs | tr ' ' '\n' | sort -u); do
		bin=$lab/build/$p
		for bad in --no-such-option no-such-argument; do
			err=$(timeout 20 "$bin" $bad 2>&1 >/dev/null); rc=$?
			n=$((n + 1))
			if [ $rc -ne 2 ] || ! grep -qi usage <<<"$err"; then
				echo "usage_check: $(basename "$lab")/$p $bad -> status $rc (want 2 and a usage message)" >&2
				fail=1
			fi
		done
		timeout 20 "$bin" -h >/dev/null 2>&1; rc=$?; n=$((n + 1))
		[ $rc -eq 0 ] || { echo "usage_check: $(basename "$lab")/$p -h -> status $rc (want 0)" >&2; fail=1; }
	done
done
[ $fail -eq 0 ] && echo "usage_check: $n bad-argument and -h checks, all answered correctly"
exit $fail
