# 09-stackless-resume.gp - what one resume of a stackless coroutine costs: by hand, with the
# two macro sets, and g++'s C++20 coroutine, against a plain indirect call.
# data: 09-stackless-resume.tsv
# data: 09-stackless-resume-cxx.tsv
# Rows (bench_resume.c, bench_cxx_coro.cpp): x = 1 call, 2 switch, 3 pt_line, 4 pt_goto,
# 5 C++20.  x = 6 is the slot for the lab-08 fiber switch: when lab 08's harness exists, add
# its file as a third "# data:" line and a plot clause for it at x = 6 (see the NOTE below).
f = data_dir.'/09-stackless-resume.tsv'
g = data_dir.'/09-stackless-resume-cxx.tsv'
set title "One resume of a counting coroutine: ns per resume (median, bars q1..q3)"
set ylabel 'time per resume (ns, log scale)'
set xlabel 'how the coroutine is made (same thread, one indirect call per resume)' offset 0,-1
set logscale y
set format y '%g'
set yrange [0.3:300]
set xrange [0.4:6.6]
set boxwidth 0.6
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
	  x == 6 ? "lab-08 fiber switch\n(not measured here)" : ''
set xtics add (name(6) 6)
# the notes' figure for C++ coroutines (seed 004, "indicative")
set arrow 1 from 0.4, 70 to 6.6, 70 nohead dt 2 lw 1.5 lc rgb '#c03030'
set label 1 'the notes: "C++ coroutine ~70 ns"' at 6.5, 85 right tc rgb '#c03030' font ',10' noenhanced
# NOTE (lab 08): plot the fiber switch here, e.g.
#   h = data_dir.'/08-fibers-switch.tsv'   ... h using (6):7:... with boxes
plot f using 2:7:xtic(name($2)) with boxes lc rgb '#1b9e77' title 'C, this lab', \
     g using 2:7:xtic(name($2)) with boxes lc rgb '#7570b3' title 'C++20 coroutine', \
     f using 2:7:6:8 with yerrorbars lc rgb '#222222' pt 7 ps 0.3 lw 1.5 notitle, \
     g using 2:7:6:8 with yerrorbars lc rgb '#222222' pt 7 ps 0.3 lw 1.5 notitle, \
     f using 2:($8*1.3):(sprintf('%.2g ns', $7)) with labels font ',10' notitle, \
     g using 2:($8*1.3):(sprintf('%.2g ns', $7)) with labels font ',10' notitle
