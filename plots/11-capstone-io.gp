# 11-capstone-io.gp - I/O-bound: N requests that each wait L ms, total time vs N per model.
# Concurrent models stay near L however large N grows; the sequential model grows as N x L and
# the pool as N/P x L; thread per request pays for its threads.
# data: 11-capstone-io.tsv
load plots_dir.'/11-capstone-models.gpi'
f = data_dir.'/11-capstone-io.tsv'
f2 = mine('11-capstone-io.tsv')
L = real(system("awk -F'\t' '$1==\"delay\"{print $7; exit}' ".f))
set title sprintf("I/O-bound: N requests, each waiting %g ms on the latency injector", L)
set xlabel 'requests N (log scale)'
set ylabel 'total time (ms, log scale)'
set logscale xy
set xrange [0.7:15000]
set key outside right top font ',9'
# in a comparison dashed lines are the student's: L is then dotted
L_dt = compare ? 3 : 2
set label 1 sprintf('a perfectly concurrent run takes L: the %s line', compare ? 'dotted' : 'dashed') \
	at graph 0.98, graph 0.05 right tc rgb '#666666' font ',9'
plot f using 2:(sel(1,'delay') ? $7 : NaN) with lines dt L_dt lw 2 lc rgb '#888888' \
	title sprintf('L = %g ms', L), \
     for [i=1:nmodels] f using 2:(sel(1,models[i]) ? $7 : NaN):6:8 with yerrorlines pt 7 lw 2 \
	lc rgb model_colours[i] title model_titles[i], \
     for [k=1:nm] for [i=1:nmodels] f2 using 2:(sel(1,models[i]) ? $7 : NaN):6:8 with \
	yerrorlines pt 6 ps 1.3 lw 2 dt mine_dt lc rgb model_colours[i] notitle, \
     @tree_keys
