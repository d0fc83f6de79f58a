# 08-fibers-memory.gp - memory per idle fiber (4, 16, 64 KiB stacks) and per idle OS thread
# (default stack): reserved address space vs resident pages.  Log-log.
# data: 08-fibers-memory.tsv
# --compare: the student's series dashed with open points over the reference's; the thread's
# marks (open in the plain figure) are then filled, the student's open ones beside them.
f = data_dir.'/08-fibers-memory.tsv'
f2 = mine('08-fibers-memory.tsv')
set title 'Memory per idle fiber and per idle OS thread (each touched 1 KiB of stack)'
set xlabel 'stack size (KiB, log scale)'
set ylabel 'KiB per fiber / thread (log scale)'
set logscale xy 2
set xrange [2.5:16384]
set yrange [1:16384]
set xtics (4, 16, 64, 256, 1024, 8192)
set key top left box opaque
# the rows of the series alternate: the other series' rows are missing, not breaks in the line
set datafile missing NaN
tpt_v = compare ? 7 : 6
tpt_r = compare ? 9 : 8
plot f using 2:(sel(1,'fiber-virtual') ? $7 : NaN):6:8 with yerrorlines pt 7 lw 2 lc rgb '#d62728' title 'fiber: virtual (VmSize)', \
     f using 2:(sel(1,'fiber-rss') ? $7 : NaN):6:8 with yerrorlines pt 9 lw 2 lc rgb '#1f77b4' title 'fiber: resident (VmRSS)', \
     f using 2:(sel(1,'thread-virtual') ? $7 : NaN):6:8 with yerrorbars pt tpt_v ps 2 lw 2 lc rgb '#d62728' title 'OS thread: virtual', \
     f using 2:(sel(1,'thread-rss') ? $7 : NaN):6:8 with yerrorbars pt tpt_r ps 2 lw 2 lc rgb '#1f77b4' title 'OS thread: resident', \
     f using 2:(sel(1,'fiber-rss') || sel(1,'thread-rss') ? $7 * 0.6 : NaN):(sprintf('%.1f', $7)) with labels font ',9' tc rgb '#1f77b4' notitle, \
     f using 2:(sel(1,'fiber-virtual') || sel(1,'thread-virtual') ? $7 * 1.6 : NaN):(sprintf('%.0f', $7)) with labels font ',9' tc rgb '#d62728' notitle, \
     for [k=1:nm] f2 using 2:(sel(1,'fiber-virtual') ? $7 : NaN):6:8 with yerrorlines pt 6 \
	ps 1.3 lw 2 dt mine_dt lc rgb '#d62728' notitle, \
     for [k=1:nm] f2 using 2:(sel(1,'fiber-rss') ? $7 : NaN):6:8 with yerrorlines pt 8 \
	ps 1.6 lw 2 dt mine_dt lc rgb '#1f77b4' notitle, \
     for [k=1:nm] f2 using ($2*1.4):(sel(1,'thread-virtual') ? $7 : NaN):6:8 with yerrorbars pt 6 \
	ps 2 lw 2 lc rgb '#d62728' notitle, \
     for [k=1:nm] f2 using ($2*1.4):(sel(1,'thread-rss') ? $7 : NaN):6:8 with yerrorbars pt 8 \
	ps 2 lw 2 lc rgb '#1f77b4' notitle, \
     @tree_keys
