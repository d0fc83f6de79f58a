# 03-threads-timeline-ncpu.gp - the same four threads free on every usable CPU: parallelism.
# The drawing is shared: plots/gantt.gpi.
# data: 03-threads-timeline-ncpu.trace
# data: 03-threads-trace-cost.tsv
# (the trace has no load record: the busy-machine verdict comes from the same harness run's
# trace-cost dataset)
trace_name = '03-threads-timeline-ncpu.trace'
f = data_dir.'/'.trace_name
fig_title = 'The same 4 tasks, threads free on all usable CPUs: parallelism (as far as there are cores)'
expect_spread = 1
load plots_dir.'/gantt.gpi'
