# 03-threads-timeline-ncpu.gp - the same four threads free on every usable CPU: parallelism.
# The drawing is shared: plots/gantt.gpi.
# data: 03-threads-timeline-ncpu.trace
f = data_dir.'/03-threads-timeline-ncpu.trace'
fig_title = 'The same 4 tasks, threads free on all usable CPUs: parallelism (as far as there are cores)'
load plots_dir.'/gantt.gpi'
