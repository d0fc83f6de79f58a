# 01-memory-first-touch.gp - what a page fault costs (lab 01, bench_memory).
# data: 01-memory-first-touch.tsv
# data: 01-memory-faults.tsv
# Left: ns per access (one store per 4 KiB page) on first touch (every access a minor page
# fault) vs the same pages once resident, for base pages and for MADV_HUGEPAGE.  Right: the
# faults per MiB that were actually taken - 256 means 4 KiB pages, 0.5 means 2 MiB huge
# pages were granted (regions under 2 MiB cannot get one).  --compare: the student's series
# dashed with open points over the reference's.
ft = data_dir.'/01-memory-first-touch.tsv'
fl = data_dir.'/01-memory-faults.tsv'
ft2 = mine('01-memory-first-touch.tsv')
fl2 = mine('01-memory-faults.tsv')
set label 999 noenhanced
set multiplot layout 1,2 title 'First touch of fresh memory: the page-fault cost, 4 KiB pages vs transparent huge pages'
set logscale xy
set xrange [40000:400000000]
set xtics ('64K' 65536, '256K' 262144, '1M' 1048576, '4M' 4194304, \
	   '16M' 16777216, '64M' 67108864, '256M' 268435456)
set xlabel 'region size (bytes, log scale)'
set ylabel 'time per access (ns, log scale; median, bars q1..q3)'
# the legend lives in the empty band above 10 us, in a small font
set key top right font ',9' samplen 2 spacing 0.9 box opaque
set yrange [1:300000]
set title 'ns per access (one 8-byte store per 4 KiB page)'
plot ft u 2:(sel(1,'first-touch-4K') ? $7 : NaN):6:8 w yerrorlines lw 2 pt 7 lc rgb '#c0392b' t 'first touch, 4 KiB pages', \
     ft u 2:(sel(1,'first-touch-THP') ? $7 : NaN):6:8 w yerrorlines lw 2 pt 5 lc rgb '#e67e22' t 'first touch, MADV\_HUGEPAGE', \
     ft u 2:(sel(1,'resident-4K') ? $7 : NaN):6:8 w yerrorlines lw 2 pt 7 lc rgb '#2471a3' t 'resident (no fault), 4 KiB', \
     ft u 2:(sel(1,'resident-THP') ? $7 : NaN):6:8 w yerrorlines lw 2 pt 5 lc rgb '#17a589' t 'resident, MADV\_HUGEPAGE', \
     for [k=1:nm] ft2 u 2:(sel(1,'first-touch-4K') ? $7 : NaN):6:8 w yerrorlines lw 2 dt mine_dt pt 6 lc rgb '#c0392b' notitle, \
     for [k=1:nm] ft2 u 2:(sel(1,'first-touch-THP') ? $7 : NaN):6:8 w yerrorlines lw 2 dt mine_dt pt 4 lc rgb '#e67e22' notitle, \
     for [k=1:nm] ft2 u 2:(sel(1,'resident-4K') ? $7 : NaN):6:8 w yerrorlines lw 2 dt mine_dt pt 6 lc rgb '#2471a3' notitle, \
     for [k=1:nm] ft2 u 2:(sel(1,'resident-THP') ? $7 : NaN):6:8 w yerrorlines lw 2 dt mine_dt pt 4 lc rgb '#17a589' notitle, \
     @tree_keys
set title 'which pages did the kernel give? (faults on first touch)'
set ylabel 'minor page faults per MiB touched (log scale)'
set yrange [0.1:20000]
# (gnuplot underestimates the width of escaped names like MADV\_HUGEPAGE: widen the box)
set key width 3
set label 1 '256/MiB = one fault per 4 KiB page' at graph 0.03, first 400 font ',9'
set label 2 '0.5/MiB = one fault per 2 MiB huge page' at graph 0.03, first 0.25 font ',9'
plot fl u 2:(sel(1,'faults-4K') ? $7 : NaN):6:8 w yerrorlines lw 2 pt 7 lc rgb '#c0392b' t 'MADV\_NOHUGEPAGE', \
     fl u 2:(sel(1,'faults-THP') ? $7 : NaN):6:8 w yerrorlines lw 2 pt 5 lc rgb '#e67e22' t 'MADV\_HUGEPAGE', \
     for [k=1:nm] fl2 u 2:(sel(1,'faults-4K') ? $7 : NaN):6:8 w yerrorlines lw 2 dt mine_dt pt 6 lc rgb '#c0392b' notitle, \
     for [k=1:nm] fl2 u 2:(sel(1,'faults-THP') ? $7 : NaN):6:8 w yerrorlines lw 2 dt mine_dt pt 4 lc rgb '#e67e22' notitle, \
     @tree_keys
unset multiplot
