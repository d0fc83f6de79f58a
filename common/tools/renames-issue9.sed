# renames-issue9.sed - issue 9 item 3: one naming rule across labs 01-06 (CONTRIBUTING.md,
# "Naming": the prefix is the module's (file's) name, then type, then verb; timers and watchers
# are started and stopped).  Word-boundary patterns (GNU sed), safe to run twice.
#
# Apply to a tree (a branch still in flight, e.g. lab 11) from the repository root:
#   git ls-files -z solutions tests plots workbook.md README.md CONTRIBUTING.md \
#       common/tools/grade_hints.py | xargs -0 sed -i -f common/tools/renames-issue9.sed
#   git mv solutions/06-event-queues/timer.c solutions/06-event-queues/evq_timer.c
#   (then update the lab's Makefile SRCS, and regenerate labs/ with common/tools/skelgen.py)

# --- 01-memory: cpu_trap.c, fault_catch.c, fault_probe.c, page_faults.c
s/\btrap_divide_by_zero\b/cpu_trap_divide_by_zero/g
s/\btrap_privileged\b/cpu_trap_privileged/g
s/\btrap_exec_privileged\b/cpu_trap_exec_privileged/g
s/\btrap_exec_idiv\b/cpu_trap_exec_idiv/g
s/\bcatch_\(signals\|fault\|prev\|env\|armed\|run\|pass_on\|handler\|busy\)\b/fault_catch_\1/g
s/\bprobe_result_name\b/fault_probe_result_name/g
s/\bfault_code_name\b/fault_probe_code_name/g
s/\bstruct probe_arg\b/struct fault_probe_arg/g
s/\benum probe_access\b/enum fault_probe_access/g
s/\benum probe_result\b/enum fault_probe_result/g
s/\bPROBE_\(READ\|WRITE\|OK\|UNMAPPED\|PROTECTED\|NO_BACKING\)\b/FAULT_PROBE_\1/g
s/\bpf_\(first_touch\|counters\|touch\|huge_size\|result\|pages\)\b/page_faults_\1/g
s/\bPF_\(SMALL\|HUGE\)\b/PAGE_FAULTS_\1/g

# --- 02-syscalls: sys_calls.c (sys_raw.c's sys_raw0..6 already match their file)
s/\braw_\(write\|getpid\|exit\)\b/sys_calls_\1/g

# --- 03-threads: thread_count.c, workers.c, parallel_for.c, stack_guard.c, threads.h
s/\bthr_count_live\b/thread_count_live/g
s/\bthr_run\b/workers_run/g
s/\bthr_task\b/workers_task/g
s/\bTHR_MAX\b/WORKERS_MAX/g
s/\bthr_small_stack\b/threads_small_stack/g
s/\bpfor_\(sum\|body\)\b/parallel_for_\1/g
s/\bstruct chunk\b/struct parallel_for_chunk/g
s/\bstk_probe\b/stack_guard_probe/g
s/\bstk_report\b/stack_guard_report/g
s/\bSTK_FRAME_PAD\b/STACK_GUARD_FRAME_PAD/g
s/\bprobe_\(jump\|armed\|depth\|main\)\b/stack_guard_\1/g

# --- 04-sync: chan_group.c, spinlock.c, pipeline.c, counter_hammer.c
s/\bgroup_\(declare_deadlock\|all_stuck\|unlink\)\b/chan_group_\1/g
s/\bspin_\(lock\|unlock\)\b/spinlock_\1/g
s/\bpipe_error\b/pipeline_error/g
s/\bpipe_ctx\b/pipeline_ctx/g
s/\bhammer_thread\b/counter_hammer_thread/g
s/\bstruct hammer\b/struct counter_hammer_run/g

# --- 05-callbacks: async.c, cancel.c, timers.c, retry.c, timeout.c, combine.c
s/\bop_\(put\|claim\|finish\|deliver\|job\|on_cancel\)\b/async_op_\1/g
s/\bcancel_register\b/cancel_token_register/g
s/\bcancel_unregister\b/cancel_token_unregister/g
s/\bcancel_reg\b/cancel_token_reg/g
s/\btimers_cancel\b/timers_stop/g
s/\bstruct async_retry\b/struct retry_op/g
s/\basync_retry\b/retry_run/g
s/\bstruct async_to\b/struct timeout_op/g
s/\basync_timeout\b/timeout_run/g
s/\basync_seq\b/combine_seq/g
s/\basync_fanout\b/combine_fanout/g
s/\basync_fan\b/combine_fan/g
s/\basync_branch\b/combine_branch/g
s/\basync_join_cb\b/combine_join_cb/g

# --- 06-event-queues: evq_timer.c (was timer.c), uring_copy.c, wakeup.c
s/\btmr_arm\b/evq_timer_start/g
s/\btmr_disarm\b/evq_timer_stop/g
s/\btmr_\(create\|read\|ts\)\b/evq_timer_\1/g
s/\bucopy_\(blk\|queue\)\b/uring_copy_\1/g
s/\bwake_\(create\|signal\|consume\)\b/wakeup_\1/g
