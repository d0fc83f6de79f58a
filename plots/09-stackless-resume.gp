# 09-stackless-resume.gp - what one resume of a coroutine costs: by hand, with the two macro
# sets, g++'s C++20 coroutine and the lab-08 fiber (stackful), against a plain indirect call.
# data: 09-stackless-resume.tsv
# data: 09-stackless-resume-cxx.tsv
# Rows (bench_resume.c, bench_cxx_coro.cpp): x = 1 call, 2 switch, 3 pt_line, 4 pt_goto,
# 5 C++20, 6 the lab-08 fiber (ctx_switch there and back: bench_resume links lab 08's library).
f = data_dir.'/09-stackless-resume.tsv'
g = data_dir.'/09-stackless-resume-cxx.tsv'
f2 = mine('09-stackless-resume.tsv')
g2 = mine('09-stackless-resume-cxx.tsv')
set title "One resume (and suspension) of a counting coroutine: ns, median, bars q1..q3"
set ylabel 'time per resume (ns, log scale)'
set xlabel 'how the coroutine is made (same thread, one call per resume)' offset 0,-1
set logscale y
set format y '%g'
set yrange [0.3:300]
set xrange [0.4:6.6]
set style fill solid 0.75 border lc rgb '#333333'
set xtics nomirror scale 0 font ',9' noenhanced
set grid noxtics ytics lc rgb '#cccccc' lw 1 dt 1
set key top left
set bmargin 7
set label 999 noenhanced
name(x) = x == 1 ? "plain call\n(the floor)" : \
	  x == 2 ? "hand-written\nswitch (steps 1-2)" : \
	  x == 3 ? "pt_line.h\nswitch on __LINE__" : \
	  x == 4 ? "pt_goto.h\ncomputed goto" : \
	  x == 5 ? "C++20 co_yield\n(g++ -O2)" : \
	  x == 6 ? "lab-08 fiber\nctx_switch there+back" : ''
set xtics (name(1) 1, name(2) 2, name(3) 3, name(4) 4, name(5) 5, name(6) 6)
# the notes' figure for C++ coroutines (seed 004, "indicative")
set arrow 1 from 0.4, 70 to 6.6, 70 nohead dt 2 lw 1.5 lc rgb '#c03030'
set label 1 'the notes: "C++ coroutine ~70 ns"' at 6.5, 85 right tc rgb '#c03030' font ',10' noenhanced
# with a comparison the bars narrow and move left; the student's diamonds stand to their right
dx = compare ? -0.13 : 0
set boxwidth (compare ? 0.45 : 0.6)
stackless(x) = x <= 4 ? x : NaN
plot f using (stackless($2)+dx):7 with boxes lc rgb '#1b9e77' title 'C, stackless (this lab)', \
     g using ($2+dx):7 with boxes lc rgb '#7570b3' title 'C++20 coroutine (stackless)', \
     f using ($2 == 6 ? $2+dx : NaN):7 with boxes lc rgb '#d95f02' title 'lab-08 fiber (stackful)', \
     f using ($2+dx):7:6:8 with yerrorbars lc rgb '#222222' pt 7 ps 0.3 lw 1.5 notitle, \
     g using ($2+dx):7:6:8 with yerrorbars lc rgb '#222222' pt 7 ps 0.3 lw 1.5 notitle, \
     f using ($2+dx):($8*1.3):(sprintf('%.2g ns', $7)) with labels font ',10' notitle, \
     g using ($2+dx):($8*1.3):(sprintf('%.2g ns', $7)) with labels font ',10' notitle, \
     for [k=1:nm] f2 using ($2+0.25):7:6:8 with yerrorbars pt 12 ps 1.6 lw 1.5 \
	lc rgb '#000000' notitle, \
     for [k=1:nm] g2 using ($2+0.25):7:6:8 with yerrorbars pt 12 ps 1.6 lw 1.5 \
	lc rgb '#000000' notitle, \
     @tree_keys_bars
