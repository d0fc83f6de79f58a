# 07-event-loop-rss.gp - what an idle connection costs in memory: the server's resident set
# with N connections open (left) and the bytes each connection adds (right), for the loop and
# for a thread per connection; the kernel's share (sockets, kernel stacks, page tables) beside
# the user-space one.  From bench_rss (solutions/07-event-loop).  The default run stops the
# thread per connection at 1,000 connections; `make plots FULL=1` takes it to 10,000.
# data: 07-event-loop-rss.tsv
# data: 07-event-loop-rss-per-conn.tsv
# data: 07-event-loop-rss-kernel.tsv
# --compare: the student's series dashed with open points over the reference's (the kernel's
# share, dashed with open points in the plain figure, is then thin and solid, filled marks).
f = data_dir.'/07-event-loop-rss.tsv'
g = data_dir.'/07-event-loop-rss-per-conn.tsv'
k = data_dir.'/07-event-loop-rss-kernel.tsv'
f2 = mine('07-event-loop-rss.tsv')
g2 = mine('07-event-loop-rss-per-conn.tsv')
k2 = mine('07-event-loop-rss-kernel.tsv')
set label 999 noenhanced
set datafile missing NaN
S(name) = (sel(1, name) ? $2 : NaN)
big = int(system(sprintf("grep -cE '^threads\t([3-9][0-9]{3}|[0-9]{5,})\t' '%s' || true", f))) > 0
upto = big ? '' : ' (to 1,000; FULL=1: more)'
set multiplot layout 1,2 title 'Memory per idle connection: one loop vs a thread per connection'
set logscale xy
set format x '10^{%L}'
set xrange [0.7:15000]
set xlabel 'idle connections held open (log scale)'
set ylabel 'server resident set size (MiB, log scale; median, bars q1..q3)'
set key top left box opaque font ',10'
plot f using (S('loop')):($7/1024):($6/1024):($8/1024) with yerrorlines pt 9 lw 2 \
	lc rgb '#208040' title 'the lab loop (epoll)', \
     f using (S('threads')):($7/1024):($6/1024):($8/1024) with yerrorlines pt 13 lw 2 \
	lc rgb '#c03030' title 'a thread per connection'.upto, \
     for [i=1:nm] f2 using (S('loop')):($7/1024):($6/1024):($8/1024) with yerrorlines pt 8 \
	ps 1.6 lw 2 dt mine_dt lc rgb '#208040' notitle, \
     for [i=1:nm] f2 using (S('threads')):($7/1024):($6/1024):($8/1024) with yerrorlines \
	pt 12 ps 1.3 lw 2 dt mine_dt lc rgb '#c03030' notitle, \
     @tree_keys
set ylabel 'bytes per connection: (RSS(N) - RSS(0)) / N (log scale)'
set format y '10^{%L}'
set yrange [10:*]
set xrange [5:15000]
set key bottom right box opaque font ',9'
# per-connection figures are meaningful from 10 connections on (a page is 4096 bytes)
T(name) = (sel(1, name) && $2 >= 10 ? $2 : NaN)
kdt = compare ? 1 : 2
kpt_loop = compare ? 5 : 8
kpt_threads = compare ? 7 : 12
plot g using (T('loop')):7:6:8 with yerrorlines pt 9 lw 2 lc rgb '#208040' \
	title 'loop: user space', \
     g using (T('loop')):7:(sprintf('%.0f', $7)) with labels offset 0, 1 font ',9' \
	tc rgb '#208040' notitle, \
     g using (T('threads')):7:6:8 with yerrorlines pt 13 lw 2 lc rgb '#c03030' \
	title 'threads: user space', \
     g using (T('threads')):7:(sprintf('%.0f', $7)) with labels offset 0, 1 font ',9' \
	tc rgb '#c03030' notitle, \
     k using (T('loop')):($7 > 10 ? $7 : NaN) with linespoints pt kpt_loop dt kdt lw 1.5 \
	lc rgb '#208040' title 'loop: kernel (both sockets)', \
     k using (T('threads')):($7 > 10 ? $7 : NaN) with linespoints pt kpt_threads dt kdt lw 1.5 \
	lc rgb '#c03030' title 'threads: kernel (sockets, stack, page tables)', \
     for [i=1:nm] g2 using (T('loop')):7:6:8 with yerrorlines pt 8 ps 1.6 lw 2 dt mine_dt \
	lc rgb '#208040' notitle, \
     for [i=1:nm] g2 using (T('threads')):7:6:8 with yerrorlines pt 12 ps 1.3 lw 2 dt mine_dt \
	lc rgb '#c03030' notitle, \
     for [i=1:nm] k2 using (T('loop')):($7 > 10 ? $7 : NaN) with linespoints pt 4 ps 1.3 \
	dt mine_dt lw 1.5 lc rgb '#208040' notitle, \
     for [i=1:nm] k2 using (T('threads')):($7 > 10 ? $7 : NaN) with linespoints pt 6 ps 1.3 \
	dt mine_dt lw 1.5 lc rgb '#c03030' notitle, \
     @tree_keys
unset multiplot
