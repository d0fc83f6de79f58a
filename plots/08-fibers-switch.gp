# 08-fibers-switch.gp - one switch: our assembly (pop+jmp, the same between two rounding modes,
# ret), fiber_yield through the scheduler, glibc's swapcontext, and a handoff between two OS
# threads.  Log scale.
# data: 08-fibers-switch.tsv
f = data_dir.'/08-fibers-switch.tsv'
set title 'What one switch costs: one-way, median of ping-pong samples (bars: q1..q3)'
set ylabel 'nanoseconds per switch (log scale)'
set logscale y
set yrange [1:*]
set xrange [-0.6:5.6]
set xtics ("asm\npop + jmp" 0, "asm pop + jmp\n2 rounding modes" 1, "asm\nret" 2, \
	   "fiber\\_yield\n(2 switches + queue)" 3, "glibc\nswapcontext" 4, \
	   "two OS threads\nmutex + condvar" 5)
set style fill solid 0.8 border -1
set boxwidth 0.55
set key off
set grid noxtics
plot f using 2:7 with boxes lc rgb '#1f77b4', \
     f using 2:7:6:8 with yerrorbars pt 0 lc rgb '#000000', \
     f using 2:($8 * 1.15):(sprintf('%.1f ns', $7)) with labels offset 0,0.6 font ',10'
