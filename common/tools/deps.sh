#!/usr/bin/env bash
# deps.sh WHAT... - make sure the Debian packages a target needs are installed.
#   WHAT: test (C compiler, make, Criterion), grade (bubblewrap), plots (gnuplot), uring (liburing), cross (aarch64
#   gcc), qemu (qemu-user, to run aarch64 builds), valgrind, python (python3).  As root, missing packages are installed with apt-get;
#   otherwise the exact command to run is printed and the script fails.  Nothing is skipped
#   silently.
set -u
pkgs=()
need() { # need PACKAGE CHECK-COMMAND...
	local pkg=$1; shift
	"$@" >/dev/null 2>&1 || pkgs+=("$pkg")
}
have_header() { printf '#include <%s>\n' "$1" | ${CC:-cc} -E -x c - >/dev/null 2>&1; }
for what in "$@"; do
	case $what in
	test)
		need make command -v make
		need gcc command -v cc
		need python3 command -v python3
		need libcriterion-dev have_header criterion/criterion.h ;;
	grade) # the grader's sandbox (common/tools/sandbox.py); without it, a weaker fallback
		need bubblewrap command -v bwrap
		need util-linux command -v prlimit ;;
	plots) need gnuplot-nox command -v gnuplot ;;
	uring) need liburing-dev have_header liburing.h ;;
	cross) need gcc-aarch64-linux-gnu command -v aarch64-linux-gnu-gcc ;;
	qemu) need qemu-user command -v qemu-aarch64 ;;
	valgrind) need valgrind command -v valgrind ;;
	python) need python3 command -v python3 ;;
	*) echo "deps.sh: unknown dependency group '$what'" >&2; exit 2 ;;
	esac
done
[ ${#pkgs[@]} -eq 0 ] && exit 0
# de-duplicate, keep order
mapfile -t pkgs < <(printf '%s\n' "${pkgs[@]}" | awk '!seen[$0]++')
cmd="apt-get update && apt-get install -y ${pkgs[*]}"
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
	echo "deps: installing ${pkgs[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq && apt-get install -y -qq "${pkgs[@]}" >/dev/null || {
		echo "deps: apt-get failed; run: $cmd" >&2; exit 1; }
	exit 0
fi
echo "deps: missing packages: ${pkgs[*]}" >&2
echo "deps: install them with:  sudo sh -c '$cmd'" >&2
exit 1
