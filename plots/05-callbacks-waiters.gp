# 05-callbacks-waiters.gp - the waiter workload: total time and threads used per model.
# data: 05-callbacks-waiters-time.tsv
# data: 05-callbacks-waiters-threads.tsv
# --compare: the student's series dashed with open points over the reference's.
tfile = data_dir.'/05-callbacks-waiters-time.tsv'
hfile = data_dir.'/05-callbacks-waiters-threads.tsv'
tfile2 = mine('05-callbacks-waiters-time.tsv')
hfile2 = mine('05-callbacks-waiters-threads.tsv')
# the request count is the x of the thread-per-request row
stats tfile using (sel(1,'thread-per-request') ? $2 : NaN) name 'REQ' nooutput
nreq = REQ_max
wait_ms = 10
set multiplot layout 1,2 title sprintf('%d requests that each wait %d ms: blocking pool vs thread per request vs pool + callbacks', nreq, wait_ms) font ',12'
set logscale x 2
set logscale y 10
set xlabel 'workers P in the pool (thread per request: at P = requests)' font ',10'
set xrange [0.7:nreq*1.6]
set samples 1000
# small legends, each in the corner its panel's data leave empty
set key font ',8' samplen 2 spacing 0.9 box opaque

set ylabel 'total time (ms, log scale; median, bars q1..q3)'
set yrange [5:30000]
set format y '%g'
set key top right
plot wait_ms*ceil(nreq/x) w l dt 2 lc rgb '#999999' t sprintf('ideal blocking pool: ceil(%d/P) x %d ms', nreq, wait_ms), \
     wait_ms w l dt 3 lc rgb '#2ca02c' t sprintf('one wait: %d ms', wait_ms), \
     tfile using 2:(sel(1,'pool') ? $7 : NaN):6:8 w yerrorlines pt 7 lc rgb '#1f77b4' t 'pool(P), worker blocks while waiting', \
     tfile using 2:(sel(1,'pool+callbacks') ? $7 : NaN):6:8 w yerrorlines pt 5 lc rgb '#2ca02c' t 'pool(P) + callbacks (timer completes)', \
     tfile using 2:(sel(1,'thread-per-request') ? $7 : NaN):6:8 w yerrorbars pt 9 ps 2 lc rgb '#d62728' t 'thread per request', \
     for [k=1:nm] tfile2 using 2:(sel(1,'pool') ? $7 : NaN):6:8 w yerrorlines dt mine_dt pt 6 lc rgb '#1f77b4' notitle, \
     for [k=1:nm] tfile2 using 2:(sel(1,'pool+callbacks') ? $7 : NaN):6:8 w yerrorlines dt mine_dt pt 4 lc rgb '#2ca02c' notitle, \
     for [k=1:nm] tfile2 using 2:(sel(1,'thread-per-request') ? $7 : NaN):6:8 w yerrorbars pt 8 ps 2 lc rgb '#d62728' notitle, \
     @tree_keys

set ylabel 'peak threads in the process (log scale)'
set yrange [1:*]
set key top left
plot x+1 w l dt 2 lc rgb '#999999' t 'P workers + main', \
     hfile using 2:(sel(1,'pool') ? $7 : NaN):6:8 w yerrorlines pt 7 lc rgb '#1f77b4' t 'pool(P), worker blocks', \
     hfile using 2:(sel(1,'pool+callbacks') ? $7 : NaN):6:8 w yerrorlines pt 5 lc rgb '#2ca02c' t 'pool(P) + callbacks (+1 timer thread)', \
     hfile using 2:(sel(1,'thread-per-request') ? $7 : NaN):6:8 w yerrorbars pt 9 ps 2 lc rgb '#d62728' t sprintf('thread per request (%d created; peak alive at once)', nreq), \
     for [k=1:nm] hfile2 using 2:(sel(1,'pool') ? $7 : NaN):6:8 w yerrorlines dt mine_dt pt 6 lc rgb '#1f77b4' notitle, \
     for [k=1:nm] hfile2 using 2:(sel(1,'pool+callbacks') ? $7 : NaN):6:8 w yerrorlines dt mine_dt pt 4 lc rgb '#2ca02c' notitle, \
     for [k=1:nm] hfile2 using 2:(sel(1,'thread-per-request') ? $7 : NaN):6:8 w yerrorbars pt 8 ps 2 lc rgb '#d62728' notitle, \
     @tree_keys
unset multiplot
