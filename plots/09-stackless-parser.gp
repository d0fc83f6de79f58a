# 09-stackless-parser.gp - the resumable HTTP parser's throughput vs the size of the pieces it
# is fed: every piece costs a resume and a suspension of its coroutine.
# data: 09-stackless-parser.tsv
# Rows (bench_parser.c): series http_req, x = piece size in bytes (the largest = whole head).
# --compare: the student's series dashed with open points over the reference's.
f = data_dir.'/09-stackless-parser.tsv'
f2 = mine('09-stackless-parser.tsv')
set title 'HTTP request-head parser: throughput vs the size of the pieces fed'
set xlabel 'bytes per feed (log scale; the last point is the whole head in one feed)'
set ylabel 'MB/s of request head (median, bars q1..q3)'
set logscale x 2
set format x '%g'
set yrange [0:*]
set key bottom right noenhanced
set xrange [0.8:700]
set label 999 noenhanced
plot f using 2:7:6:8 with yerrorlines pt 7 ps 1 lw 2 lc rgb '#2060b0' \
	title 'http_req_parser_feed (a coroutine: each byte is consumed once)', \
     for [k=1:nm] f2 using 2:7:6:8 with yerrorlines pt 6 ps 1.3 lw 2 dt mine_dt \
	lc rgb '#2060b0' notitle, \
     @tree_keys
