/*
 * asl/trace.h - a span tracer: who ran which task, on which CPU, from when to when.
 *
 * A *span* is one piece of work: (task id, thread, CPU, start ns, end ns).  Code under study
 * wraps a piece of work like this:
 *
 *	trace_tok t = trace_begin(task_id);
 *	... the work ...
 *	trace_end(t);
 *
 * and trace_dump() writes every span as TSV for a Gantt timeline (plots/03-threads-timeline-*):
 * one row per thread, one rectangle per span, coloured by task.  That picture is how you *see*
 * concurrency (spans of many tasks interleaved on one CPU) versus parallelism (spans overlapping
 * in time on different CPUs).
 *
 * Cost.  Disabled (the default), trace_begin() is one relaxed load of a flag and a predictable
 * branch, inlined; trace_end() tests the token.  Enabled, a span costs two clock reads, one
 * sched_getcpu() and a store into the calling thread's own buffer: no lock, no shared cache
 * line.  A thread's first span also allocates its buffer and links it into the global list
 * under a mutex, once.  Measured cost per span: workbook chapter 03 ("the tracer").
 *
 * Limits.  Each thread's buffer holds a fixed number of spans (trace_enable's argument); spans
 * past that are counted as dropped, never block and never allocate.  Times are wall-clock: a
 * span during which the thread was preempted includes the time it was not running, and its CPU
 * is the one it *started* on.
 */
#ifndef ASL_TRACE_H
#define ASL_TRACE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* What trace_begin() hands to trace_end(): start time 0 means "not recorded". */
typedef struct {
	uint64_t start_ns;
	uint32_t task;
	int32_t cpu;
} trace_tok;

/* The one flag the inlined fast path reads.  Global because the tracer is process-wide by
 * design: instrumented code anywhere must be able to record without being handed a tracer
 * object.  Private: use trace_enable()/trace_disable(). */
extern _Atomic int asl_trace_on_;

/* Start recording: sets the time origin of the dump to now, and the capacity of buffers
 * registered from now on (0 = default 8192 spans per thread).  Any thread may call it.
 * Returns 0. */
int trace_enable(size_t spans_per_thread);
/* Stop recording (spans already begun still end normally).  Recorded spans are kept. */
void trace_disable(void);
/* Forget recorded spans and free the buffers of threads that have exited; restarts the time
 * origin.  Call while no thread is inside trace_begin()/trace_end(). */
void trace_reset(void);
/* Free everything.  Only when no other thread that ever traced is still alive. */
void trace_free(void);

/* Name the calling thread's row in the dump (at most 15 characters kept).  Cheap; may be
 * called before or after its first span. */
void trace_thread_name(const char *name);

/* Number of spans recorded (and dropped) so far in all buffers. */
size_t trace_count(size_t *dropped);

/* Write all spans to `path` as TSV: '#' header lines (machine stamp, counts), then a column
 * line "thread tid task cpu start_us end_us name", then one line per span, grouped by thread
 * (row index 0.. in order of first use), each thread's spans in the order they ended.  Times
 * in microseconds from the time origin.  Call when the traced threads are quiescent for a
 * complete picture (spans still being recorded are simply not included).  Returns 0 or
 * -errno. */
int trace_dump(const char *path);

/* The out-of-line halves of the hot path (private). */
trace_tok trace_begin_on_(uint32_t task);
void trace_end_on_(trace_tok tok);

/* Begin a span of `task` on the calling thread. */
static inline trace_tok trace_begin(uint32_t task)
{
	if (__builtin_expect(!atomic_load_explicit(&asl_trace_on_, memory_order_relaxed), 1))
		return (trace_tok){ 0, 0, 0 };
	return trace_begin_on_(task);
}

/* End the span `tok` (must be called on the thread that began it). */
static inline void trace_end(trace_tok tok)
{
	if (__builtin_expect(tok.start_ns != 0, 0))
		trace_end_on_(tok);
}

#endif
