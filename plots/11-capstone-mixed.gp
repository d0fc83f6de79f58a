# 11-capstone-mixed.gp - mixed: each request waits L ms, then computes C ms.  One-thread models
# overlap the waits but queue the computations (about L + N x C); the threaded ones spread
# the computations over the cores; the pool queues the waits as well.
# data: 11-capstone-mixed.tsv
load plots_dir.'/11-capstone-models.gpi'
f = data_dir.'/11-capstone-mixed.tsv'
f2 = mine('11-capstone-mixed.tsv')
note = system("sed -n 's/^# note: //p' ".f." | head -1")
set title "Mixed: each request waits, then computes\n{/*0.8 ".note."}"
set xlabel 'requests N (log scale)'
set ylabel 'total time (ms, log scale)'
set logscale xy
set xrange [0.7:1500]
set key outside right top font ',9'
plot for [i=1:nmodels] f using 2:(sel(1,models[i]) ? $7 : NaN):6:8 with yerrorlines pt 7 lw 2 \
	lc rgb model_colours[i] title model_titles[i], \
     for [k=1:nm] for [i=1:nmodels] f2 using 2:(sel(1,models[i]) ? $7 : NaN):6:8 with \
	yerrorlines pt 6 ps 1.3 lw 2 dt mine_dt lc rgb model_colours[i] notitle, \
     @tree_keys
