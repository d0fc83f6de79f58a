# 07-event-loop-http.gp - HTTP/1.1 keep-alive requests/s of the lab's server on both loop
# backends, measured by wrk (when installed) and by the lab's own load client.
# From bench_http (solutions/07-event-loop).
# data: 07-event-loop-http.tsv
# --compare: the student's series dashed with open points over the reference's (wrk's series,
# dashed with open points in the plain figure, are then solid with filled marks of their own).
f = data_dir.'/07-event-loop-http.tsv'
f2 = mine('07-event-loop-http.tsv')
rows(name, file) = int(system(sprintf("grep -c '^%s\t' '%s' || true", name, file)))
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
wrk_dt = compare ? 1 : 2
wrk_pt_e = compare ? 11 : 8
wrk_pt_p = compare ? 13 : 6
cmd = "plot f using (S('loadgen-epoll')):7:6:8 with yerrorlines pt 9 lw 2 lc rgb '#208040' title 'epoll backend, load\\_client'"
cmd = cmd.", f using (S('loadgen-poll')):7:6:8 with yerrorlines pt 7 lw 2 lc rgb '#2060b0' title 'poll backend, load\\_client'"
if (rows('wrk-epoll', f) > 0) {
	cmd = cmd.", f using (S('wrk-epoll')):7:6:8 with yerrorlines pt wrk_pt_e lw 2 dt wrk_dt lc rgb '#208040' title 'epoll backend, wrk'"
	cmd = cmd.", f using (S('wrk-poll')):7:6:8 with yerrorlines pt wrk_pt_p lw 2 dt wrk_dt lc rgb '#2060b0' title 'poll backend, wrk'"
}
if (compare) {
	cmd = cmd.", f2 using (S('loadgen-epoll')):7:6:8 with yerrorlines pt 8 ps 1.6 lw 2 dt mine_dt lc rgb '#208040' notitle"
	cmd = cmd.", f2 using (S('loadgen-poll')):7:6:8 with yerrorlines pt 6 ps 1.3 lw 2 dt mine_dt lc rgb '#2060b0' notitle"
	if (rows('wrk-epoll', f2) > 0) {
		cmd = cmd.", f2 using (S('wrk-epoll')):7:6:8 with yerrorlines pt 10 ps 1.6 lw 2 dt mine_dt lc rgb '#208040' notitle"
		cmd = cmd.", f2 using (S('wrk-poll')):7:6:8 with yerrorlines pt 12 ps 1.3 lw 2 dt mine_dt lc rgb '#2060b0' notitle"
	}
}
eval cmd.", @tree_keys"
