# 08-fibers-spawn.gp - spawn + run + join, per fiber (batch and one by one) and per OS thread.
# data: 08-fibers-spawn.tsv
# --compare: the student's medians as open diamonds (q1..q3 bars) beside the reference's bars.
f = data_dir.'/08-fibers-spawn.tsv'
f2 = mine('08-fibers-spawn.tsv')
set title 'Starting and finishing a fiber vs an OS thread (spawn/create + run + join)'
set ylabel 'nanoseconds each (log scale)'
set logscale y
set yrange [10:1e6]
set xrange [-0.6:2.6]
set xtics ("fibers: spawn all,\nthen join all" 0, "fibers: spawn one,\njoin it, repeat" 1, \
	   "OS threads: create,\njoin, repeat" 2)
set style fill solid 0.8 border -1
# the bars need no legend of their own: only a comparison has one (which tree is which), and
# then the bars narrow and move left, the student's diamonds stand to their right
dx = compare ? -0.12 : 0
set boxwidth (compare ? 0.45 : 0.55)
if (compare) { set key top left box opaque } else { set key off }
set grid noxtics
x(s) = s eq 'batch' ? 0 : s eq 'one-by-one' ? 1 : 2
plot f using (x(strcol(1))+dx):7 with boxes lc rgb '#2ca02c' notitle, \
     f using (x(strcol(1))+dx):7:6:8 with yerrorbars pt 0 lc rgb '#000000' notitle, \
     f using (x(strcol(1))+dx):($8 * 1.2):(sprintf('%.0f ns x %.0f = %.3f s', $7, $2, $7 * $2 / 1e9)) with labels offset 0,0.6 font ',9' notitle, \
     for [k=1:nm] f2 using (x(strcol(1))+0.25):7:6:8 with yerrorbars pt 12 ps 1.6 lw 1.5 \
	lc rgb '#000000' notitle, \
     @tree_keys_bars
