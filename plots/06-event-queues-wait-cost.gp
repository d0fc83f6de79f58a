# 06-event-queues-wait-cost.gp - what one "which descriptor is ready?" call costs as the number
# of watched-but-idle descriptors grows: select and poll scan them all, epoll_wait reads its
# ready list.  From bench_wait (solutions/06-event-queues).
# data: 06-event-queues-wait.tsv
# --compare: the student's series dashed with open points over the reference's.
f = data_dir.'/06-event-queues-wait.tsv'
f2 = mine('06-event-queues-wait.tsv')
# select's limit comes from the data (series fd_setsize, x = FD_SETSIZE)
stats f using (sel(1, 'fd_setsize') ? $2 : NaN) nooutput
fdset = STATS_max
set title 'Cost of one wait that returns the single ready descriptor among N idle ones'
set xlabel 'idle descriptors watched, N (log scale)'
set ylabel 'time per wait call (ns, log scale; median, bars q1..q3)'
set logscale xy
set format x '10^{%L}'
set format y '10^{%L}'
set xrange [0.7:15000]
set arrow 1 from fdset, graph 0 to fdset, graph 1 nohead dt 2 lw 1.5 lc rgb '#c03030'
set label 1 sprintf('select cannot go past FD\_SETSIZE = %d', fdset) at fdset, graph 0.93 \
	right offset -0.8, 0 tc rgb '#c03030' font ',10'
set key top left
# the machine stamp holds names like x86_64: print it literally, not as a subscript
set label 999 noenhanced
# rows of the other series evaluate to NaN: treat them as missing so the lines join up
set datafile missing NaN
S(name) = (sel(1, name) ? $2 : NaN)
plot f using (S('select')):7:6:8 with yerrorlines pt 5 ps 0.9 lw 2 lc rgb '#c03030' \
	title 'select', \
     f using (S('poll')):7:6:8 with yerrorlines pt 7 ps 0.9 lw 2 lc rgb '#2060b0' title 'poll', \
     f using (S('epoll')):7:6:8 with yerrorlines pt 9 ps 1.1 lw 2 lc rgb '#208040' \
	title 'epoll\_wait', \
     for [k=1:nm] f2 using (S('select')):7:6:8 with yerrorlines pt 4 ps 0.9 lw 2 dt mine_dt \
	lc rgb '#c03030' notitle, \
     for [k=1:nm] f2 using (S('poll')):7:6:8 with yerrorlines pt 6 ps 0.9 lw 2 dt mine_dt \
	lc rgb '#2060b0' notitle, \
     for [k=1:nm] f2 using (S('epoll')):7:6:8 with yerrorlines pt 8 ps 1.1 lw 2 dt mine_dt \
	lc rgb '#208040' notitle, \
     @tree_keys
