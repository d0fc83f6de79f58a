#!/usr/bin/env bash
# grader_selftest.sh - prove that grading survives hostile student code, accidental or not.
#
# Accidents (six broken copies of the lab 01 reference).  In each, mem_load() misbehaves only
# when the word it loads is all ones, which exactly one graded test reads
# (load_store::reads_what_c_wrote, 2 points):
#   segv  - dereferences NULL          -> that test CRASHes
#   hang  - loops forever              -> that test TIMEOUTs
#   exit0 - calls exit(0)              -> that test is EXIT (Criterion 2.4.1 alone says PASS)
#   _exit0 - calls _exit(0)            -> likewise
#   forkbomb - forks without end       -> that test TIMEOUTs; the pids cgroup (or RLIMIT_NPROC)
#              holds the bomb and every process of it is killed afterwards
#   eatmem - allocates without end     -> malloc fails at the address-space limit and the
#              NULL is written through: CRASH
# Each must score exactly full marks minus those 2 points, with that status.
#
# Attacks (a student who wants free points; issue 8, one case each):
#   1 makefile  the untouched skeleton with a Makefile that compiles the reference and starts
#               a process that would outlive the grade          -> 0 points, nothing survives
#   2 include   the skeleton's files replaced by #include of the reference (relative and
#               absolute paths)                                  -> 0 points, flagged
#   3 forge     the victim calls the exported asl_test_fini(), appends its name to
#               $ASL_FINI_LOG, writes a forged report to every pipe of the runner it can open
#               through /proc, then _exit(0)                      -> victim EXIT, -2 points
#   4 tamper    a constructor appends to the grader's grade_report.py and tests/NN/points,
#               and leaves a process to rewrite the --json file it finds on an ancestor's
#               command line                 -> the checkout and results.json unchanged
#   5 escape    a worker's child moves to the root cgroup, lifts pids.max, setsid()s and
#               sleeps as "boxfort-worker"   -> nothing survives: as root with bubblewrap,
#               as root in the no-namespace fallback, and as an ordinary user
#   6 list      a constructor prints a forged test line and sleeps 75 s under --list
#                                            -> results.json written, gradebook completes
#   7 budget    every test's worker sleeps first (a grade that would take ~40 s)
#                                            -> the lab stops at its budget, the rest TIMEOUT
#   8 junit     control bytes in a failure message; two students' trees with one basename
#                                            -> valid JUnit XML; two output directories
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
work=${ASL_SELFTEST_DIR:-/tmp/asl-grader-selftest}
rm -rf "$work" && mkdir -p "$work" && chmod 755 "$work"
lab=01-memory
grade="python3 $top/common/tools/grade.py"
full=$(awk '!/^#/ && NF==3 {s+=$2} END {print s}' "$top/tests/$lab/points")
victim=load_store::reads_what_c_wrote
fail=0
t0=$(date +%s)
say() { echo "grader-selftest: $*"; }
bad() { echo "grader-selftest: FAILED: $*" >&2; fail=1; }
python3 "$top/common/tools/grade.py" --sandbox-info | sed 's/^/grader-selftest: /'

ref_tree() {   # ref_tree NAME -> a copy of the lab 01 reference at $work/NAME/labs/01-memory
	mkdir -p "$work/$1/labs" && cp -r "$top/solutions/$lab" "$work/$1/labs/"
	rm -rf "$work/$1/labs/$lab/build"
}
skel_tree() {  # skel_tree NAME -> the pristine skeleton of every lab at $work/NAME/labs
	python3 "$top/common/tools/skelgen.py" --into "$work/$1/labs" > /dev/null
}
inject() {     # inject FILE C-CODE: run C-CODE in mem_load when it loads all ones
	python3 - "$1" "$2" <<'PY'
import sys
path, code = sys.argv[1], sys.argv[2]
s = open(path).read()
s = s.replace('#include "asl/todo.h"', '#include "asl/todo.h"\n#include <stdlib.h>\n#include <unistd.h>', 1)
marker = "\treturn v;"
assert marker in s, "mem_load's 'return v;' not found"
s = s.replace(marker, "\tif (v == UINT64_MAX) {\n\t\t" + code + "\n\t}\n" + marker, 1)
open(path, "w").write(s)
PY
}
append_c() { cat >> "$1"; }   # append C code (a constructor, say) to a student file
score() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['score'])" "$1"; }
status_of() {  # status_of RESULTS.json TEST
	python3 -c "
import json, sys
for t in json.load(open(sys.argv[1]))['tests']:
    if t['name'].split()[1] == sys.argv[2]: print(t['output'].split(':')[0])" "$1" "$2"
}
others_failing() {  # tests other than $2 that did not pass
	python3 -c "
import json, sys
print(' '.join(t['name'].split()[1] for t in json.load(open(sys.argv[1]))['tests']
               if t['status'] != 'passed' and t['name'].split()[1] != sys.argv[2]))" "$1" "$2"
}
# processes that outlived a grade: the sandbox user's, anything running from the scratch
# trees or a box (boxfort-worker included: its executable is the box's test_runner), and
# anything that named itself asl-survivor
survivors() {
	local me=$$ u
	u=$(id -u asl-grader 2>/dev/null || echo none)
	for p in /proc/[0-9]*; do
		pid=${p#/proc/}
		[ "$pid" = "$me" ] && continue
		exe=$(readlink "$p/exe" 2>/dev/null || true)
		comm=$(cat 2>/dev/null < "$p/comm" || true)
		cmd=$(tr '\0' ' ' 2>/dev/null < "$p/cmdline" || true)
		state=$(awk '{print $3}' 2>/dev/null < "$p/stat" || true)
		[ "$state" = Z ] && continue   # a zombie runs nothing (and init reaps it)
		owner=$(stat -c %u "$p" 2>/dev/null || true)
		if [ "$owner" = "$u" ] || [[ "$exe" == /box/* || "$exe" == "$work"/* || "$exe" == /tmp/asl-grade-* ]] ||
		   [[ "$comm" == asl-survivor* ]] || [[ "$cmd" == *asl-survivor* ]]; then
			echo "$pid $comm $exe $cmd"
		fi
	done
}
checksum_grader() {
	(cd "$top" && find common tests solutions -type f -not -path '*/build/*' -not -name '*.pyc' \
		-print0 | sort -z | xargs -0 sha256sum | sha256sum)
}

# ---- the six accidents ----------------------------------------------------------------------
declare -A body=(
	[segv]='*(volatile int *)0 = 1;'
	[hang]='for (;;) __asm__ volatile("");'
	[exit0]='exit(0);'
	[_exit0]='_exit(0);'
	[forkbomb]='for (;;) fork();'
	[eatmem]='for (;;) { volatile char *m = malloc(1 << 20); for (int i = 0; i < (1 << 20); i += 4096) m[i] = 1; }'
)
declare -A want=([segv]=CRASH [hang]=TIMEOUT [exit0]=EXIT [_exit0]=EXIT [forkbomb]=TIMEOUT [eatmem]=CRASH)
for kind in segv hang exit0 _exit0 forkbomb eatmem; do
	ref_tree "$kind"
	inject "$work/$kind/labs/$lab/load_store.c" "${body[$kind]}"
	# a 256 MiB address-space cap makes the memory eater fail fast instead of touching 4 GiB
	ASL_GRADE_AS_MIB=256 $grade --tree "$work/$kind/labs" --lab $lab --out "$work/$kind/out" \
		--json "$work/$kind/results.json" > "$work/$kind/grade.log" 2>&1 || true
	r=$work/$kind/results.json
	got=$(score "$r"); st=$(status_of "$r" $victim); others=$(others_failing "$r" $victim)
	if [ "$got" -eq $((full - 2)) ] && [ "$st" = "${want[$kind]}" ] && [ -z "$others" ]; then
		say "$kind: $victim -> $st, score $got/$full (lost exactly its 2 points)"
	else
		bad "$kind: score $got/$full, $victim -> '$st', other failures: $others"
		cat "$work/$kind/grade.log" >&2
	fi
done
left=$(survivors)
[ -z "$left" ] || bad "processes outlived the accidents: $left"

# ---- attack 1: a doctored Makefile on the untouched skeleton -------------------------------
skel_tree mk
cat > "$work/mk/labs/$lab/Makefile" <<EOF
LAB      := $lab
SOL      := $top/solutions/$lab
LIB_SRCS := \$(SOL)/load_store.c \$(SOL)/fault_probe.c \$(SOL)/fault_catch.c \$(SOL)/page_faults.c \$(SOL)/cpu_trap.c
DEMOS    := demo_wild_pointer demo_maps
BENCHES  := bench_memory
DRIVERS  := stress_probe
LDLIBS   += -lpthread
\$(shell bash -c 'exec -a asl-survivor-make sleep 600' > /dev/null 2>&1 &)
ASL_TOP  ?= ../..
include \$(ASL_TOP)/common/mk/lab.mk
EOF
$grade --tree "$work/mk/labs" --lab $lab --out "$work/mk/out" --json "$work/mk/results.json" \
	> "$work/mk/grade.log" 2>&1 || true
got=$(score "$work/mk/results.json")
if [ "$got" -eq 0 ] && grep -q "ignored.*Makefile" "$work/mk/grade.log"; then
	say "1 makefile: a Makefile compiling the reference is ignored: 0/$full, listed as ignored"
else bad "1 makefile: score $got/$full"; cat "$work/mk/grade.log" >&2; fi

# ---- attack 2: #include of the reference ----------------------------------------------------
skel_tree inc
for f in load_store fault_probe fault_catch page_faults cpu_trap; do
	echo "#include \"$top/solutions/$lab/$f.c\"" > "$work/inc/labs/$lab/$f.c"
done
echo "#include \"../../solutions/$lab/load_store.c\"" > "$work/inc/labs/$lab/load_store.c"
$grade --tree "$work/inc/labs" --lab $lab --out "$work/inc/out" --json "$work/inc/results.json" \
	> "$work/inc/grade.log" 2>&1 || true
got=$(score "$work/inc/results.json")
if [ "$got" -eq 0 ] && grep -q "absolute include" "$work/inc/grade.log"; then
	say "2 include: #include of the reference does not build: 0/$full, and is flagged"
else bad "2 include: score $got/$full"; cat "$work/inc/grade.log" >&2; fi

# ---- attack 3: forging a pass by name -------------------------------------------------------
ref_tree forge
forge_c='
extern void asl_test_fini(void) __attribute__((weak));
if (asl_test_fini) asl_test_fini();
const char *log = getenv("ASL_FINI_LOG");
if (log) { FILE *f = fopen(log, "a"); if (f) { fputs("load_store::reads_what_c_wrote\n", f); fclose(f); } }
static const char row[] = "suite\ttest\tstatus\tcrashed\ttimed_out\tsignal\texit_code\tseconds\texpected_signal\treturned\tfini\twhere\tmessage\nload_store\treads_what_c_wrote\tpassed\t0\t0\t0\t0\t0.1\t0\t1\t1\t\t\n";
if (getenv("SPRAY")) for (int fd = 3; fd < 64; fd++) if (write(fd, row, sizeof row - 1) < 0) { }
for (int fd = 3; fd < 64; fd++) {
	char path[64], what[64] = "";
	snprintf(path, sizeof path, "/proc/%d/fd/%d", (int)getppid(), fd);
	if (readlink(path, what, sizeof what - 1) > 0 && !strncmp(what, "pipe:", 5)) {
		int w = open(path, O_WRONLY | O_NONBLOCK);
		if (w >= 0) { if (write(w, row, sizeof row - 1) < 0) { } close(w); }
	}
}
_exit(0);'
inject "$work/forge/labs/$lab/load_store.c" "$forge_c"
sed -i 's|#include <stdlib.h>|#include <stdlib.h>\n#include <stdio.h>\n#include <string.h>\n#include <fcntl.h>|' \
	"$work/forge/labs/$lab/load_store.c"
$grade --tree "$work/forge/labs" --lab $lab --out "$work/forge/out" \
	--json "$work/forge/results.json" > "$work/forge/grade.log" 2>&1 || true
r=$work/forge/results.json; got=$(score "$r"); st=$(status_of "$r" $victim)
if [ "$got" -eq $((full - 2)) ] && [ "$st" = EXIT ] && grep -q "the grader's hooks" "$work/forge/grade.log"; then
	say "3 forge: asl_test_fini() + \$ASL_FINI_LOG + a forged report to the runner's pipes + _exit(0) -> $st, $got/$full, flagged"
else bad "3 forge: score $got/$full, $victim -> '$st'"; cat "$work/forge/grade.log" >&2; fi
# the same, also writing the forged report into every descriptor the worker has (Criterion's
# own channel to the runner among them): the runner may lose the test, it never passes it
sed -i 's|if (getenv("SPRAY"))|if (1)|' "$work/forge/labs/$lab/load_store.c"
$grade --tree "$work/forge/labs" --lab $lab --out "$work/forge/out2" \
	--json "$work/forge/results2.json" > "$work/forge/grade2.log" 2>&1 || true
r=$work/forge/results2.json; got=$(score "$r"); st=$(status_of "$r" $victim)
if [ "$got" -eq $((full - 2)) ] && [ "$st" != PASS ]; then
	say "3 forge: ... and into every descriptor of the worker -> $st, $got/$full"
else bad "3 forge (spray): score $got/$full, $victim -> '$st'"; cat "$work/forge/grade2.log" >&2; fi

# ---- attack 4: tampering with the grader, the points and the results ----------------------
ref_tree tamper
before=$(checksum_grader)
append_c "$work/tamper/labs/$lab/load_store.c" <<EOF
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
__attribute__((constructor)) static void tamper(void)
{
	FILE *f = fopen("$top/common/tools/grade_report.py", "a");
	if (f) { fputs("\n# tampered by student code\n", f); fclose(f); }
	f = fopen("$top/tests/$lab/points", "a");
	if (f) { fputs("\n# tampered by student code\n", f); fclose(f); }
	DIR *d = opendir("/proc");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char path[300], cmd[4096];
		snprintf(path, sizeof path, "/proc/%s/cmdline", e->d_name);
		int fd = open(path, O_RDONLY);
		if (fd < 0) continue;
		ssize_t n = read(fd, cmd, sizeof cmd - 1);
		close(fd);
		for (ssize_t i = 0; i + 7 < n; i += strlen(cmd + i) + 1) {
			if (strcmp(cmd + i, "--json") == 0 && fork() == 0) {
				setsid();
				sleep(2);
				FILE *j = fopen(cmd + i + 7, "w");
				if (j) { fputs("{\"score\": 999, \"max_score\": 999, \"tests\": []}", j); fclose(j); }
				_exit(0);
			}
		}
	}
	if (d) closedir(d);
}
EOF
$grade --tree "$work/tamper/labs" --lab $lab --out "$work/tamper/out" \
	--json "$work/tamper/results.json" > "$work/tamper/grade.log" 2>&1 || true
sleep 3   # the rewriter would have struck by now
after=$(checksum_grader); got=$(score "$work/tamper/results.json")
if [ "$before" = "$after" ] && [ "$got" -eq "$full" ]; then
	say "4 tamper: grader, tests and points unchanged; results.json still says $got/$full"
else
	bad "4 tamper: checkout changed: $([ "$before" = "$after" ] && echo no || echo YES), score $got"
	(cd "$top" && git status --short common tests) >&2
fi

# ---- attack 5: escaping the cgroup and the session -----------------------------------------
ref_tree escape
append_c "$work/escape/labs/$lab/load_store.c" <<'EOF'
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>
static void put(const char *path, const char *what)
{
	int fd = open(path, O_WRONLY);
	if (fd >= 0) { if (write(fd, what, strlen(what)) < 0) { } close(fd); }
}
__attribute__((constructor)) static void escape(void)
{
	char me[64] = "";
	int fd = open("/proc/self/cmdline", O_RDONLY);
	if (fd >= 0) { if (read(fd, me, sizeof me - 1) < 0) { } close(fd); }
	if (strcmp(me, "boxfort-worker") != 0 || fork() != 0)
		return;
	char pid[32];
	snprintf(pid, sizeof pid, "%d\n", (int)getpid());
	put("/sys/fs/cgroup/pids/cgroup.procs", pid);      /* cgroup v1 root */
	put("/sys/fs/cgroup/cgroup.procs", pid);           /* cgroup v2 root */
	put("/sys/fs/cgroup/pids/pids.max", "max");
	setsid();
	if (fork() != 0)
		_exit(0);
	prctl(PR_SET_NAME, "asl-survivor");
	for (int i = 0; i < 600; i++)
		sleep(1);
	_exit(0);
}
EOF
escape_run() {   # escape_run LABEL [prefix command...]
	local label=$1; shift
	rm -rf "$work/escape/out-$label"; mkdir -p "$work/escape/out-$label"; chmod 777 "$work/escape/out-$label"
	"$@" $grade --tree "$work/escape/labs" --lab $lab --out "$work/escape/out-$label" \
		--json "$work/escape/out-$label/results.json" > "$work/escape/$label.log" 2>&1 || true
	got=$(score "$work/escape/out-$label/results.json" 2>/dev/null || echo none)
	left=$(survivors)
	if [ -z "$left" ] && [ "$got" = "$full" ]; then
		say "5 escape ($label): nothing survived ($(grep -o 'sandbox: [a-z]*' "$work/escape/$label.log" | head -1 || true)); $got/$full"
	else bad "5 escape ($label): score $got, survivors: $left"; cat "$work/escape/$label.log" >&2; fi
}
chmod -R a+rX "$work/escape"
export ASL_SHOW_SANDBOX=1
escape_run default env
if [ "$(id -u)" -eq 0 ]; then
	escape_run no-namespaces env ASL_SANDBOX=user
	id nobody > /dev/null 2>&1 && escape_run ordinary-user setpriv --reuid=nobody --regid=nogroup \
		--clear-groups env HOME=/tmp PYTHONDONTWRITEBYTECODE=1
fi
unset ASL_SHOW_SANDBOX

# ---- attack 6: a constructor that breaks --list; a gradebook must still finish -----------
ref_tree class/lister && ref_tree class/good
append_c "$work/class/lister/labs/$lab/load_store.c" <<'EOF'
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
__attribute__((constructor)) static void lister(void)
{
	char cmd[256] = "";
	int fd = open("/proc/self/cmdline", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, cmd, sizeof cmd - 1) : 0;
	if (fd >= 0) close(fd);
	for (ssize_t i = 0; i < n; i += strlen(cmd + i) + 1)
		if (strcmp(cmd + i, "--list") == 0) {
			printf("load_store: 1 test\n├── forged_extra_test\n");
			fflush(stdout);
			sleep(75);
		}
}
EOF
mv "$work/class/lister/labs/$lab" "$work/class/lister/" && rmdir "$work/class/lister/labs"
mv "$work/class/good/labs/$lab" "$work/class/good/" && rmdir "$work/class/good/labs"
s=$(date +%s)
ASL_GRADE_LIST_TIMEOUT=5 $grade --students "$work/class" --lab $lab --out "$work/class-out" \
	> "$work/class.log" 2>&1 || true
secs=$(( $(date +%s) - s ))
rows=$(tail -n +2 "$work/class-out/gradebook.csv" 2>/dev/null | wc -l)
lj=$work/class-out/students/lister/results.json
if [ "$rows" -eq 2 ] && [ -f "$lj" ] && [ -f "$work/class-out/summary.txt" ] &&
   [ -f "$work/class-out/students/lister/report.txt" ] && [ "$secs" -lt 75 ]; then
	say "6 list: --list stalled by a constructor: gradebook done in ${secs}s, 2 rows, lister $(score "$lj")/$full, summary written"
else bad "6 list: rows $rows, ${secs}s"; cat "$work/class.log" >&2; fi

# ---- attack 7: a lab's grade time is bounded by its budget ---------------------------------
ref_tree slow
append_c "$work/slow/labs/$lab/load_store.c" <<'EOF'
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
__attribute__((constructor)) static void slow(void)
{
	char me[64] = "";
	int fd = open("/proc/self/cmdline", O_RDONLY);
	if (fd >= 0) { if (read(fd, me, sizeof me - 1) < 0) { } close(fd); }
	if (strcmp(me, "boxfort-worker") == 0)
		sleep(3);    /* under every suite's timeout: each test just takes long */
}
EOF
budget=15
s=$(date +%s)
$grade --tree "$work/slow/labs" --lab $lab --out "$work/slow/out" --jobs 2 --budget-lab $budget \
	--json "$work/slow/results.json" > "$work/slow/grade.log" 2>&1 || true
secs=$(( $(date +%s) - s ))
cut=$(grep -c "time budget" "$work/slow/grade.log" || true)
if [ "$secs" -le $((budget + 15)) ] && [ "$cut" -gt 0 ] && [ -f "$work/slow/results.json" ]; then
	say "7 budget: a lab of slow tests (~40 s) stopped at its ${budget}s budget: ${secs}s, $cut tests TIMEOUT with the reason"
else bad "7 budget: ${secs}s for a ${budget}s budget, $cut tests cut"; cat "$work/slow/grade.log" >&2; fi

# ---- attack 8: valid JUnit whatever the output; no collisions ------------------------------
ref_tree a/alice
python3 - "$work/a/alice/labs/$lab/fault_probe.c" <<'PY'
import sys
path = sys.argv[1]
s = open(path).read()
s = s.replace('#include "asl/todo.h"', '#include "asl/todo.h"\n#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>', 1)
start = s.index("int fault_probe(const void *addr")
body = s.index("{", start) + 1
s = s[:body] + '\n\textern char *program_invocation_short_name;\n\tif (!strcmp(program_invocation_short_name, "demo_maps")) {\n\t\tprintf("\\x01\\x02\\x1b[31m\\x7f ]]> & <!-- \\x0b\\n");\n\t\texit(3);\n\t}' + s[body:]
open(path, "w").write(s)
PY
mkdir -p "$work/b" && cp -r "$work/a/alice" "$work/b/alice"
$grade --tree "$work/a/alice" --lab $lab --out "$work/same-out" --junit "$work/a/junit.xml" \
	--json "$work/a/results.json" > "$work/a/grade.log" 2>&1 || true
$grade --tree "$work/b/alice" --lab $lab --test 'load_store::round_trip_on_heap' \
	--out "$work/same-out" > "$work/b/grade.log" 2>&1 || true
dirs=$(find "$work/same-out" -maxdepth 1 -name "alice-*" | wc -l)
kept=$(sed -n 's/.*the build is kept in \([^;]*\);.*/\1/p' "$work/b/grade.log")
[ -n "$kept" ] && rm -rf "$kept"   # --test keeps the build for a rerun
if python3 -c "import xml.etree.ElementTree as E, sys; E.parse(sys.argv[1])" "$work/a/junit.xml" &&
   [ "$(score "$work/a/results.json")" -eq $((full - 1)) ] && [ "$dirs" -eq 2 ]; then
	say "8 junit: control bytes in a failure message, JUnit still parses; two 'alice' trees -> $dirs output directories"
else bad "8 junit: junit/score/dirs ($dirs)"; cat "$work/a/grade.log" >&2; fi

# ---- nothing of any of it survives ----------------------------------------------------------
left=$(survivors)
if [ -n "$left" ]; then bad "processes survived the grades:"; echo "$left" >&2; fi
leftover=$(find /tmp -maxdepth 1 -name "asl-grade-*" | wc -l)
say "self-test took $(( $(date +%s) - t0 ))s; box directories left in /tmp: $leftover"
if [ $fail -eq 0 ]; then
	say "hostile code costs only the test it breaks, and no attack gains a point"
	rm -rf "$work"
fi
exit $fail
