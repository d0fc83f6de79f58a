# 03-threads-timeline-sleepers.gp - the notes' three sleeping threads, as the tracer saw them.
# One row per thread; boxes: sleeping (t1 2 s, t2 1 s, t3 0.5 s) or blocked waiting in a join.
# data: 03-threads-timeline-sleepers.trace
# --compare: the student's run under the reference's, on the same time axis.
f = data_dir.'/03-threads-timeline-sleepers.trace'
f2 = mine('03-threads-timeline-sleepers.trace')
stats f using 6 nooutput
tmax = STATS_max / 1000.0
if (compare) {
	stats f2 using 6 nooutput
	tmax = STATS_max / 1000.0 > tmax ? STATS_max / 1000.0 : tmax
}
fig_title = 'Three sleeping threads (t2 starts t3 after 1 s): 3.5 s of sleep done in 2 s'
set xlabel 'time since the start (ms)'
set ylabel 'thread'
set grid noytics
set key outside right top box opaque
set style fill solid 0.85 border rgb '#ffffff'
set linetype 1 lc rgb '#aaaaaa'
set linetype 2 lc rgb '#1f77b4'
set linetype 3 lc rgb '#ff7f0e'
set linetype 4 lc rgb '#2ca02c'
set lmargin 9
set rmargin 24
if (compare) {
	set multiplot layout 2,1 title fig_title font ',12'
	set bmargin 3.5
} else {
	set title fig_title
}
do for [i = 1:(compare ? 2 : 1)] {
	pf = i == 1 ? f : f2
	if (compare) { set title (i == 1 ? 'reference (solutions/)' : 'your code (labs/)') font ',10' }
	if (i == 2) { set bmargin bm; set key off }
	set xrange [*:*]
	set yrange [*:*]
	stats pf using 1 nooutput
	rows = STATS_max + 1
	set yrange [rows - 0.4:-0.6]
	set xrange [0:tmax * 1.05]
	plot pf using (($5 + $6) / 2000):1:(($6 - $5) / 2000):(0.3):($3 + 1):ytic(7) with boxxyerror lc variable notitle, \
	     NaN with boxes lc 2 title 't1 sleeps 2000 ms', \
	     NaN with boxes lc 3 title 't2 sleeps 1000 ms', \
	     NaN with boxes lc 4 title 't3 sleeps 500 ms', \
	     NaN with boxes lc 1 title 'blocked in join'
}
if (compare) { unset multiplot }
