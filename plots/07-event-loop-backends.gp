# 07-event-loop-backends.gp - what one iteration of the lab-07 loop costs as the number of
# watched-but-idle descriptors grows, on its two backends: the poll backend hands the kernel
# every watched descriptor on every wait, the epoll backend reads the kernel's ready list.
# From bench_backends (solutions/07-event-loop).
# data: 07-event-loop-backends.tsv
# --compare: the student's series dashed with open points over the reference's.
f = data_dir.'/07-event-loop-backends.tsv'
f2 = mine('07-event-loop-backends.tsv')
set title 'One loop iteration (clock, timers, defers, posts, wait, one callback) vs idle descriptors'
set xlabel 'idle descriptors watched besides the ready one, N (log scale)'
set ylabel 'time per loop\_run(NOWAIT) (ns, log scale; median, bars q1..q3)'
set logscale xy
set format x '10^{%L}'
set format y '10^{%L}'
set xrange [0.7:15000]
set key top left
# the machine stamp holds names like x86_64: print it literally, not as a subscript
set label 999 noenhanced
# rows of the other series evaluate to NaN: treat them as missing so the lines join up
set datafile missing NaN
S(name) = (sel(1, name) ? $2 : NaN)
plot f using (S('poll')):7:6:8 with yerrorlines pt 7 ps 0.9 lw 2 lc rgb '#2060b0' \
	title 'poll backend: O(watched) per wait', \
     f using (S('epoll')):7:6:8 with yerrorlines pt 9 ps 1.1 lw 2 lc rgb '#208040' \
	title 'epoll backend: O(ready) per wait', \
     for [k=1:nm] f2 using (S('poll')):7:6:8 with yerrorlines pt 6 ps 1.3 lw 2 dt mine_dt \
	lc rgb '#2060b0' notitle, \
     for [k=1:nm] f2 using (S('epoll')):7:6:8 with yerrorlines pt 8 ps 1.6 lw 2 dt mine_dt \
	lc rgb '#208040' notitle, \
     @tree_keys
