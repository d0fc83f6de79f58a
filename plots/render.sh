#!/usr/bin/env bash
# render.sh - draw the figures plots/*.gp as PNG and SVG.
#
#   plots/render.sh [FIGURE...]            the reference's numbers: plots/data/ -> plots/out/
#   plots/render.sh --mine [FIGURE...]     your numbers: plots/mine/data/ -> plots/mine/out/
#   plots/render.sh --compare [FIGURE...]  both in one figure, same axes, your series drawn
#                                          over the reference's -> plots/mine/out/NAME-compare.*
#
# FIGURE is a script name (03-threads-signature, or plots/03-threads-signature.gp) or a lab
# (03, 03-threads: all of its figures).  Where the data come from: `make plots` runs the
# harnesses of solutions/ and writes plots/data/; `make -C labs/NN-name bench` runs them on
# your code and writes plots/mine/data/ (common/mk/lab.mk picks the directory by the tree the
# harness was built from), so neither ever overwrites the other.
#
# Each figure script names the data files it reads on lines "# data: FILE"; the machine stamp
# printed on the figure comes from the first of them.  With no FIGURE, every figure whose data
# exist is drawn and the others are listed with the command that measures their data (exit 0
# if at least one was drawn); a FIGURE named explicitly whose data are missing is an error.
# --compare draws only figures whose script draws your series (mine('FILE'), plots/common.gp):
# any other is an error, never a "-compare" figure with the reference alone.
# DATA_DIR, MINE_DIR and OUT_DIR override the directories (`make plots QUICK=1` uses them).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
usage="usage: plots/render.sh [--mine | --compare] [FIGURE...]   (FIGURE: 03-threads-signature, or a lab: 03)"
mode=ref
figs=()
for a in "$@"; do
	case $a in
	--mine) mode=mine ;;
	--compare) mode=compare ;;
	-h|--help) echo "$usage"; sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "render: unknown option '$a'" >&2; echo "$usage" >&2; exit 2 ;;
	*) figs+=("$a") ;;
	esac
done
ref_dir=${DATA_DIR:-$here/data}
mine_dir=${MINE_DIR:-$here/mine/data}
case $mode in
ref) data_dir=$ref_dir; out_dir=${OUT_DIR:-$here/out} ;;
mine) data_dir=$mine_dir; out_dir=${OUT_DIR:-$here/mine/out} ;;
compare) data_dir=$ref_dir; out_dir=${OUT_DIR:-$here/mine/out} ;;
esac
command -v gnuplot >/dev/null || { echo "render: gnuplot is missing (apt-get install gnuplot-nox)" >&2; exit 1; }

# The figure scripts to draw: all of them, or the named ones (a lab number names its figures).
explicit=0
scripts=()
if [ ${#figs[@]} -eq 0 ]; then
	scripts=("$here"/[0-9]*.gp)
else
	explicit=1
	for fig in "${figs[@]}"; do
		if [ -f "$fig" ]; then scripts+=("$fig"); continue; fi
		if [ -f "$here/$fig.gp" ]; then scripts+=("$here/$fig.gp"); continue; fi
		match=("$here/$fig"-*.gp)
		if [[ $fig =~ ^[0-9][0-9] ]] && [ -f "${match[0]}" ]; then scripts+=("${match[@]}"); continue; fi
		echo "render: no figure '$fig' (the figures: $(cd "$here" && printf '%s ' [0-9]*.gp | sed 's/\.gp / /g'))" >&2
		exit 2
	done
fi

# The command that measures a figure's data, for the tree whose data are missing.
lab_of() { local d=("$top"/solutions/"${1%%-*}"-*); basename "${d[0]}"; }
how_to_measure() { # $1 figure name, $2 ref|mine
	local lab; lab=$(lab_of "$1")
	if [ "$2" = mine ]; then echo "make -C labs/$lab bench"; else echo "make plots LAB=${lab%%-*}"; fi
}
# "# tree:" names the tree the harness was built from; traces lack it, and then the directory
# says it (lab.mk writes each tree's data to its own directory).
tree_of() { # $1 data file, $2 ref|mine
	local t; t=$(sed -n 's/^# tree: *//p' "$1" | head -1 | tr -d "'")
	[ -n "$t" ] && { echo "$t"; return; }
	[ "$2" = mine ] && echo "labs (your code)" || echo "solutions (the reference)"
}
stamp_of() { # $1 dir, $2 ref|mine, $3 1: the figure names the tree already, rest: data files
	local dir=$1 kind=$2 named=$3; shift 3
	local s t; s=$(sed -n 's/^# stamp: *//p' "$dir/$1" | head -1 | tr -d "'")
	t=$(tree_of "$dir/$1" "$kind")
	if [ "$named" = 0 ]; then echo "$s; code: $t"; return; fi
	# a comparison labels each stamp with its tree: say so only where the data disagree
	case "$kind:$t" in
	ref:solutions*|mine:labs*) echo "$s" ;;
	*) echo "$s; NOTE: these data say they measured $t" ;;
	esac
}
busy_of() { # $1 dir, rest: data files -> the first BUSY verdict, if any
	local dir=$1 d; shift
	for d in "$@"; do sed -n 's/^# load: BUSY: *//p' "$dir/$d"; done | head -1 | tr -d "'"
}
quick_of() { # $1 dir, rest: data files -> "all" when every one of them is quick-mode data
	local dir=$1 d; shift
	for d in "$@"; do grep -qx '# mode: quick' "$dir/$d" || { echo some; return; }; done
	echo all
}
# Does a figure draw the student's series?  It does when its script, or a part it loads
# (load plots_dir.'/NAME.gpi', as the timelines load gantt.gpi), reads mine('FILE') outside a
# comment (see common.gp).  Without that, a "-compare" figure would show the reference alone.
has_overlay() { # $1 figure script
	local parts=("$1") p
	for p in $(sed -n "s/^[[:space:]]*load plots_dir *\. *'\/\([^']*\)'.*/\1/p" "$1"); do
		[ -f "$here/$p" ] && parts+=("$here/$p")
	done
	cat "${parts[@]}" | grep -v '^[[:space:]]*#' | grep -q 'mine('
}
cpus_of() { # usable CPUs, from a stamp "..., 2/4 CPUs usable, ..."
	echo "$1" | sed -n 's/.*[ ,]\([0-9][0-9]*\)\/[0-9][0-9]* CPUs usable.*/\1/p' | head -1
}

mkdir -p "$out_dir"
status=0
drawn=0
skipped=()
for fig in "${scripts[@]}"; do
	name=$(basename "$fig" .gp)
	mapfile -t needs < <(sed -n 's/^# data: *//p' "$fig")
	if [ ${#needs[@]} -eq 0 ]; then echo "render: $fig has no '# data:' line" >&2; status=1; continue; fi
	if [ $mode = compare ] && ! has_overlay "$fig"; then
		echo "render: $name: cannot compare: the script never draws your series (no" \
			"mine('FILE'), see plots/common.gp), so the figure would show the reference" \
			"alone: not drawn" >&2
		rm -f "$out_dir/$name-compare.png" "$out_dir/$name-compare.svg"
		status=1; continue
	fi
	dirs=("$data_dir:$mode")
	[ $mode = compare ] && dirs=("$ref_dir:ref" "$mine_dir:mine")
	why=()
	for dk in "${dirs[@]}"; do
		dir=${dk%:*} kind=${dk##*:}
		[ "$kind" = compare ] && kind=ref
		missing=()
		for d in "${needs[@]}"; do [ -s "$dir/$d" ] || missing+=("$d"); done
		if [ ${#missing[@]} -gt 0 ]; then
			who=$([ "$kind" = mine ] && echo "your code's" || echo "the reference's")
			why+=("$who data are missing (${missing[*]} in ${dir#"$top"/}/): run  $(how_to_measure "$name" "$kind")")
		fi
	done
	if [ ${#why[@]} -gt 0 ]; then
		if [ $explicit = 1 ]; then
			for w in "${why[@]}"; do echo "render: $name: $w" >&2; done
			status=1
		else
			skipped+=("$name: ${why[*]}")
		fi
		continue
	fi
	stamp_kind=$mode; [ $mode = compare ] && stamp_kind=ref
	named=0; [ $mode = compare ] && named=1
	stamp=$(stamp_of "$data_dir" "$stamp_kind" $named "${needs[@]}")
	cpus=$(cpus_of "$stamp")
	warn=$(busy_of "$data_dir" "${needs[@]}")
	[ -n "$warn" ] && warn="WARNING: measured on a busy machine ($warn): do not trust this figure"
	vars="stamp='$stamp'; warn='$warn'; stamp_cpus=${cpus:-0}"
	out_name=$name
	if [ $mode = compare ]; then
		out_name=$name-compare
		mstamp=$(stamp_of "$mine_dir" mine 1 "${needs[@]}")
		mwarn=$(busy_of "$mine_dir" "${needs[@]}")
		[ -n "$warn" ] && stamp="$stamp; BUSY: $(busy_of "$data_dir" "${needs[@]}")"
		[ -n "$mwarn" ] && mstamp="$mstamp; BUSY: $mwarn"
		who=""
		[ -n "$warn" ] && who="the reference"
		[ -n "$mwarn" ] && who="${who:+$who and }your code"
		warn=""
		[ -n "$who" ] && warn="WARNING: $who measured on a busy machine (see below): do not trust the comparison"
		vars="stamp='$stamp'; mine_stamp='$mstamp'; warn='$warn'; stamp_cpus=${cpus:-0}; mine_dir='$mine_dir'"
	fi
	for kind in png svg; do
		log=$out_dir/$out_name.$kind.log
		if ! gnuplot -e "plots_dir='$here'; data_dir='$data_dir'; out_file='$out_dir/$out_name.$kind'; term_kind='$kind'; $vars" \
			-e "load '$here/common.gp'" "$fig" 2> "$log"; then
			echo "render: gnuplot failed on $name ($kind):" >&2; cat "$log" >&2
			status=1; continue
		fi
		# gnuplot reports data problems as warnings; a figure with warnings is not trusted.
		# Quick-mode data (`make plots QUICK=1`) are a few samples at small sizes, meant to
		# exercise the harness and the script, not to measure: a series that is noise there (a
		# system-wide memory delta that came out negative at 100 connections) leaves gnuplot
		# with no valid point to draw.  That one warning is expected of quick data only.
		if [ "$(quick_of "$data_dir" "${needs[@]}")" = all ]; then
			sed -i '/warning: Skipping data file with no valid points/d' "$log"
		fi
		if grep -qiE 'warning|error' "$log"; then
			echo "render: gnuplot complained about $name ($kind):" >&2; cat "$log" >&2
			status=1
		fi
		rm -f "$log"
	done
	if [ -s "$out_dir/$out_name.png" ]; then
		echo "render: ${out_dir#"$PWD"/}/$out_name.png and .svg"
		drawn=$((drawn + 1))
	fi
done
if [ ${#skipped[@]} -gt 0 ]; then
	echo "render: not drawn, for want of data:"
	for s in "${skipped[@]}"; do echo "  $s"; done
fi
if [ $explicit = 0 ] && [ $drawn = 0 ]; then
	echo "render: no figure drawn: no data yet (see above)" >&2
	exit 1
fi
exit $status
