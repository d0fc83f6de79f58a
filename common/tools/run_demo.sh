#!/usr/bin/env bash
# run_demo.sh PROGRAM [EXPECTED_SIGNAL] - run one demo and check that it ended as intended:
# with status 0, or killed by EXPECTED_SIGNAL (e.g. SIGSEGV) when the demo exists to show a crash.
set -u
prog=$1 expect=${2:-}
[ -x "$prog" ] || { echo "run_demo: $prog is not built" >&2; exit 2; }
echo
echo "======================== $(basename "$prog") ========================"
"$prog"
rc=$?
if [ -z "$expect" ]; then
	[ $rc -eq 0 ] && exit 0
	echo "run_demo: $(basename "$prog") failed with status $rc" >&2
	exit 1
fi
if [ $rc -gt 128 ] && [ "SIG$(kill -l $((rc - 128)))" = "$expect" ]; then
	echo "(the demo died of $expect, as it is meant to)"
	exit 0
fi
echo "run_demo: $(basename "$prog") was meant to die of $expect but ended with status $rc" >&2
exit 1
