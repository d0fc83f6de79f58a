# 04-sync-counters.gp - shared-counter throughput vs threads: racy, mutex, atomic, spinlock.
# data: 04-sync-counters.tsv
f = data_dir.'/04-sync-counters.tsv'
# the usable core count travels in the dataset as series 'cores' (x = the count)
stats f using (sel(1,'cores') ? $2 : NaN) name 'C' nooutput
cores = C_max
set title 'One shared counter, T threads adding to it: total throughput (higher is better)'
set xlabel 'threads (T)'
set ylabel 'increments per second, all threads together (millions, log scale)'
set logscale y
set xtics 1
set xrange [0.5:*]
set key bottom left box opaque
set arrow 1 from cores, graph 0 to cores, graph 1 nohead dashtype 2 lc rgb '#888888'
set label 1 sprintf('%d usable cores: to the right, threads outnumber cores', cores) \
	at cores, graph 0.97 offset 0.5,0 left font ',9' tc rgb '#555555'
plot \
  f using (sel(1,'racy (wrong)') ? $2 : NaN):7:6:8 with yerrorlines lw 2 pt 7 lc rgb '#aaaaaa' title 'racy value++ (WRONG: loses updates)', \
  f using (sel(1,'atomic') ? $2 : NaN):7:6:8 with yerrorlines lw 2 pt 5 lc rgb '#1f77b4' title 'atomic fetch\_add', \
  f using (sel(1,'mutex') ? $2 : NaN):7:6:8 with yerrorlines lw 2 pt 9 lc rgb '#2ca02c' title 'pthread mutex', \
  f using (sel(1,'spinlock') ? $2 : NaN):7:6:8 with yerrorlines lw 2 pt 11 lc rgb '#d62728' title 'spinlock (exchange + pause)'
