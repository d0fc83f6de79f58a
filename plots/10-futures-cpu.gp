# 10-futures-cpu.gp - CPU-bound work in async code: speedup over the single-threaded executor
# for the multi-threaded executor and for spawn_blocking onto lab 05's pool, vs threads; the
# single-threaded executor itself stays at 1 whatever the thread count ("async doesn't help
# CPU-bound work").  From bench_cpu (solutions/10-futures).
# data: 10-futures-cpu.tsv
# --compare: the student's series dashed with open points over the reference's.
f = data_dir.'/10-futures-cpu.tsv'
f2 = mine('10-futures-cpu.tsv')
stats f using (sel(1,'cores') ? $7 : NaN) nooutput
cores = STATS_max
stats f using (sel(1,'mt') ? $2 : NaN) nooutput
xmax = STATS_max
ytop = cores * 1.15 + 0.5
# --compare: the axes cover the student's points too
if (compare) {
	stats f2 using (sel(1,'cores') ? NaN : $2) nooutput
	xmax = STATS_max > xmax ? STATS_max : xmax
	stats f2 using (sel(1,'cores') ? NaN : $8) nooutput
	ytop = STATS_max * 1.1 > ytop ? STATS_max * 1.1 : ytop
}
set title 'CPU-bound tasks: only threads give a speedup'
set xlabel 'worker threads (log scale)'
set ylabel 'speedup over the single-threaded executor (x; median, bars q1..q3)'
set logscale x 2
set xrange [0.8:xmax * 1.25]
set yrange [0:ytop]
set key top left
set label 999 noenhanced
set datafile missing NaN
set samples 400
set arrow 1 from cores, graph 0 to cores, graph 1 nohead lc rgb '#999999' dt 3 lw 1.5
set label 1 sprintf('%d usable CPUs', cores) at cores, graph 0.04 left offset 0.5,0 tc rgb '#666666'
ideal(x) = x < 1 ? NaN : (x < cores ? x : cores)
S(name) = (sel(1, name) ? $2 : NaN)
plot ideal(x) with lines dt 2 lw 2 lc rgb '#888888' title 'ideal: min(threads, cores)', \
     f using (S('mt')):7:6:8 with yerrorlines pt 7 lw 2 lc rgb '#1f77b4' \
	title 'multi-threaded executor', \
     f using (S('blocking')):7:6:8 with yerrorlines pt 5 lw 2 lc rgb '#2ca02c' \
	title 'spawn\_blocking on the lab-05 pool', \
     f using (S('st')):7:6:8 with yerrorlines pt 9 lw 2 lc rgb '#d62728' \
	title 'single-threaded executor (threads unused)', \
     for [k=1:nm] f2 using (S('mt')):7:6:8 with yerrorlines pt 6 ps 1.3 lw 2 dt mine_dt \
	lc rgb '#1f77b4' notitle, \
     for [k=1:nm] f2 using (S('blocking')):7:6:8 with yerrorlines pt 4 ps 1.3 lw 2 dt mine_dt \
	lc rgb '#2ca02c' notitle, \
     for [k=1:nm] f2 using (S('st')):7:6:8 with yerrorlines pt 8 ps 1.6 lw 2 dt mine_dt \
	lc rgb '#d62728' notitle, \
     @tree_keys
