# 03-threads-signature.gp - THE signature figure of the toolkit: concurrency vs parallelism.
# Left: CPU-bound work split over N threads - speedup stops at the number of usable cores.
# Right: sleeping (I/O-bound) tasks over N threads - total time keeps falling far past it.
# data: 03-threads-cpu-bound.tsv
# data: 03-threads-io-bound.tsv
cpu = data_dir.'/03-threads-cpu-bound.tsv'
io  = data_dir.'/03-threads-io-bound.tsv'
cpu2 = mine('03-threads-cpu-bound.tsv')
io2  = mine('03-threads-io-bound.tsv')
stats cpu using (sel(1,'cores') ? $7 : NaN) nooutput
cores = STATS_max
stats cpu using (sel(1,'speedup') ? $2 : NaN) nooutput
xmax_cpu = STATS_max
stats cpu using (sel(1,'speedup') ? $8 : NaN) nooutput
ymax_cpu = STATS_max
stats io using (sel(1,'sleep') ? $2 : NaN) nooutput
xmax_io = STATS_max
# --compare: the axes cover the student's points too
if (compare) {
	stats cpu2 using (sel(1,'speedup') ? $2 : NaN) nooutput
	xmax_cpu = STATS_max > xmax_cpu ? STATS_max : xmax_cpu
	stats cpu2 using (sel(1,'speedup') ? $8 : NaN) nooutput
	ymax_cpu = STATS_max > ymax_cpu ? STATS_max : ymax_cpu
	stats io2 using (sel(1,'sleep') ? $2 : NaN) nooutput
	xmax_io = STATS_max > xmax_io ? STATS_max : xmax_io
}

set multiplot layout 1,2 title 'Threads: parallelism for CPU-bound work, concurrency for waiting' font ',13'
set key top left box opaque
set arrow 1 from cores, graph 0 to cores, graph 1 nohead lc rgb '#999999' dt 3 lw 1.5
set label 1 sprintf('%d usable CPUs', cores) at cores, graph 0.04 left offset 0.5,0 tc rgb '#666666'

set title 'CPU-bound: fixed total work split over N threads'
set xlabel 'threads (log scale)'
set ylabel 'speedup over 1 thread (x)'
# thread counts double (1, 2, 4, ... with the core count always a point): a log axis
set logscale x 2
set xrange [0.8:xmax_cpu * 1.25]
ytop = cores * 1.15 + 0.5
set yrange [0:(ymax_cpu * 1.1 > ytop ? ymax_cpu * 1.1 : ytop)]
set xtics auto
set samples 400
ideal(x) = x < 1 ? NaN : (x < cores ? x : cores)
# the legend sits top left, clear of the core-count label at the bottom
set key top left
plot ideal(x) with lines dt 2 lw 2 lc rgb '#888888' title 'ideal: min(N, cores)', \
     cpu using 2:(sel(1,'speedup') ? $7 : NaN):6:8 with yerrorlines pt 7 lw 2 lc rgb '#1f77b4' \
         title 'measured (median, q1..q3)', \
     for [k=1:nm] cpu2 using 2:(sel(1,'speedup') ? $7 : NaN):6:8 with yerrorlines pt 6 lw 2 \
         dt mine_dt lc rgb '#1f77b4' notitle, \
     @tree_keys

set title 'I/O-bound: tasks that sleep, split over N threads'
set logscale xy 2
set yrange [*:*]
set xrange [0.8:xmax_io * 1.25]
set autoscale y
set xtics auto
set ylabel 'total time (ms, log scale)'
set xlabel 'threads (log scale)'
# the curve falls from the top left: the legend sits bottom left, the core-count label halfway
# up, both clear of it
set key bottom left font ',9' samplen 2 width -3
set label 1 at cores, graph 0.45
plot io using 2:(sel(1,'ideal') ? $7 : NaN) with lines dt 2 lw 2 lc rgb '#888888' \
         title 'ideal: ceil(tasks / N) sleeps', \
     io using 2:(sel(1,'sleep') ? $7 : NaN):6:8 with yerrorlines pt 7 lw 2 lc rgb '#d62728' \
         title 'measured (median, q1..q3)', \
     for [k=1:nm] io2 using 2:(sel(1,'sleep') ? $7 : NaN):6:8 with yerrorlines pt 6 lw 2 \
         dt mine_dt lc rgb '#d62728' notitle, \
     @tree_keys
unset multiplot
