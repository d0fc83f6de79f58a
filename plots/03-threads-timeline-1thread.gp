# 03-threads-timeline-1thread.gp - four tasks interleaved by hand on one thread, as an event loop or a fiber scheduler would.
# The drawing is shared: plots/gantt.gpi.
# data: 03-threads-timeline-1thread.trace
# data: 03-threads-trace-cost.tsv
# (the trace has no load record: the busy-machine verdict comes from the same harness run's
# trace-cost dataset)
trace_name = '03-threads-timeline-1thread.trace'
f = data_dir.'/'.trace_name
fig_title = '4 CPU-bound tasks on ONE thread, taking turns: concurrency, no parallelism (cooperative)'
zoom_turns = 16   # 4 tasks taking turns in short chunks: the turns are only visible close up
load plots_dir.'/gantt.gpi'
