# 11-capstone-units.gp - the notes' "indicative" table, measured: ns per handoff and bytes per
# unit for every kind of unit, the notes' numbers drawn as red marks beside them.
# --compare: the student's medians as open diamonds (q1..q3 bars) beside the reference's bars.
# data: 11-capstone-units-handoff.tsv
# data: 11-capstone-units-memory.tsv
h = data_dir.'/11-capstone-units-handoff.tsv'
m = data_dir.'/11-capstone-units-memory.tsv'
h2 = mine('11-capstone-units-handoff.tsv')
m2 = mine('11-capstone-units-memory.tsv')
absent = system("sed -n 's/^# note: .*absent: //p' ".m." | head -1")
array names[6] = ["OS thread", "fiber", "stackless\n(generator)", "future\n(lab 10)", \
	"C++20\ncoroutine", "goroutine"]
array notes_ns[6] = [NaN, NaN, NaN, 50, 70, 200]
array notes_b[6] = [NaN, NaN, NaN, 100, NaN, 2048]
# the thread and stackless rows (x = 1, 3) are recorded per round trip (two handoffs: there
# and back, see bench_units.c); the figure shows one handoff for every row
hand(x, v) = (x == 1 || x == 3) ? v / 2 : v
set multiplot layout 1,2 title 'One unit of concurrency: what a handoff and a parked unit cost' font ',13'
set style fill solid 0.75 border lc rgb '#333333'
# with a comparison the bars narrow and move left; the student's diamonds stand to their right
dx = compare ? -0.12 : 0
set boxwidth (compare ? 0.5 : 0.6)
set xrange [0.4:6.6]
set xtics ('' 1) nomirror scale 0 font ',9' noenhanced
set for [i=1:6] xtics add (names[i] i)
set grid noxtics ytics
set logscale y
set key top left font ',9'
if (absent ne '') {
	set label 5 'not measured: '.absent at screen 0.5, screen 0.09 center font ',9' \
		tc rgb '#cc0000' noenhanced
}
set bmargin bm + 3
set title 'one handoff between two units (ns, log scale)'
set ylabel 'ns'
set yrange [0.3:1e5]
plot h using ($2+dx):(hand($2,$7)) with boxes lc rgb '#1f77b4' title 'measured here (median)', \
     h using ($2+dx):(hand($2,$7)):(hand($2,$6)):(hand($2,$8)) with yerrorbars lc rgb '#222222' \
	pt 7 ps 0.3 notitle, \
     h using ($2+dx):(hand($2,$8)*1.6):(hand($2,$7) >= 1000 ? sprintf('%.3g µs', hand($2,$7)/1000) : sprintf('%.3g', hand($2,$7))) with labels font ',9' notitle, \
     notes_ns using ($1+dx):(notes_ns[$1]) with points pt 9 ps 2 lc rgb '#cc0000' \
	title 'switch time in the notes (seed 004)', \
     for [k=1:nm] h2 using ($2+0.25):(hand($2,$7)):(hand($2,$6)):(hand($2,$8)) with yerrorbars \
	pt 12 ps 1.6 lw 1.5 lc rgb '#000000' notitle, \
     @tree_keys_bars
set title 'memory per parked unit (bytes, log scale)'
set ylabel 'bytes'
set yrange [10:1e6]
plot m using ($2+dx):7 with boxes lc rgb '#2ca02c' title 'measured here', \
     m using ($2+dx):($7*1.5):($7 >= 1024 ? sprintf('%.3g KiB', $7/1024) : sprintf('%.0f B', $7)) \
	with labels font ',9' notitle, \
     notes_b using ($1+dx):(notes_b[$1]) with points pt 9 ps 2 lc rgb '#cc0000' \
	title 'memory per unit in the notes', \
     for [k=1:nm] m2 using ($2+0.25):7:6:8 with yerrorbars pt 12 ps 1.6 lw 1.5 lc rgb '#000000' \
	notitle, \
     @tree_keys_bars
unset multiplot
