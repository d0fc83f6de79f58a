# 08-fibers-echo.gp - echo requests/s: the fiber server vs the same server as lab-07 loop
# callbacks, at 1, 100 and 1,000 connections.
# data: 08-fibers-echo.tsv
# --compare: the student's medians as open diamonds (q1..q3 bars) beside the reference's bars.
f = data_dir.'/08-fibers-echo.tsv'
f2 = mine('08-fibers-echo.tsv')
set title 'Echo server on one thread: blocking-style fibers vs loop callbacks (64-byte requests)'
set ylabel 'requests per second'
set xlabel 'concurrent connections'
set yrange [0:*]
# the default run measures 1, 100 and 1000 connections; a --full run adds 10,000 (or as many
# thousands as the descriptor limit allows)
stats f using 2 nooutput
nbig = STATS_max
if (compare) {
	stats f2 using 2 nooutput
	nbig = STATS_max > nbig ? STATS_max : nbig
	# room above the tallest bar or diamond for the legend's four lines
	stats f using 8 name 'Q' nooutput
	stats f2 using 8 name 'Q2' nooutput
	set yrange [0:(Q2_max > Q_max ? Q2_max : Q_max) * 1.3]
}
set xrange [-0.6:(nbig > 1000 ? 3.6 : 2.6)]
set xtics ('1' 0, '100' 1, '1000' 2)
if (nbig > 1000) { set xtics add (sprintf('%.0f', nbig) 3) }
set style fill solid 0.8 border -1
# with a comparison each reference bar has the student's diamond at its right
set boxwidth (compare ? 0.28 : 0.36)
u = compare ? -0.3 : -0.19
c = compare ? 0.12 : 0.19
m = 0.22
set key top right box opaque
set grid noxtics
x(n) = n == 1 ? 0 : n == 100 ? 1 : n == 1000 ? 2 : 3
plot f using (sel(1,'fiber-echo') ? x($2) + u : NaN):7 with boxes lc rgb '#9467bd' title 'fibers (fiber\_read / fiber\_write)', \
     f using (sel(1,'fiber-echo') ? x($2) + u : NaN):7:6:8 with yerrorbars pt 0 lc rgb '#000000' notitle, \
     f using (sel(1,'loop-echo') ? x($2) + c : NaN):7 with boxes lc rgb '#8c564b' title 'lab-07 loop callbacks', \
     f using (sel(1,'loop-echo') ? x($2) + c : NaN):7:6:8 with yerrorbars pt 0 lc rgb '#000000' notitle, \
     f using (x($2) + (sel(1,'fiber-echo') ? u : c)):($8):(sprintf('%.0fk', $7 / 1000)) with labels offset 0,0.7 font ',9' notitle, \
     for [k=1:nm] f2 using (sel(1,'fiber-echo') ? x($2) + u + m : NaN):7:6:8 with yerrorbars pt 12 \
	ps 1.6 lw 1.5 lc rgb '#9467bd' notitle, \
     for [k=1:nm] f2 using (sel(1,'loop-echo') ? x($2) + c + m : NaN):7:6:8 with yerrorbars pt 12 \
	ps 1.6 lw 1.5 lc rgb '#8c564b' notitle, \
     @tree_keys_bars
