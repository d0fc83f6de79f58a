# 04-sync-pingpong.gp - one-way handoff between two threads through a channel (ping-pong / 2).
# data: 04-sync-pingpong.tsv
# --compare: the student's medians as open diamonds (q1..q3 bars) beside the reference's bars.
f = data_dir.'/04-sync-pingpong.tsv'
f2 = mine('04-sync-pingpong.tsv')
# room above the tallest bar for its error bar and value label, inside the frame
stats f using 8 name 'Q' nooutput
ytop = Q_max
if (compare) {
	stats f2 using 8 name 'Q2' nooutput
	ytop = Q2_max > ytop ? Q2_max : ytop
}
set title "Handing a value to another OS thread through a channel: one-way latency (ping-pong round trip / 2)\n{/*0.8 bar: the median of the runs; black whisker: the middle half of them (q1..q3)}"
set ylabel 'one-way handoff (microseconds)'
set xlabel 'where the two threads run (pinned)'
set xtics ('same CPU' 0, 'two different CPUs' 1)
set xrange [-0.6:1.6]
set yrange [0:ytop * 1.2]
set style fill solid 0.7 border -1
bw = compare ? 0.28 : 0.36
set boxwidth bw
set key top left box opaque
set grid noxtics
set xtics scale 0
set label 999 noenhanced
# with a comparison each reference bar has the student's diamond at its right
u = compare ? -0.3 : -0.19
c = compare ? 0.12 : 0.19
m = 0.22
plot \
  f using (sel(1,'unbuffered') ? $2 + u : NaN):7 with boxes lc rgb '#1f77b4' title 'unbuffered (rendezvous)', \
  f using (sel(1,'unbuffered') ? $2 + u : NaN):7:6:8 with yerrorbars lc rgb 'black' ps 0 notitle, \
  f using (sel(1,'unbuffered') ? $2 + u : NaN):($8):(sprintf('%.1f', $7)) with labels offset 0,0.8 font ',10' notitle, \
  f using (sel(1,'capacity-1') ? $2 + c : NaN):7 with boxes lc rgb '#ff7f0e' title 'capacity 1', \
  f using (sel(1,'capacity-1') ? $2 + c : NaN):7:6:8 with yerrorbars lc rgb 'black' ps 0 notitle, \
  f using (sel(1,'capacity-1') ? $2 + c : NaN):($8):(sprintf('%.1f', $7)) with labels offset 0,0.8 font ',10' notitle, \
  for [k=1:nm] f2 using (sel(1,'unbuffered') ? $2 + u + m : NaN):7:6:8 with yerrorbars pt 12 ps 1.6 lw 1.5 lc rgb '#1f77b4' notitle, \
  for [k=1:nm] f2 using (sel(1,'capacity-1') ? $2 + c + m : NaN):7:6:8 with yerrorbars pt 12 ps 1.6 lw 1.5 lc rgb '#ff7f0e' notitle, \
  @tree_keys_bars
