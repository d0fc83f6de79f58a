# 03-threads-timeline-1thread.gp - four tasks interleaved by hand on one thread, as an event loop or a fiber scheduler would.
# The drawing is shared: plots/gantt.gpi.
# data: 03-threads-timeline-1thread.trace
f = data_dir.'/03-threads-timeline-1thread.trace'
fig_title = '4 CPU-bound tasks on ONE thread, taking turns: concurrency, no parallelism (cooperative)'
zoom_ms = 2.5   # 4 tasks x ~0.1 ms chunks: the turns are only visible close up
load plots_dir.'/gantt.gpi'
