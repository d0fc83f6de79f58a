# 09-stackless-memory.gp - what one suspended task costs in memory: stackless state structs
# and C++20 frames (exact sizes) vs a fiber stack vs an OS thread (measured).
# data: 09-stackless-memory.tsv
# data: 09-stackless-memory-cxx.tsv
# Rows (bench_memory.c, bench_cxx_coro.cpp): 1-7 sizeof this lab's structs, 8-9 C++20 frames,
# 10 the nominal 16 KiB fiber stack (lab 08 measures its RSS), 11-12 a default pthread.
# --compare: the student's numbers as open diamonds (q1..q3 bars) beside the reference's bars.
f = data_dir.'/09-stackless-memory.tsv'
g = data_dir.'/09-stackless-memory-cxx.tsv'
f2 = mine('09-stackless-memory.tsv')
g2 = mine('09-stackless-memory-cxx.tsv')
set title "Memory per suspended task (bytes, log scale): stackless vs stackful"
set ylabel 'bytes per task (log scale)'
set logscale y
set format y '10^{%L}'
set yrange [10:5e7]
set xrange [0.4:12.6]
set boxwidth 0.65
set style fill solid 0.75 border lc rgb '#333333'
set xtics nomirror scale 0 rotate by -35 left font ',9' noenhanced
set grid noxtics ytics lc rgb '#cccccc' lw 1 dt 1
set key top left
set bmargin bm + 3
set label 999 noenhanced
colour(x) = x <= 7 ? 0x1b9e77 : x <= 9 ? 0x7570b3 : x == 10 ? 0xe6ab02 : 0xd95f02
# the notes' figures (seed 004, "indicative"): a Rust future ~100 B, a goroutine 2 KB
set arrow 1 from 0.4, 100 to 12.6, 100 nohead dt 2 lw 1.5 lc rgb '#c03030'
set label 1 'the notes: "Rust future ~100 B"' at 0.6, 135 left tc rgb '#c03030' font ',9' noenhanced
set arrow 2 from 0.4, 2048 to 12.6, 2048 nohead dt 3 lw 1.2 lc rgb '#777777'
set label 2 'the notes: "goroutine 2KB"' at 0.6, 2700 left tc rgb '#777777' font ',9' noenhanced
# with a comparison the bars narrow and move left; the student's diamonds stand to their right
dx = compare ? -0.12 : 0
set boxwidth (compare ? 0.5 : 0.65)
plot f using ($2+dx):7:(colour($2)):xtic(1) with boxes lc rgb variable notitle, \
     g using ($2+dx):7:(colour($2)):xtic(1) with boxes lc rgb variable notitle, \
     f using ($2+dx):7:6:8 with yerrorbars lc rgb '#222222' pt 7 ps 0.3 lw 1.2 notitle, \
     f using ($2+dx):($7*1.6):($7 >= 1048576 ? sprintf('%.3g MiB', $7/1048576) : \
	$7 >= 1024 ? sprintf('%.3g KiB', $7/1024) : sprintf('%g B', $7)) \
	with labels font ',9' notitle, \
     g using ($2+dx):($7*1.6):(sprintf('%g B', $7)) with labels font ',9' notitle, \
     for [k=1:nm] f2 using ($2+0.25):7:6:8 with yerrorbars pt 12 ps 1.6 lw 1.5 \
	lc rgb '#000000' notitle, \
     for [k=1:nm] g2 using ($2+0.25):7:6:8 with yerrorbars pt 12 ps 1.6 lw 1.5 \
	lc rgb '#000000' notitle, \
     NaN with boxes lc rgb '#1b9e77' title 'stackless, this lab (sizeof)', \
     NaN with boxes lc rgb '#7570b3' title 'C++20 coroutine frame (g++)', \
     NaN with boxes lc rgb '#e6ab02' title 'fiber stack (nominal)', \
     NaN with boxes lc rgb '#d95f02' title 'OS thread (measured)', \
     @tree_keys_bars
