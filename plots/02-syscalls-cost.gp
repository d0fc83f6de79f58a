# 02-syscalls-cost.gp - what one request costs: a function call, system calls, the vDSO.
# data: 02-syscalls-cost.tsv
# Rows (bench_syscalls.c): x = 1..6, one per way of asking; median with q1..q3 error bars.
# --compare: the student's medians as open diamonds (q1..q3 bars) beside the reference's bars.
# Bars are coloured by whether the call crosses into the kernel: the log axis shows the
# ~100x step between staying in user space and entering the kernel.
f = data_dir.'/02-syscalls-cost.tsv'
f2 = mine('02-syscalls-cost.tsv')
set title "The price of asking the kernel: nanoseconds per call (median, bars q1..q3)"
set ylabel 'time per call (ns, log scale)'
set xlabel 'how the request is made (same process, one thread, a loop of calls)' offset 0,-1
set logscale y
set format y '%g'
set yrange [0.3:3000]
set xrange [0.4:6.6]
set boxwidth 0.6
set style fill solid 0.75 border lc rgb '#333333'
set xtics nomirror scale 0 font ',9' noenhanced
set grid noxtics ytics lc rgb '#cccccc' lw 1 dt 1
set key top left
set bmargin bm + 1
# the stamp holds names like x86_64: print it literally, not as a subscript
set label 999 noenhanced
# 1 and 5 stay in user space (a call; the vDSO); the others execute syscall/svc
kernel(x) = (x == 1 || x == 5) ? 0 : 1
colour(x) = kernel(x) ? 0xd95f02 : 0x1b9e77
# two-line tick labels, by row (the series names are in column 1 of the data)
name(x) = x == 1 ? "function call\n(noinline)" : \
	  x == 2 ? "getpid()\nlibc wrapper" : \
	  x == 3 ? "syscall(SYS_getpid)\nlibc generic wrapper" : \
	  x == 4 ? "raw getpid\n(steps 1-2)" : \
	  x == 5 ? "clock_gettime()\nvia the vDSO" : \
	  x == 6 ? "syscall(\nSYS_clock_gettime)" : strcol(1)
# with a comparison the bars narrow and move left; the student's diamonds stand to their right
dx = compare ? -0.13 : 0
set boxwidth (compare ? 0.45 : 0.6)
plot f using ($2+dx):7:(colour($2)):xtic(name($2)) with boxes lc rgb variable notitle, \
     '' using ($2+dx):7:6:8 with yerrorbars lc rgb '#222222' pt 7 ps 0.3 lw 1.5 notitle, \
     '' using ($2+dx):($8*1.35):(sprintf('%.3g ns', $7)) with labels font ',10' notitle, \
     for [k=1:nm] f2 using ($2+0.25):7:6:8 with yerrorbars pt 12 ps 1.6 lw 1.5 lc rgb '#000000' notitle, \
     for [k=1:nm] f2 using ($2+0.25):($8*1.35):(sprintf('%.3g', $7)) with labels font ',9' notitle, \
     NaN with boxes lc rgb '#1b9e77' title 'stays in user space', \
     NaN with boxes lc rgb '#d95f02' title 'enters the kernel (syscall / svc instruction)', \
     @tree_keys_bars
