# 04-sync-counters.gp - shared-counter throughput vs threads: racy, mutex, atomic, spinlock.
# data: 04-sync-counters.tsv
# --compare: the student's series dashed with open points over the reference's.
f = data_dir.'/04-sync-counters.tsv'
f2 = mine('04-sync-counters.tsv')
# the usable core count travels in the dataset as series 'cores' (x = the count)
stats f using (sel(1,'cores') ? $2 : NaN) name 'C' nooutput
cores = C_max
stats f using (sel(1,'cores') ? NaN : $2) name 'X' nooutput
xmax = X_max
if (compare) {
	stats f2 using (sel(1,'cores') ? NaN : $2) name 'X2' nooutput
	xmax = X2_max > xmax ? X2_max : xmax
}
set title "One shared counter, T threads adding to it: total throughput (higher is better)\n{/*0.8 each point: the median of the runs; the bars span the middle half of them (q1..q3)}"
set xlabel 'threads (T, log scale)'
set ylabel 'increments per second, all threads together (millions, log scale)'
set logscale y
# thread counts double (1, 2, 4, ... with the core count always a point): a log axis
set logscale x 2
set xrange [0.8:xmax * 1.25]
set key bottom left box opaque font ',10'
set arrow 1 from cores, graph 0 to cores, graph 1 nohead dashtype 2 lc rgb '#888888'
# the label beside the core-count line, on whichever side has room (a sweep that ends at the
# core count leaves none on the right)
lbl = sprintf('%d usable cores: to the right of the line, threads outnumber cores', cores)
if (cores * 4 <= xmax) {
	set label 1 lbl at cores, graph 0.96 offset 0.5,0 left font ',9' tc rgb '#555555'
} else {
	set label 1 lbl at cores, graph 0.96 offset -0.5,0 right font ',9' tc rgb '#555555'
}
set label 999 noenhanced
plot \
  f using (sel(1,'racy (wrong)') ? $2 : NaN):7:6:8 with yerrorlines lw 2 pt 7 lc rgb '#aaaaaa' title 'racy value++ (WRONG: loses updates)', \
  f using (sel(1,'atomic') ? $2 : NaN):7:6:8 with yerrorlines lw 2 pt 5 lc rgb '#1f77b4' title 'atomic fetch\_add', \
  f using (sel(1,'mutex') ? $2 : NaN):7:6:8 with yerrorlines lw 2 pt 9 lc rgb '#2ca02c' title 'pthread mutex', \
  f using (sel(1,'spinlock') ? $2 : NaN):7:6:8 with yerrorlines lw 2 pt 11 lc rgb '#d62728' title 'spinlock (exchange + pause)', \
  for [k=1:nm] f2 using (sel(1,'racy (wrong)') ? $2 : NaN):7:6:8 with yerrorlines lw 2 dt mine_dt pt 6 lc rgb '#aaaaaa' notitle, \
  for [k=1:nm] f2 using (sel(1,'atomic') ? $2 : NaN):7:6:8 with yerrorlines lw 2 dt mine_dt pt 4 lc rgb '#1f77b4' notitle, \
  for [k=1:nm] f2 using (sel(1,'mutex') ? $2 : NaN):7:6:8 with yerrorlines lw 2 dt mine_dt pt 8 lc rgb '#2ca02c' notitle, \
  for [k=1:nm] f2 using (sel(1,'spinlock') ? $2 : NaN):7:6:8 with yerrorlines lw 2 dt mine_dt pt 10 lc rgb '#d62728' notitle, \
  @tree_keys
