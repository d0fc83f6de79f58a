# 03-threads-timeline-1cpu.gp - four threads on one CPU: the kernel interleaves them (preemptive concurrency).
# The drawing is shared: plots/gantt.gpi.
# data: 03-threads-timeline-1cpu.trace
# data: 03-threads-trace-cost.tsv
# (the trace has no load record: the busy-machine verdict comes from the same harness run's
# trace-cost dataset)
trace_name = '03-threads-timeline-1cpu.trace'
f = data_dir.'/'.trace_name
fig_title = '4 CPU-bound tasks on 4 threads pinned to ONE CPU: concurrency (the kernel time-slices them)'
load plots_dir.'/gantt.gpi'
