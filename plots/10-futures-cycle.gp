# 10-futures-cycle.gp - what the executors cost per operation: a task's whole life (spawn),
# a poll of a task that yields, and a wake+poll cycle through the reference-counted waker
# another task left (woken by reference); the single-threaded executor at x = 1, the
# multi-threaded one over its workers.
# From bench_exec (solutions/10-futures).
# data: 10-futures-cycle.tsv
# --compare: the student's numbers in open marks (dashed lines) over the reference's, whose
# multi-threaded series (open marks in the plain figure) then get filled ones; the student's
# single-threaded marks stand just left of x = 1.
f = data_dir.'/10-futures-cycle.tsv'
f2 = mine('10-futures-cycle.tsv')
stats f using (sel(1,'mt-poll') ? $2 : NaN) nooutput
xmax = STATS_max
if (compare) {
	stats f2 using (sel(1,'mt-poll') ? $2 : NaN) nooutput
	xmax = STATS_max > xmax ? STATS_max : xmax
}
set title 'Executor costs: spawn, poll, wake+poll (single-threaded at 1, multi-threaded)'
set xlabel 'worker threads (log scale; the single-threaded executor is drawn at 1)'
set ylabel 'time per operation (ns, log scale; median, bars q1..q3)'
set logscale x 2
set logscale y
set xrange [0.7:xmax * 1.4]
set yrange [3:*]
set key bottom right font ',9'
set label 999 noenhanced
set datafile missing NaN
S(name) = (sel(1, name) ? $2 : NaN)
set arrow 1 from graph 0, first 10 to graph 1, first 10 nohead lc rgb '#999999' dt 3 lw 1.5
# the target's label starts right of x = 1, clear of the single-threaded marks there
set label 1 'target: wake+poll <= 10 ns (single-threaded)' \
	at first 1.12, first 11.5 left tc rgb '#666666' font ',9'
mtp(p) = compare ? p + 1 : p
st2(name) = (sel(1, name) ? $2 * 0.88 : NaN)
plot f using (S('st-spawn')):7:6:8 with yerrorbars pt 5 ps 1.4 lc rgb '#1f77b4' \
	title 'st: spawn + poll + complete', \
     f using (S('st-poll')):7:6:8 with yerrorbars pt 7 ps 1.4 lc rgb '#2ca02c' \
	title 'st: poll of a yielding task (self-wake)', \
     f using (S('st-wake')):7:6:8 with yerrorbars pt 9 ps 1.6 lc rgb '#d62728' \
	title 'st: wake+poll via a counted waker, by reference', \
     f using (S('mt-spawn')):7:6:8 with yerrorlines pt mtp(4) lw 2 lc rgb '#1f77b4' \
	title 'mt: spawn + poll + complete', \
     f using (S('mt-poll')):7:6:8 with yerrorlines pt mtp(6) lw 2 lc rgb '#2ca02c' \
	title 'mt: poll of a yielding task', \
     f using (S('mt-wake')):7:6:8 with yerrorlines pt mtp(8) lw 2 lc rgb '#d62728' \
	title 'mt: wake+poll ping-pong between tasks', \
     for [k=1:nm] f2 using (st2('st-spawn')):7:6:8 with yerrorbars pt 4 ps 1.4 lw 1.5 \
	lc rgb '#1f77b4' notitle, \
     for [k=1:nm] f2 using (st2('st-poll')):7:6:8 with yerrorbars pt 6 ps 1.4 lw 1.5 \
	lc rgb '#2ca02c' notitle, \
     for [k=1:nm] f2 using (st2('st-wake')):7:6:8 with yerrorbars pt 8 ps 1.6 lw 1.5 \
	lc rgb '#d62728' notitle, \
     for [k=1:nm] f2 using (S('mt-spawn')):7:6:8 with yerrorlines pt 4 ps 1.3 lw 2 dt mine_dt \
	lc rgb '#1f77b4' notitle, \
     for [k=1:nm] f2 using (S('mt-poll')):7:6:8 with yerrorlines pt 6 ps 1.3 lw 2 dt mine_dt \
	lc rgb '#2ca02c' notitle, \
     for [k=1:nm] f2 using (S('mt-wake')):7:6:8 with yerrorlines pt 8 ps 1.6 lw 2 dt mine_dt \
	lc rgb '#d62728' notitle, \
     @tree_keys
