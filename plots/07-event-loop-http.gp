# 07-event-loop-http.gp - HTTP/1.1 keep-alive requests/s of the lab's server on both loop
# backends, measured by wrk (when installed) and by the lab's own load client.
# From bench_http (solutions/07-event-loop).
# data: 07-event-loop-http.tsv
f = data_dir.'/07-event-loop-http.tsv'
rows(name) = int(system(sprintf("grep -c '^%s\t' '%s' || true", name, f)))
set title 'HTTP/1.1 keep-alive: GET / on serve\_http, server and client on separate CPUs'
set xlabel 'concurrent connections (log scale)'
set ylabel 'requests per second (median of runs, bars q1..q3)'
set logscale x
set format x '10^{%L}'
set xrange [0.7:1500]
set yrange [0:*]
set key bottom right box opaque font ',10'
set label 999 noenhanced
set datafile missing NaN
S(name) = (sel(1, name) ? $2 : NaN)
cmd = "plot f using (S('loadgen-epoll')):7:6:8 with yerrorlines pt 9 lw 2 lc rgb '#208040' title 'epoll backend, load\\_client'"
cmd = cmd.", f using (S('loadgen-poll')):7:6:8 with yerrorlines pt 7 lw 2 lc rgb '#2060b0' title 'poll backend, load\\_client'"
if (rows('wrk-epoll') > 0) {
	cmd = cmd.", f using (S('wrk-epoll')):7:6:8 with yerrorlines pt 8 lw 2 dt 2 lc rgb '#208040' title 'epoll backend, wrk'"
	cmd = cmd.", f using (S('wrk-poll')):7:6:8 with yerrorlines pt 6 lw 2 dt 2 lc rgb '#2060b0' title 'poll backend, wrk'"
}
eval cmd
