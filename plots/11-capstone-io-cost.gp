# 11-capstone-io-cost.gp - what waiting costs: peak threads and peak resident memory of the
# process while each model runs N waiting requests (x labels say N: the sequential model and
# the pool run fewer, or they would take minutes).
# --compare: the student's medians as open diamonds (q1..q3 bars) beside the reference's bars.
# data: 11-capstone-io-threads.tsv
# data: 11-capstone-io-rss.tsv
load plots_dir.'/11-capstone-models.gpi'
t = data_dir.'/11-capstone-io-threads.tsv'
r = data_dir.'/11-capstone-io-rss.tsv'
t2 = mine('11-capstone-io-threads.tsv')
r2 = mine('11-capstone-io-rss.tsv')
nlabel(n) = n >= 1000 ? sprintf('N=%dk', n / 1000) : sprintf('N=%d', n)
col(s) = sum [i=1:nmodels] (models[i] eq s ? i : 0)
rgb(s) = col(s) > 0 ? int('0x'.model_colours[col(s)][2:7]) : 0
set multiplot layout 1,2 title 'I/O-bound: what N waiting requests cost each model' font ',13'
set style fill solid 0.75 border lc rgb '#333333'
# with a comparison the bars narrow and move left; the student's diamonds stand to their right
dx = compare ? -0.13 : 0
set boxwidth (compare ? 0.5 : 0.65)
set xrange [0.4:nmodels + 0.6]
set xtics nomirror scale 0 font ',9' noenhanced
set grid noxtics ytics
set logscale y
if (!compare) { set key off } else { set key top left }
# a comparison's legend needs room above the tallest bar or diamond: a decade more (log axis)
if (compare) {
	stats t using 8 name 'T1' nooutput
	stats t2 using 8 name 'T2' nooutput
	stats r using 8 name 'R1' nooutput
	stats r2 using 8 name 'R2' nooutput
	ttop = (T1_max > T2_max ? T1_max : T2_max) * 12
	rtop = (R1_max > R2_max ? R1_max : R2_max) * 12
}
set title 'peak threads of the process (log scale)'
set ylabel 'threads'
if (compare) { set yrange [0.8:ttop] } else { set yrange [0.8:*] }
plot t using (col(strcol(1))+dx):7:(rgb(strcol(1))):xtic(sprintf("%s\n%s", strcol(1), nlabel($2))) \
	with boxes lc rgb variable notitle, \
     t using (col(strcol(1))+dx):($7*1.25):(sprintf('%d', $7)) with labels font ',9' notitle, \
     for [k=1:nm] t2 using (col(strcol(1))+0.25):7:6:8 with yerrorbars pt 12 ps 1.6 lw 1.5 \
	lc rgb '#000000' notitle, \
     @tree_keys_bars
set title 'peak resident memory above the start of the run (MiB, log scale)'
set ylabel 'MiB'
if (compare) { set yrange [0.01:rtop] } else { set yrange [0.01:*] }
# a run that grew by nothing (or less: noise) is drawn at the floor of the axis
lo(v) = v > 0.01 ? v : 0.01
plot r using (col(strcol(1))+dx):($7 > 0.01 ? $7 : 0.01):(rgb(strcol(1))):xtic(sprintf("%s\n%s", \
	strcol(1), nlabel($2))) with boxes lc rgb variable notitle, \
     r using (col(strcol(1))+dx):(($7 > 0.01 ? $7 : 0.01)*1.3):(sprintf('%.2g', $7)) with labels \
	font ',9' notitle, \
     for [k=1:nm] r2 using (col(strcol(1))+0.25):(lo($7)):(lo($6)):(lo($8)) with yerrorbars pt 12 \
	ps 1.6 lw 1.5 lc rgb '#000000' notitle, \
     @tree_keys_bars
unset multiplot
