# 05-callbacks-latency.gp - submit -> run latency of the thread pool, per job.
# data: 05-callbacks-latency.tsv
# --compare: the student's medians and p90 in open symbols beside the reference's.
f = data_dir.'/05-callbacks-latency.tsv'
f2 = mine('05-callbacks-latency.tsv')
set title 'Thread pool: time from pool\_submit() to the job starting (median, q1..q3 bars, p90 marks)'
set logscale x 2
set logscale y 10
set xlabel 'workers in the pool'
set ylabel 'submit -> run latency (us, log scale)'
set xrange [0.7:24]
set key top right box opaque font ',9'
set yrange [0.5:100000]
plot f using ($2*0.96):(sel(1,'idle') ? $7 : NaN):6:8 w yerrorbars pt 7 lc rgb '#1f77b4' t 'idle pool, one job at a time (wake-up cost)', \
     f using ($2*0.96):(sel(1,'idle') ? $9 : NaN) w p pt 2 lc rgb '#1f77b4' t 'idle: p90', \
     f using ($2*1.04):(sel(1,'burst') ? $7 : NaN):6:8 w yerrorbars pt 5 lc rgb '#d62728' t 'burst: all jobs submitted at once (queueing)', \
     f using ($2*1.04):(sel(1,'burst') ? $9 : NaN) w p pt 2 lc rgb '#d62728' t 'burst: p90', \
     for [k=1:nm] f2 using ($2*0.88):(sel(1,'idle') ? $7 : NaN):6:8 w yerrorbars pt 6 lc rgb '#1f77b4' notitle, \
     for [k=1:nm] f2 using ($2*0.88):(sel(1,'idle') ? $9 : NaN) w p pt 1 lc rgb '#1f77b4' notitle, \
     for [k=1:nm] f2 using ($2*1.13):(sel(1,'burst') ? $7 : NaN):6:8 w yerrorbars pt 4 lc rgb '#d62728' notitle, \
     for [k=1:nm] f2 using ($2*1.13):(sel(1,'burst') ? $9 : NaN) w p pt 1 lc rgb '#d62728' notitle, \
     @tree_keys_pts
