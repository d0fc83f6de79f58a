# 11-capstone-cpu.gp - CPU-bound: a fixed amount of hashing split into N requests, speedup
# over the sequential model vs worker threads.  One-thread models (loop, fibers) stay at 1 by
# construction; threads, the pool and spawn_blocking reach the core count and no further.
# data: 11-capstone-cpu.tsv
load plots_dir.'/11-capstone-models.gpi'
f = data_dir.'/11-capstone-cpu.tsv'
f2 = mine('11-capstone-cpu.tsv')
stats f using (sel(1,'cores') ? $7 : NaN) nooutput
cores = STATS_max
stats f using (sel(1,'cores') ? NaN : $2) nooutput
xmax = STATS_max
stats f using (sel(1,'cores') ? NaN : $8) nooutput
ymax = STATS_max
# --compare: the axes cover the student's points too
if (compare) {
	stats f2 using (sel(1,'cores') ? NaN : $2) nooutput
	xmax = STATS_max > xmax ? STATS_max : xmax
	stats f2 using (sel(1,'cores') ? NaN : $8) nooutput
	ymax = STATS_max > ymax ? STATS_max : ymax
}
set title 'CPU-bound: the same hashing, split into requests: speedup over the sequential model'
set xlabel 'worker threads P (log scale; thread per request always has one thread per request)'
set ylabel 'speedup (x)'
set logscale x 2
set xrange [0.8:xmax * 1.25]
# room above the highest point for the legend (top left), over the lines that start at x = 1
ytop = cores * 1.15 + 0.5
yroom = ymax * (compare ? 1.65 : 1.5)
set yrange [0:(yroom > ytop ? yroom : ytop)]
set arrow 1 from cores, graph 0 to cores, graph 1 nohead lc rgb '#999999' dt 3 lw 1.5
set label 1 sprintf('%d usable CPUs', cores) at cores, graph 0.04 left offset 0.5,0 tc rgb '#666666'
set samples 400
ideal(x) = x < 1 ? NaN : (x < cores ? x : cores)
set key top left font ',9'
plot ideal(x) with lines dt 2 lw 2 lc rgb '#888888' title 'ideal: min(P, cores)', \
     for [i=2:nmodels] f using 2:(sel(1,models[i]) ? $7 : NaN):6:8 with yerrorlines pt 7 lw 2 \
	lc rgb model_colours[i] title model_titles[i], \
     for [k=1:nm] for [i=2:nmodels] f2 using 2:(sel(1,models[i]) ? $7 : NaN):6:8 with \
	yerrorlines pt 6 ps 1.3 lw 2 dt mine_dt lc rgb model_colours[i] notitle, \
     @tree_keys
