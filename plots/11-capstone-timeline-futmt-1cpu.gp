# 11-capstone-timeline-futmt-1cpu.gp - 4 mixed requests (wait, then hash) run by one model; each
# box is a slice of one request's hashing, one row per thread.  The drawing: plots/gantt.gpi.
# data: 11-capstone-timeline-futmt-1cpu.trace
# data: 11-capstone-mixed.tsv
# (the trace has no load record: the busy-machine verdict comes from the same harness run's
# mixed dataset)
trace_name = '11-capstone-timeline-futmt-1cpu.trace'
f = data_dir.'/'.trace_name
fig_title = 'the work-stealing executor (lab 10, one worker per CPU) pinned to ONE CPU: its workers take turns (the kernel interleaves them)'
expect_spread = 0
load plots_dir.'/gantt.gpi'
