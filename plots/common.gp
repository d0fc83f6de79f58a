# common.gp - the shared look of every figure.  render.sh sets, before loading a figure script:
#   plots_dir this directory (for shared .gpi parts)
#   data_dir  directory of the .tsv files       out_file  the file to write
#   term_kind 'png' or 'svg'                    stamp     the machine stamp of the data
#   warn      '' or a red warning (busy machine) stamp_cpus the usable CPUs named in the stamp
# and, for `render.sh --compare`, mine_dir (the student's data) and mine_stamp.  A figure script
# then draws the reference's series as usual and the student's over them: each plot adds
#   for [k=1:nm] mine('FILE') using ... with ... dt mine_dt pt (open point) notitle
# (nm is 0 without a comparison, so the extra series vanish) and ends with  @tree_keys  for the
# two legend entries that say which style is which tree.
# Data columns (common/src/bench.c): 1 series, 2 x, 3 n, 4 iters, 5 min, 6 q1, 7 median,
# 8 q3, 9 p90, 10 max, 11 mad.  Error bars show the interquartile range (q1..q3).
compare = exists('mine_dir') && mine_dir ne ''
nm = compare ? 1 : 0
fig_h = compare ? 700 : 650
if (term_kind eq 'svg') {
	set terminal svg size 1100,fig_h dynamic enhanced font 'Sans,13' background rgb 'white'
} else {
	set terminal pngcairo size 1100,fig_h enhanced font 'Sans,11' background rgb 'white'
}
set output out_file
set grid lc rgb '#dddddd'
set border lc rgb '#444444'
set key top left box opaque
# room under the plot for the stamp(s) and the warning; a figure that needs more adds to it
bm = compare ? 8 : 6
set bmargin bm
if (compare) {
	set label 999 'reference (solutions/) measured on: '.stamp at screen 0.01, screen 0.015 \
		left font ',7' tc rgb '#555555' noenhanced
	set label 997 'your code (labs/) measured on: '.mine_stamp at screen 0.01, screen 0.04 \
		left font ',7' tc rgb '#555555' noenhanced
} else {
	set label 999 'measured on: '.stamp at screen 0.01, screen 0.02 left font ',8' tc rgb '#555555' noenhanced
}
# a figure measured on a busy machine carries a warning in red above the stamp (render.sh sets
# warn from the '# load:' lines that common/src/bench.c writes into every data file)
if (exists('warn') && warn ne '') {
	set label 998 warn at screen 0.01, screen (compare ? 0.065 : 0.05) left font ',9' tc rgb '#cc0000' front noenhanced
}
set datafile separator '\t'
set datafile commentschars '#'
# select rows of one series: use as  (sel(1, 'name') ? $7 : NaN)
sel(col, name) = strcol(col) eq name

# --compare: the student's file of the same name (without a comparison: the reference's own
# file, which exists, so that an empty  for [k=1:0]  opens nothing missing)
mine(name) = (compare ? mine_dir : data_dir).'/'.name
mine_dt = 2        # the student's series: dashed, open points, same colour as the reference's
mine_lw = 2
# the legend entries naming the two styles, appended to a plot command as  @tree_keys
# (without a comparison a title-less NaN: an empty  for [k=1:0]  would still take key space)
tree_keys = !compare ? "NaN notitle" : "NaN with linespoints lw 2 pt 7 lc rgb '#333333' title 'reference (solutions/): solid, filled', NaN with linespoints lw 2 dt 2 pt 6 lc rgb '#333333' title 'your code (labs/): dashed, open'"
# the same for bar charts: the reference's bars, the student's medians as open diamonds beside
tree_keys_bars = !compare ? "NaN notitle" : "NaN with boxes fs solid 0.3 lc rgb '#333333' title 'reference (solutions/): bar', NaN with points pt 12 ps 1.6 lw 1.5 lc rgb '#000000' title 'your code (labs/): open diamond'"
# the same for point charts (no lines): filled marks vs open marks, each with q1..q3 bars
tree_keys_pts = !compare ? "NaN notitle" : "NaN with points pt 7 lc rgb '#333333' title 'reference (solutions/): filled marks', NaN with points pt 6 lc rgb '#333333' title 'your code (labs/): open marks, beside them'"
