/*
 * stackless.h - lab 09: coroutines as state machines.
 *
 * What a compiler does to `async`/`await` (C#, JavaScript, Rust, Python) or `co_await`
 * (C++20), done by hand in C: an async function becomes a struct holding the locals that
 * live across its awaits plus a resume point, and a step function that runs from the resume
 * point to the next await and returns CORO_PENDING / CORO_READY (coro.h).  Then the same
 * with protothread macros (pt_line.h, pt_goto.h), a round-robin scheduler for many of them,
 * generators, and a resumable HTTP request parser (http_req.h).
 *
 * Nothing here uses threads: every function runs on the caller's thread and stack, and none
 * prints.  See workbook.md, chapter 09.
 */
#ifndef LAB09_STACKLESS_H
#define LAB09_STACKLESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "coro.h"
#include "pt_goto.h"
#include "pt_line.h"

/* ---- The awaitable: a simulated I/O source (sim_io.c, given) ---------------------------
 *
 * A stand-in for a non-blocking socket whose operations complete when the *test* says so.
 * At most one operation is in flight.  The first poll of a read or write starts it; the
 * schedule (a seeded PRNG) decides how many polls it stays CORO_PENDING (0 = ready at once);
 * the poll after that completes it.  Completed operations are appended to a log, the side
 * effects a test compares.  Reads complete with the next value of `input`: SIM_EIO there
 * completes the read with -EIO, and reading past the end gives -ENODATA.
 *
 * Polling the other operation while one is in flight, or a write with another value than
 * the one in flight, is a protocol error (the caller lost track of where it was): -EBUSY,
 * remembered in io->misuse.  Single-threaded. */

#define SIM_EIO INT32_MIN /* an input value that makes its read fail with -EIO */
#define SIM_LOG_MAX 512

enum sim_op { SIM_NONE, SIM_READ, SIM_WRITE };

struct sim_event {
	char kind;     /* 'R' a read completed, 'W' a write completed, 'E' a read failed */
	int32_t value; /* the value read or written (the -errno for 'E') */
};

struct sim_io {
	const int32_t *input;
	size_t n_input, next_in;
	struct sim_event log[SIM_LOG_MAX];
	size_t n_log;
	enum sim_op op;   /* the operation in flight */
	int32_t op_value; /* the value of the write in flight */
	unsigned pends_left;
	uint64_t rng;
	unsigned pend_pct;  /* chance (0..100) that an operation is pending at first */
	unsigned max_pends; /* a pending operation stays pending 1..max_pends polls */
	unsigned long polls, pendings;
	int misuse; /* 0, or the first protocol error (-EBUSY) */
};

/* Prepare io: reads will return input[0..n) in order (not copied: keep it alive); each
 * operation is pending with probability pend_pct % for 1..max_pends polls, drawn from a
 * PRNG seeded with `seed`.  pend_pct 0: everything ready at once; 100 with max_pends 1:
 * every operation pending exactly once. */
void sim_io_init(struct sim_io *io, const int32_t *input, size_t n, uint64_t seed,
		 unsigned pend_pct, unsigned max_pends);

/* Poll the read in flight (starting one if none is): CORO_PENDING, CORO_READY with *value
 * set, or -EIO / -ENODATA (the read completed with an error) / -EBUSY (misuse). */
int sim_read_poll(struct sim_io *io, int32_t *value);
/* The same for a write of `value`: CORO_PENDING, CORO_READY, or -EBUSY. */
int sim_write_poll(struct sim_io *io, int32_t value);

/* Blocking versions for the sequential reference functions: poll until the operation is no
 * longer pending ("the thread sleeps in read()").  0 or the -errno of the operation. */
int sim_read(struct sim_io *io, int32_t *value);
int sim_write(struct sim_io *io, int32_t value);

/* ---- Step 1: the first hand-compiled async function (async_sm.c) ----------------------
 *
 * The sequential reference (async_ref.c, given):
 *
 *	int add_two_ref(struct sim_io *io, int32_t *out)
 *	{
 *		int32_t a, b;
 *		int rc;
 *		if ((rc = sim_read(io, &a)) < 0)        // await 1
 *			return rc;
 *		if ((rc = sim_read(io, &b)) < 0)        // await 2
 *			return rc;
 *		int32_t sum = a + b;
 *		if ((rc = sim_write(io, sum)) < 0)      // await 3
 *			return rc;
 *		if ((rc = sim_write(io, a - b)) < 0)    // await 4
 *			return rc;
 *		*out = sum;
 *		return 0;
 *	}
 */
int add_two_ref(struct sim_io *io, int32_t *out);

/* The same function as a state machine: the resume point, the argument, the locals that
 * live across an await, and the result. */
struct add_two {
	int state;         /* where to resume: 0 = from the start; see async_sm.c */
	struct sim_io *io; /* the argument (used after every await) */
	int32_t a, b, sum; /* locals alive across at least one await */
	int32_t out;       /* *out of the reference, valid once result == 0 */
	int result;        /* the reference's return value, valid once READY */
};

/* Given: state 0, the argument stored. */
void add_two_init(struct add_two *c, struct sim_io *io);
/* Step 1: run from the resume point to the next await that is not ready (CORO_PENDING) or to
 * the end (CORO_READY, c->result and c->out set).  Resumed after READY: -EALREADY; a state
 * that is none of its resume points: -EPROTO.  Never polls an operation again after it
 * completed, never starts one before the previous completed: the log must match the
 * reference's under every schedule. */
int add_two_step(struct add_two *c);

/* ---- Step 2: a loop, an early return, an error path (async_sm.c) -----------------------
 *
 *	int sum_stream_ref(struct sim_io *io, int32_t *total_out)
 *	{
 *		int32_t n, v, total = 0;
 *		int rc;
 *		*total_out = 0;
 *		if ((rc = sim_read(io, &n)) < 0)            // await: the count
 *			return rc;
 *		if (n < 0 || n > SUM_STREAM_MAX)
 *			return -EINVAL;                     // error path, before any write
 *		for (int32_t i = 0; i < n; i++) {
 *			if ((rc = sim_read(io, &v)) < 0)    // await inside the loop
 *				return rc;                  // (total so far already in *total_out)
 *			if (v == 0)
 *				return 1;                   // early return: a 0 ends the stream
 *			total += v;
 *			*total_out = total;
 *			if ((rc = sim_write(io, total)) < 0) // the running total
 *				return rc;
 *		}
 *		if ((rc = sim_write(io, n)) < 0)            // await after the loop
 *			return rc;
 *		return 0;
 *	}
 */
#define SUM_STREAM_MAX 1000
int sum_stream_ref(struct sim_io *io, int32_t *total_out);

struct sum_stream {
	int state;
	struct sim_io *io;
	int32_t n, i;  /* alive across the awaits in and after the loop */
	int32_t total; /* *total_out of the reference: always the total so far */
	int result;    /* the return value, once READY */
};

void sum_stream_init(struct sum_stream *c, struct sim_io *io);
/* Step 2: as add_two_step, for sum_stream_ref. */
int sum_stream_step(struct sum_stream *c);

/* ---- Steps 3 and 4: the same function with the macros (pt_line.h + async_pt_line.c, then
 * pt_goto.h + async_pt_goto.c) ----------------------------------------------------------- */

struct sum_stream_ptl {
	struct ptl pt;
	struct sim_io *io;
	int32_t n, i, total;
	int result;
};
void sum_stream_ptl_init(struct sum_stream_ptl *c, struct sim_io *io);
int sum_stream_ptl_step(struct sum_stream_ptl *c);

struct sum_stream_ptg {
	struct ptg pt;
	struct sim_io *io;
	int32_t n, i, total;
	int result;
};
void sum_stream_ptg_init(struct sum_stream_ptg *c, struct sim_io *io);
int sum_stream_ptg_step(struct sum_stream_ptg *c);

/* ---- Step 5: many coroutines, one thread (sched.c) -------------------------------------- */

struct rr_task {
	coro_fn resume; /* the step function ... */
	void *self;     /* ... and its struct */
	int status;     /* out: CORO_READY once finished, or the negative error it returned */
	long resumes;   /* out: how many times it was resumed */
};

/* Run the tasks round-robin on this thread: each round resumes every unfinished task once,
 * in array order; PENDING and YIELDED both mean "again next round".  A task is finished
 * when it returns CORO_READY or a negative error (recorded in status; it is never resumed
 * again, the others carry on).  Returns the number of rounds it took until every task had
 * finished (0 for n == 0), or -ETIME if some were still unfinished after max_rounds
 * rounds, or -EINVAL (tasks NULL with n > 0, a NULL resume, max_rounds < 0). */
long rr_run(struct rr_task *tasks, size_t n, long max_rounds);

/* ---- Step 6: generators (gen.c) --------------------------------------------------------
 *
 * A generator is a coroutine that yields values: each resume runs to the next value
 * (CORO_YIELDED, the value in g->value) or to the end (CORO_READY: exhausted).  Lazy: no
 * value is computed before it is asked for.  Generators compose: a filter or a take holds
 * a pointer to the generator it reads from and resumes it from its own body. */
struct gen {
	int (*step)(struct gen *g);
	long value;
	int state; /* GEN_LIVE, GEN_EXHAUSTED (exhaustion has been reported once) */
};
enum { GEN_LIVE = 0, GEN_EXHAUSTED = 1 };

/* Step 6: the next value: 1 with *out set, 0 when the generator is exhausted (reported
 * once), -EALREADY for every call after that, or the generator's own -errno. */
int gen_next(struct gen *g, long *out);

/* start, start+step, ... while < stop (step > 0) or > stop (step < 0); never overflows,
 * even next to LONG_MAX / LONG_MIN.  Init returns -EINVAL for step 0. */
struct gen_range {
	struct gen g;
	struct ptl pt;
	long cur, stop, step;
};
int gen_range_init(struct gen_range *r, long start, long stop, long step);
int gen_range_step(struct gen *g);

/* The values of `inner` for which keep(value, arg) is true, in order. */
struct gen_filter {
	struct gen g;
	struct ptl pt;
	struct gen *inner;
	bool (*keep)(long value, void *arg);
	void *arg;
};
void gen_filter_init(struct gen_filter *f, struct gen *inner, bool (*keep)(long, void *),
		     void *arg);
int gen_filter_step(struct gen *g);

/* The first `count` values of `inner` (fewer if it ends first).  Lazy: once `count` values
 * are out it never resumes `inner` again (inner may be infinite). */
struct gen_take {
	struct gen g;
	struct ptl pt;
	struct gen *inner;
	long left;
};
void gen_take_init(struct gen_take *t, struct gen *inner, long count);
int gen_take_step(struct gen *g);

#endif
