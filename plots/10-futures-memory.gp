# 10-futures-memory.gp - memory per task: the RSS a process grows by per sleeping task (a task
# header, a sleep future, a slot in the timer heap) for 1,000 to 1,000,000 tasks, beside the
# task header's size and the notes' ~100 B for a Rust future.
# From bench_exec (solutions/10-futures).
# data: 10-futures-sleepers.tsv
# data: 10-futures-task_bytes.tsv
# --compare: the student's series dashed with open points over the reference's (the reference
# lines, dashed and dotted, are the reference's sizes and the course's targets).
f = data_dir.'/10-futures-sleepers.tsv'
g = data_dir.'/10-futures-task_bytes.tsv'
f2 = mine('10-futures-sleepers.tsv')
stats g using (sel(1,'task-header') ? $7 : NaN) nooutput
hdr = STATS_max
stats g using (sel(1,'sleep-future') ? $7 : NaN) nooutput
fut = STATS_max
set title 'Memory per sleeping task (RSS growth / tasks)'
set xlabel 'sleeping tasks (log scale)'
set ylabel 'bytes per task (median, bars q1..q3)'
set logscale x
set format x '10^{%L}'
set xrange [500:2000000]
set yrange [0:*]
set key top right
set label 999 noenhanced
set datafile missing NaN
budget = 256.0 * 1048576 / 1e6
set samples 100
plot f using 2:(sel(1,'rss-per-task') ? $7 : NaN):6:8 with yerrorlines pt 7 lw 2 lc rgb '#1f77b4' \
	title 'measured: RSS growth per task', \
     budget with lines dt 2 lw 2 lc rgb '#d62728' \
	title sprintf('target: 1,000,000 tasks in 256 MiB (%.0f B each)', budget), \
     hdr + fut with lines dt 3 lw 2 lc rgb '#2ca02c' \
	title sprintf('task header %.0f B + sleep future %.0f B (allocated)', hdr, fut), \
     100 with lines dt 4 lw 1.5 lc rgb '#888888' title 'the notes: a Rust future, about 100 B', \
     for [k=1:nm] f2 using 2:(sel(1,'rss-per-task') ? $7 : NaN):6:8 with yerrorlines pt 6 \
	ps 1.3 lw 2 \
	dt mine_dt lc rgb '#1f77b4' notitle, \
     @tree_keys
