# 03-threads-timeline-1cpu.gp - tracer timeline (Gantt chart).  One row per thread; each box
# is one traced ~0.1 ms chunk of work, coloured by task; the thin strip under the row shows
# the CPU each chunk started on.  A chunk during which its thread was preempted lasts as long
# as the thread waited: those are drawn as a grey line, not as work.
# data: 03-threads-timeline-1cpu.trace
f = data_dir.'/03-threads-timeline-1cpu.trace'
stats f using 1 nooutput
rows = STATS_max + 1
stats f using 4 nooutput
ncpu = int(STATS_max) + 1
stats f using 6 nooutput
tmax = STATS_max / 1000.0
stats f using ($6 - $5) nooutput
long = 3 * STATS_median   # a chunk 3x longer than usual was interrupted
set title '4 CPU-bound tasks on 4 threads pinned to ONE CPU: concurrency (the kernel time-slices them)'
set xlabel 'time since the trace started (ms)'
set ylabel 'thread'
set yrange [rows - 0.4:-0.6]
set xrange [0:tmax * 1.02]
set ytics 1
set grid noytics
set key outside right top box opaque
set style fill solid 1.0 noborder
set linetype 1 lc rgb '#1f77b4'
set linetype 2 lc rgb '#ff7f0e'
set linetype 3 lc rgb '#2ca02c'
set linetype 4 lc rgb '#d62728'
set linetype 11 lc rgb '#333333'
set linetype 12 lc rgb '#bbbbbb'
mid(a, b) = (a + b) / 2000.0
half(a, b) = (b - a) / 2000.0
plot f using (mid($5,$6)):($1 - 0.05):(half($5,$6)):($6 - $5 < long ? 0.3 : 0.02):($6 - $5 < long ? $3 + 1 : 12) \
        with boxxyerror lc variable notitle, \
     f using (mid($5,$6)):($1 + 0.32):($6 - $5 < long ? half($5,$6) : 0):(0.04):(11 + $4 - 2 * floor($4 / 2)) \
        with boxxyerror lc variable notitle, \
     for [t = 0:3] NaN with boxes lc (t + 1) title sprintf('task %d', t), \
     NaN with lines lw 2 lc 12 title 'preempted mid-chunk', \
     for [c = 0:ncpu - 1] NaN with boxes lc (11 + c % 2) title sprintf('strip: CPU %d', c)
