# 08-fibers-spawn.gp - spawn + run + join, per fiber (batch and one by one) and per OS thread.
# data: 08-fibers-spawn.tsv
f = data_dir.'/08-fibers-spawn.tsv'
set title 'Starting and finishing a fiber vs an OS thread (spawn/create + run + join)'
set ylabel 'nanoseconds each (log scale)'
set logscale y
set yrange [10:1e6]
set xrange [-0.6:2.6]
set xtics ("fibers: spawn all,\nthen join all" 0, "fibers: spawn one,\njoin it, repeat" 1, \
	   "OS threads: create,\njoin, repeat" 2)
set style fill solid 0.8 border -1
set boxwidth 0.55
set key off
set grid noxtics
x(s) = s eq 'batch' ? 0 : s eq 'one-by-one' ? 1 : 2
plot f using (x(strcol(1))):7 with boxes lc rgb '#2ca02c', \
     f using (x(strcol(1))):7:6:8 with yerrorbars pt 0 lc rgb '#000000', \
     f using (x(strcol(1))):($8 * 1.2):(sprintf('%.0f ns x %.0f = %.3f s', $7, $2, $7 * $2 / 1e9)) with labels offset 0,0.6 font ',9'
