# 03-threads-cost.gp - what one thread costs: time to create+join it (left) and memory per
# idle thread, reserved (virtual) vs resident, by stack size (right).
# data: 03-threads-create.tsv
# data: 03-threads-memory.tsv
cr = data_dir.'/03-threads-create.tsv'
mem = data_dir.'/03-threads-memory.tsv'
set multiplot layout 1,2 title 'The cost of an OS thread' font ',13'
set title 'create + join one thread vs one process'
set ylabel 'microseconds (log scale)'
set logscale y
set xrange [0.4:3.6]
set xtics ("thread" 1, "thread\n64 KiB stack" 2, "process\nfork+waitpid" 3)
set style fill solid 0.8
set boxwidth 0.5
set key off
plot cr using 2:7 with boxes lc rgb '#1f77b4', \
     cr using 2:7:6:8 with yerrorbars pt 0 lc rgb '#000000', \
     cr using ($2 + 0.12):7:(sprintf('%.0f us', $7)) with labels left offset 3,0.6 font ',9'
set title 'memory per idle thread, by stack size'
set xlabel 'stack size (KiB, log scale)'
set ylabel 'KiB per thread (log scale)'
set logscale xy 2
set xrange [40:13000]
set xtics (64, 256, 1024, 8192)
set key top left box opaque
unset style fill
plot mem using 2:(sel(1,'virtual') ? $7 : NaN):6:8 with yerrorlines pt 7 lw 2 lc rgb '#d62728' title 'virtual (VmSize)', \
     mem using 2:(sel(1,'rss-touch48k') ? $7 : NaN):6:8 with yerrorlines pt 5 lw 2 lc rgb '#ff7f0e' title 'resident, 48 KiB of stack used', \
     mem using 2:(sel(1,'rss') ? $7 : NaN):6:8 with yerrorlines pt 9 lw 2 lc rgb '#1f77b4' title 'resident (VmRSS), idle'
unset multiplot
