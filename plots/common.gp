# common.gp - the shared look of every figure.  render.sh sets, before loading a figure script:
#   plots_dir this directory (for shared .gpi parts)
#   data_dir  directory of the .tsv files       out_file  the file to write
#   term_kind 'png' or 'svg'                    stamp     the machine stamp of the data
# Data columns (common/src/bench.c): 1 series, 2 x, 3 n, 4 iters, 5 min, 6 q1, 7 median,
# 8 q3, 9 p90, 10 max, 11 mad.  Error bars show the interquartile range (q1..q3).
if (term_kind eq 'svg') {
	set terminal svg size 1100,650 dynamic enhanced font 'Sans,13' background rgb 'white'
} else {
	set terminal pngcairo size 1100,650 enhanced font 'Sans,11' background rgb 'white'
}
set output out_file
set grid lc rgb '#dddddd'
set border lc rgb '#444444'
set key top left box opaque
set bmargin 6
set label 999 'measured on: '.stamp at screen 0.01, screen 0.02 left font ',8' tc rgb '#555555' noenhanced
# a figure measured on a busy machine carries a warning in red across the top (render.sh sets
# warn from the '# load:' lines that common/src/bench.c writes into every data file)
if (exists('warn') && warn ne '') {
	set label 998 warn at screen 0.01, screen 0.05 left font ',9' tc rgb '#cc0000' front noenhanced
}
set datafile separator '\t'
set datafile commentschars '#'
# select rows of one series: use as  (sel(1, 'name') ? $7 : NaN)
sel(col, name) = strcol(col) eq name
