/*
 * model_fut.h - a request as a future (lab 10), shared by the two single-threaded futures
 * models: `fut` computes inside poll, on the executor's thread; `futblk` awaits a
 * blocking_spawn future instead, so the computation runs on a lab-05 pool.
 */
#ifndef MODEL_FUT_H
#define MODEL_FUT_H

#include "capstone.h"
#include "fut.h"

enum fut_req_state {
	FUT_REQ_START,   /* nothing done yet (futures are lazy: this runs on the first poll) */
	FUT_REQ_WRITE,   /* writing the line */
	FUT_REQ_READ,    /* collecting the reply */
	FUT_REQ_COMPUTE, /* the reply is in (or CAP_CPU): compute, or await the pool */
	FUT_REQ_DONE,
};

/* One request as a hand-written future: the state machine that `async fn request()` would
 * compile into.  Lives in an array the adapter owns; the executor's drop does not free it. */
struct fut_req {
	fut_t base; /* first: the executor sees a fut_t */
	struct cap_job *job;
	int i;
	enum fut_req_state state;
	reactor_io_t *io; /* the connection, registered with the executor's reactor */
	fut_t *child;     /* the leaf future being awaited (write, read, blocking_spawn) */
	char line[CAP_LINE_MAX], buf[CAP_LINE_MAX];
	int len, off;
	struct cap_reply reply;
	struct pool *pool; /* NULL: compute in poll; else: blocking_spawn onto this pool */
};

/* Make q request i of job, computing in poll (pool NULL) or on pool. */
void fut_req_init(struct fut_req *q, struct cap_job *job, int i, struct pool *pool);

/* Spawn one fut_req per request on a new executor, run it until all finished, clean up.
 * pool as in fut_req_init; fut_reqs_run owns it and drains it (pool_shutdown) BEFORE it
 * destroys the executor, on every path: a pool thread may still be inside the wake that let
 * the last task finish.  Returns the first error, or 0. */
int fut_reqs_run(struct cap_job *job, struct pool *pool);

#endif
