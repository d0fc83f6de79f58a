# 07-event-loop-echo.gp - echo requests/s against concurrent connections for five servers
# measured in one run: the lab's loop on epoll and on poll, a thread per connection, libuv
# (when it was built) and a minimal hand-written epoll server (the floor of overhead).
# From bench_echo (solutions/07-event-loop).
# data: 07-event-loop-echo.tsv
f = data_dir.'/07-event-loop-echo.tsv'
# how many rows a series has (libuv is absent where libuv1-dev was not installed)
rows(name) = int(system(sprintf("grep -c '^%s\t' '%s' || true", name, f)))
set title 'Echo server throughput: 64-byte requests, closed loop, server and client on separate CPUs'
set xlabel 'concurrent connections (log scale)'
set ylabel 'requests per second (log scale; median of runs, bars q1..q3)'
set logscale xy
set format x '10^{%L}'
set format y '10^{%L}'
set xrange [0.7:15000]
set key top left box opaque font ',10'
set label 999 noenhanced
set datafile missing NaN
S(name) = (sel(1, name) ? $2 : NaN)
cmd = "plot f using (S('epoll-min')):7:6:8 with yerrorlines pt 5 ps 0.9 lw 2 dt 2 lc rgb '#555555' title 'minimal epoll server (the floor)'"
cmd = cmd.", f using (S('loop-epoll')):7:6:8 with yerrorlines pt 9 ps 1.1 lw 2 lc rgb '#208040' title 'the lab loop, epoll backend'"
cmd = cmd.", f using (S('loop-poll')):7:6:8 with yerrorlines pt 7 ps 0.9 lw 2 lc rgb '#2060b0' title 'the lab loop, poll backend'"
cmd = cmd.", f using (S('threads')):7:6:8 with yerrorlines pt 13 ps 1.0 lw 2 lc rgb '#c03030' title 'a thread per connection (blocking I/O)'"
if (rows('libuv') > 0) {
	cmd = cmd.", f using (S('libuv')):7:6:8 with yerrorlines pt 11 ps 1.0 lw 2 lc rgb '#a060c0' title 'libuv (the guide''s idiom)'"
}
eval cmd
