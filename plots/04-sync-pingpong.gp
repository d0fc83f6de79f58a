# 04-sync-pingpong.gp - one-way handoff between two threads through a channel (ping-pong / 2).
# data: 04-sync-pingpong.tsv
f = data_dir.'/04-sync-pingpong.tsv'
set title 'Handing a value to another OS thread through a channel: one-way latency (ping-pong round trip / 2)'
set ylabel 'one-way handoff (microseconds)'
set xlabel 'where the two threads run (pinned)'
set xtics ('same CPU' 0, 'two different CPUs' 1)
set xrange [-0.6:1.6]
set yrange [0:*]
set style fill solid 0.7 border -1
set boxwidth 0.36
set key top left box opaque
set grid noxtics
plot \
  f using (sel(1,'unbuffered') ? $2 - 0.19 : NaN):7 with boxes lc rgb '#1f77b4' title 'unbuffered (rendezvous)', \
  f using (sel(1,'unbuffered') ? $2 - 0.19 : NaN):7:6:8 with yerrorbars lc rgb 'black' ps 0 notitle, \
  f using (sel(1,'unbuffered') ? $2 - 0.19 : NaN):($8):(sprintf('%.1f', $7)) with labels offset 0,0.8 font ',10' notitle, \
  f using (sel(1,'capacity-1') ? $2 + 0.19 : NaN):7 with boxes lc rgb '#ff7f0e' title 'capacity 1', \
  f using (sel(1,'capacity-1') ? $2 + 0.19 : NaN):7:6:8 with yerrorbars lc rgb 'black' ps 0 notitle, \
  f using (sel(1,'capacity-1') ? $2 + 0.19 : NaN):($8):(sprintf('%.1f', $7)) with labels offset 0,0.8 font ',10' notitle
