# 08-fibers-echo.gp - echo requests/s: the fiber server vs the same server as lab-07 loop
# callbacks, at 1, 100 and 1,000 connections.
# data: 08-fibers-echo.tsv
f = data_dir.'/08-fibers-echo.tsv'
set title 'Echo server on one thread: blocking-style fibers vs loop callbacks (64-byte requests)'
set ylabel 'requests per second'
set xlabel 'concurrent connections'
set yrange [0:*]
# the default run measures 1, 100 and 1000 connections; a --full run adds 10,000 (or as many
# thousands as the descriptor limit allows)
stats f using 2 nooutput
set xrange [-0.6:(STATS_max > 1000 ? 3.6 : 2.6)]
set xtics ('1' 0, '100' 1, '1000' 2)
if (STATS_max > 1000) { set xtics add (sprintf('%.0f', STATS_max) 3) }
set style fill solid 0.8 border -1
set boxwidth 0.36
set key top right box opaque
set grid noxtics
x(n) = n == 1 ? 0 : n == 100 ? 1 : n == 1000 ? 2 : 3
plot f using (sel(1,'fiber-echo') ? x($2) - 0.19 : NaN):7 with boxes lc rgb '#9467bd' title 'fibers (fiber\_read / fiber\_write)', \
     f using (sel(1,'fiber-echo') ? x($2) - 0.19 : NaN):7:6:8 with yerrorbars pt 0 lc rgb '#000000' notitle, \
     f using (sel(1,'loop-echo') ? x($2) + 0.19 : NaN):7 with boxes lc rgb '#8c564b' title 'lab-07 loop callbacks', \
     f using (sel(1,'loop-echo') ? x($2) + 0.19 : NaN):7:6:8 with yerrorbars pt 0 lc rgb '#000000' notitle, \
     f using (x($2) + (sel(1,'fiber-echo') ? -0.19 : 0.19)):($8):(sprintf('%.0fk', $7 / 1000)) with labels offset 0,0.7 font ',9' notitle
