# 10-futures-echo.gp - echo requests/s of the futures server (a task per connection on the
# single-threaded executor) and of callbacks on lab 07's loop, at 1, 100 and 1,000
# connections; one server thread, one load-client thread.  From bench_echo.
# data: 10-futures-echo.tsv
# --compare: the student's series dashed with open points over the reference's.
f = data_dir.'/10-futures-echo.tsv'
f2 = mine('10-futures-echo.tsv')
set title 'Echo server: futures vs callbacks on the same loop'
set xlabel 'concurrent connections (log scale)'
set ylabel 'requests per second (median, bars q1..q3)'
set logscale x
set xrange [0.6:1700]
set yrange [0:*]
# bottom right: the curves climb out of the bottom left corner (1 connection)
set key bottom right
set label 999 noenhanced
set datafile missing NaN
S(name) = (sel(1, name) ? $2 : NaN)
plot f using (S('futures')):7:6:8 with yerrorlines pt 7 lw 2 lc rgb '#1f77b4' \
	title 'futures: a task per connection', \
     f using (S('loop-callbacks')):7:6:8 with yerrorlines pt 5 lw 2 lc rgb '#ff7f0e' \
	title 'callbacks on lab 07''s loop', \
     for [k=1:nm] f2 using (S('futures')):7:6:8 with yerrorlines pt 6 ps 1.3 lw 2 dt mine_dt \
	lc rgb '#1f77b4' notitle, \
     for [k=1:nm] f2 using (S('loop-callbacks')):7:6:8 with yerrorlines pt 4 \
	ps 1.3 lw 2 dt mine_dt \
	lc rgb '#ff7f0e' notitle, \
     @tree_keys
