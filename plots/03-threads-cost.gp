# 03-threads-cost.gp - what one thread costs: time to create+join it (left) and memory per
# idle thread, reserved (virtual) vs resident, by stack size (right).
# data: 03-threads-create.tsv
# data: 03-threads-memory.tsv
# --compare: the student's medians as open diamonds beside the bars, dashed lines on the right.
cr = data_dir.'/03-threads-create.tsv'
mem = data_dir.'/03-threads-memory.tsv'
cr2 = mine('03-threads-create.tsv')
mem2 = mine('03-threads-memory.tsv')
set multiplot layout 1,2 title 'The cost of an OS thread' font ',13'
set title 'create + join one thread vs one process'
set ylabel 'microseconds (log scale; median, bars q1..q3)'
set logscale y
set xrange [0.4:3.6]
set xtics ("thread" 1, "thread\n64 KiB stack" 2, "process\nfork+waitpid" 3)
set style fill solid 0.8
dx = compare ? -0.1 : 0
set boxwidth (compare ? 0.4 : 0.5)
set key top left font ',9' box opaque
# the bars need no legend of their own: only a comparison has one (which tree is which)
if (!compare) { set key off }
plot cr using ($2+dx):7 with boxes lc rgb '#1f77b4' notitle, \
     cr using ($2+dx):7:6:8 with yerrorbars pt 0 lc rgb '#000000' notitle, \
     cr using ($2+dx):7:(sprintf('%.0f us', $7)) with labels right offset -2.2,0.6 font ',9' notitle, \
     for [k=1:nm] cr2 using ($2+0.25):7:6:8 with yerrorbars pt 12 ps 1.6 lw 1.5 lc rgb '#000000' notitle, \
     for [k=1:nm] cr2 using ($2+0.25):7:(sprintf('%.0f', $7)) with labels left offset 1.2,0 font ',9' notitle, \
     @tree_keys_bars
set title 'memory per idle thread, by stack size'
set xlabel 'stack size (KiB, log scale)'
set ylabel 'KiB per thread (log scale)'
set logscale xy 2
set xrange [40:13000]
set xtics (64, 256, 1024, 8192)
set key top left box opaque font ',10'
unset style fill
plot mem using 2:(sel(1,'virtual') ? $7 : NaN):6:8 with yerrorlines pt 7 lw 2 lc rgb '#d62728' title 'virtual (VmSize)', \
     mem using 2:(sel(1,'rss-touch48k') ? $7 : NaN):6:8 with yerrorlines pt 5 lw 2 lc rgb '#ff7f0e' title 'resident, 48 KiB of stack used', \
     mem using 2:(sel(1,'rss') ? $7 : NaN):6:8 with yerrorlines pt 9 lw 2 lc rgb '#1f77b4' title 'resident (VmRSS), idle', \
     for [k=1:nm] mem2 using 2:(sel(1,'virtual') ? $7 : NaN):6:8 with yerrorlines pt 6 lw 2 dt mine_dt lc rgb '#d62728' notitle, \
     for [k=1:nm] mem2 using 2:(sel(1,'rss-touch48k') ? $7 : NaN):6:8 with yerrorlines pt 4 lw 2 dt mine_dt lc rgb '#ff7f0e' notitle, \
     for [k=1:nm] mem2 using 2:(sel(1,'rss') ? $7 : NaN):6:8 with yerrorlines pt 8 lw 2 dt mine_dt lc rgb '#1f77b4' notitle, \
     @tree_keys
unset multiplot
