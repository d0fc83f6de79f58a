# 07-event-loop-echo.gp - echo servers against concurrent connections, five servers measured
# in one run: the lab's loop on epoll and on poll, a thread per connection, libuv (when it was
# built) and a minimal hand-written epoll server (the floor of overhead).  Left: requests/s.
# Right: the server's CPU time per request, which on a shared machine says what each request
# cost, whatever share of its core the server was given.  From bench_echo.
# The default run stops the thread per connection and the loop on poll at 1,000 connections;
# their points above it come from `make plots FULL=1`, and the key says which case is drawn.
# data: 07-event-loop-echo.tsv
# data: 07-event-loop-echo-cpu.tsv
# --compare: the student's series dashed with open points over the reference's (the floor,
# dashed in the plain figure, is then drawn solid like every other reference series).
f = data_dir.'/07-event-loop-echo.tsv'
c = data_dir.'/07-event-loop-echo-cpu.tsv'
f2 = mine('07-event-loop-echo.tsv')
c2 = mine('07-event-loop-echo-cpu.tsv')
# how many rows a series has (libuv is absent where libuv1-dev was not installed)
rows(name, file) = int(system(sprintf("grep -c '^%s\t' '%s' || true", name, file)))
uv = rows('libuv', f) > 0
uv2 = compare && rows('libuv', f2) > 0
# does a series reach 3,000 connections or more (threads and loop-poll: only with FULL=1)?
big(name) = int(system(sprintf("grep -cE '^%s\t([3-9][0-9]{3}|[0-9]{5,})\t' '%s' || true", name, f))) > 0
upto(name) = big(name) ? '' : ' (to 1,000; FULL=1: more)'
set label 999 noenhanced
set datafile missing NaN
S(name) = (sel(1, name) ? $2 : NaN)
set multiplot layout 1,2 title 'Echo servers: 64-byte requests, closed loop, server and client pinned to separate CPUs'
set xlabel 'concurrent connections (log scale)'
set logscale xy
set format x '10^{%L}'
set format y '10^{%L}'
set xrange [0.7:15000]
# bottom right: the curves climb out of the bottom left corner (1 connection)
set key bottom right box opaque font ',9'
set ylabel 'requests per second (log scale; median of runs, bars q1..q3)'
floor_dt = compare ? 1 : 2
cmd(file, yexpr) = \
	"plot ".file." using (S('epoll-min')):".yexpr." with yerrorlines pt 5 ps 0.9 lw 2 dt floor_dt lc rgb '#555555' title 'minimal epoll server (the floor)'".\
	", ".file." using (S('loop-epoll')):".yexpr." with yerrorlines pt 9 ps 1.1 lw 2 lc rgb '#208040' title 'the lab loop, epoll backend'".\
	", ".file." using (S('loop-poll')):".yexpr." with yerrorlines pt 7 ps 0.9 lw 2 lc rgb '#2060b0' title 'the lab loop, poll backend'.upto('loop-poll')".\
	", ".file." using (S('threads')):".yexpr." with yerrorlines pt 13 ps 1.0 lw 2 lc rgb '#c03030' title 'a thread per connection'.upto('threads')".\
	(uv ? ", ".file." using (S('libuv')):".yexpr." with yerrorlines pt 11 ps 1.0 lw 2 lc rgb '#a060c0' title 'libuv (the guide''s idiom)'" : "")
# the student's series: same colours, dashed, open points (nothing without a comparison)
mcmd(file, yexpr) = \
	", for [k=1:nm] ".file." using (S('epoll-min')):".yexpr." with yerrorlines pt 4 ps 1.3 lw 2 dt mine_dt lc rgb '#555555' notitle".\
	", for [k=1:nm] ".file." using (S('loop-epoll')):".yexpr." with yerrorlines pt 8 ps 1.6 lw 2 dt mine_dt lc rgb '#208040' notitle".\
	", for [k=1:nm] ".file." using (S('loop-poll')):".yexpr." with yerrorlines pt 6 ps 1.3 lw 2 dt mine_dt lc rgb '#2060b0' notitle".\
	", for [k=1:nm] ".file." using (S('threads')):".yexpr." with yerrorlines pt 12 ps 1.3 lw 2 dt mine_dt lc rgb '#c03030' notitle".\
	(uv2 ? ", for [k=1:nm] ".file." using (S('libuv')):".yexpr." with yerrorlines pt 10 ps 1.6 lw 2 dt mine_dt lc rgb '#a060c0' notitle" : "").\
	", @tree_keys"
eval cmd('f', '7:6:8').mcmd('f2', '7:6:8')
set ylabel 'server CPU time per request (us, log scale; median, bars q1..q3)'
set key top left box opaque font ',9'
eval cmd('c', '($7/1000):($6/1000):($8/1000)').mcmd('c2', '($7/1000):($6/1000):($8/1000)')
unset multiplot
