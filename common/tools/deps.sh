#!/usr/bin/env bash
# deps.sh GROUP... - make sure the Debian packages a target needs are installed.
#
# THE ONE LIST of what the project needs.  Every documented entry point calls this with its
# groups before it builds anything (README "What each command installs" shows the same table):
#
#   group     Debian packages                              needed by
#   test      make gcc libc6-dev python3 libcriterion-dev  every build and test target
#   uring     liburing-dev                                 lab 06 (LAB_DEPS in its Makefile)
#   plots     gnuplot-nox                                  make plots, plots-quick, render.sh
#   libuv     libuv1-dev pkg-config                        lab 07 comparison server (BENCH_DEPS)
#   wrk       wrk                                          lab 07 HTTP figure (BENCH_DEPS)
#   cxx       g++                                          C++20 coroutine comparison (labs 09, 11)
#   go        golang-go                                    goroutine comparison (lab 11)
#   valgrind  valgrind                                     make valgrind
#   cross     gcc-aarch64-linux-gnu libc6-dev-arm64-cross  make cross, cross-run
#   qemu      qemu-user                                    make cross-run
#   grade     bubblewrap util-linux                        the grader's sandbox (sandbox.py)
#   watch     inotify-tools                                make watch (else it polls once a second)
#   format    clang-format                                 make format, make format-check (make check)
#
# A lab names its own groups in its Makefile (LAB_DEPS to build and test, BENCH_DEPS for its
# harnesses), so the top-level targets install what every lab needs.  As root, what is missing
# is installed with apt-get; otherwise the exact command is printed and this fails.  Nothing is
# skipped silently.  DEPS_LIST=1 prints the packages of the groups and exits (CI uses it to
# purge them before it tests that the README's commands install them again).
set -u
pkgs=()
need() { # need PACKAGE CHECK-COMMAND...
	local pkg=$1; shift
	if [ -n "${DEPS_LIST:-}" ] || ! "$@" >/dev/null 2>&1; then pkgs+=("$pkg"); fi
}
have_header() { printf '#include <%s>\n' "$1" | ${CC:-cc} -E -x c - >/dev/null 2>&1; }
have_cross_header() { printf '#include <%s>\n' "$1" | aarch64-linux-gnu-gcc -E -x c - >/dev/null 2>&1; }
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
for what in "$@"; do
	case $what in
	test)
		need make command -v make
		need gcc command -v cc
		need libc6-dev have_header stdio.h
		need python3 command -v python3
		need libcriterion-dev have_header criterion/criterion.h ;;
	uring) need liburing-dev have_header liburing.h ;;
	plots) need gnuplot-nox command -v gnuplot ;;
	libuv)
		need libuv1-dev have_header uv.h
		need pkg-config command -v pkg-config ;;
	wrk) need wrk command -v wrk ;;
	cxx) need g++ command -v g++ ;;
	go) need golang-go command -v go ;;
	valgrind) need valgrind command -v valgrind ;;
	cross)
		need gcc-aarch64-linux-gnu command -v aarch64-linux-gnu-gcc
		need libc6-dev-arm64-cross have_cross_header stdio.h ;;
	qemu) need qemu-user command -v qemu-aarch64 ;;
	grade) # the grader's sandbox (common/tools/sandbox.py); without it, a weaker fallback
		need bubblewrap command -v bwrap
		need util-linux command -v prlimit ;;
	watch) need inotify-tools command -v inotifywait ;;
	format) need clang-format command -v clang-format ;;
	python) need python3 command -v python3 ;;
	*) echo "deps.sh: unknown dependency group '$what' (see the list at the top of $0)" >&2; exit 2 ;;
	esac
done
# de-duplicate, keep order
[ ${#pkgs[@]} -gt 0 ] && mapfile -t pkgs < <(printf '%s\n' "${pkgs[@]}" | awk '!seen[$0]++')
if [ -n "${DEPS_LIST:-}" ]; then
	[ ${#pkgs[@]} -gt 0 ] && printf '%s\n' "${pkgs[@]}"
	exit 0
fi
[ ${#pkgs[@]} -eq 0 ] && exit 0
cmd="apt-get update && apt-get install -y --no-install-recommends ${pkgs[*]}"
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
	echo "deps: installing ${pkgs[*]} (apt-get, as root)"
	export DEBIAN_FRONTEND=noninteractive
	# one installer at a time: parallel make targets may all find the same package missing
	exec 9>/tmp/asynclabs-deps.lock
	flock 9
	# another target may have installed them while this one waited
	still=()
	for p in "${pkgs[@]}"; do have_pkg "$p" || still+=("$p"); done
	[ ${#still[@]} -eq 0 ] && exit 0
	{ apt-get update -qq && apt-get install -y -qq --no-install-recommends "${still[@]}"; } \
		> /tmp/asynclabs-deps.log 2>&1 || {
		cat /tmp/asynclabs-deps.log >&2
		echo "deps: apt-get failed; run: $cmd" >&2; exit 1; }
	exit 0
fi
echo "deps: missing packages: ${pkgs[*]}" >&2
echo "deps: install them with:  sudo sh -c '$cmd'" >&2
exit 1
