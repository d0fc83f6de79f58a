# 08-fibers-switch.gp - one switch: our assembly (pop+jmp, the same between two rounding modes,
# ret), fiber_yield through the scheduler, glibc's swapcontext, and a handoff between two OS
# threads.  Log scale.
# data: 08-fibers-switch.tsv
# --compare: the student's medians as open diamonds (q1..q3 bars) beside the reference's bars.
f = data_dir.'/08-fibers-switch.tsv'
f2 = mine('08-fibers-switch.tsv')
set title 'What one switch costs: one-way, median of ping-pong samples (bars: q1..q3)'
set ylabel 'nanoseconds per switch (log scale)'
set logscale y
set yrange [1:*]
set xrange [-0.6:5.6]
set xtics ("asm\npop + jmp" 0, "asm pop + jmp\n2 rounding modes" 1, "asm\nret" 2, \
	   "fiber\\_yield\n(2 switches + queue)" 3, "glibc\nswapcontext" 4, \
	   "two OS threads\nmutex + condvar" 5)
set style fill solid 0.8 border -1
# the bars need no legend of their own: only a comparison has one (which tree is which), and
# then the bars narrow and move left, the student's diamonds stand to their right
dx = compare ? -0.12 : 0
set boxwidth (compare ? 0.45 : 0.55)
if (compare) { set key top left box opaque } else { set key off }
set grid noxtics
plot f using ($2+dx):7 with boxes lc rgb '#1f77b4' notitle, \
     f using ($2+dx):7:6:8 with yerrorbars pt 0 lc rgb '#000000' notitle, \
     f using ($2+dx):($8 * 1.15):(sprintf('%.1f ns', $7)) with labels offset 0,0.6 font ',10' notitle, \
     for [k=1:nm] f2 using ($2+0.25):7:6:8 with yerrorbars pt 12 ps 1.6 lw 1.5 \
	lc rgb '#000000' notitle, \
     @tree_keys_bars
