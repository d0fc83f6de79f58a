#!/usr/bin/env bash
# render.sh [FIGURE...] - render plots/*.gp into plots/out/ as PNG and SVG.
#
# Each figure script names the data files it reads on lines "# data: FILE.tsv"; the machine
# stamp printed on the figure comes from the first of them.  A figure whose data is missing is
# an error: run its lab's harness first (`make plots` does).
set -u
here=$(cd "$(dirname "$0")" && pwd)
data_dir=${DATA_DIR:-$here/data}
out_dir=${OUT_DIR:-$here/out}
mkdir -p "$out_dir"
command -v gnuplot >/dev/null || { echo "render: gnuplot is missing (apt-get install gnuplot-nox)" >&2; exit 1; }
figs=("$@")
[ ${#figs[@]} -eq 0 ] && figs=("$here"/[0-9]*.gp)
status=0
for fig in "${figs[@]}"; do
	[ -f "$fig" ] || fig=$here/$fig.gp
	[ -f "$fig" ] || { echo "render: no figure script $fig" >&2; exit 2; }
	name=$(basename "$fig" .gp)
	mapfile -t needs < <(sed -n 's/^# data: *//p' "$fig")
	if [ ${#needs[@]} -eq 0 ]; then echo "render: $fig has no '# data:' line" >&2; status=1; continue; fi
	missing=()
	for d in "${needs[@]}"; do [ -s "$data_dir/$d" ] || missing+=("$d"); done
	if [ ${#missing[@]} -gt 0 ]; then
		echo "render: $name: missing data ${missing[*]} (run: make plots LAB=${name%%-*})" >&2
		status=1; continue
	fi
	stamp=$(sed -n 's/^# stamp: *//p' "$data_dir/${needs[0]}" | head -1 | tr -d "'")
	tree=$(sed -n 's/^# tree: *//p' "$data_dir/${needs[0]}" | head -1 | tr -d "'")
	[ -n "$tree" ] && stamp="$stamp; code: $tree"
	# a dataset measured on a busy machine says so on the figure (common/src/bench.c decides)
	warn=$(for d in "${needs[@]}"; do sed -n 's/^# load: BUSY: *//p' "$data_dir/$d"; done | head -1 | tr -d "'")
	[ -n "$warn" ] && warn="WARNING: measured on a busy machine ($warn): do not trust this figure"
	for kind in png svg; do
		if ! gnuplot -e "plots_dir='$here'; data_dir='$data_dir'; out_file='$out_dir/$name.$kind'; term_kind='$kind'; stamp='$stamp'; warn='$warn'" \
			-e "load '$here/common.gp'" "$fig" 2> "$out_dir/$name.$kind.log"; then
			echo "render: gnuplot failed on $name ($kind):" >&2; cat "$out_dir/$name.$kind.log" >&2
			status=1; continue
		fi
		# gnuplot reports data problems as warnings; a figure with warnings is not trusted
		if grep -qiE 'warning|error' "$out_dir/$name.$kind.log"; then
			echo "render: gnuplot complained about $name ($kind):" >&2; cat "$out_dir/$name.$kind.log" >&2
			status=1
		fi
		rm -f "$out_dir/$name.$kind.log"
	done
	[ -s "$out_dir/$name.png" ] && echo "render: $out_dir/$name.png and .svg"
done
exit $status
