/*
 * sim_io.c - given: the awaitable every async function of this lab waits on.
 *
 * It behaves like a non-blocking socket (lab 06) whose readiness a test script decides:
 * an operation is "in flight" from its first poll until the poll that completes it, and
 * every poll in between says CORO_PENDING, as read() says EAGAIN.  The number of pending
 * polls comes from a seeded PRNG, so a test can replay any schedule from its seed, and can
 * force the extremes (never pending, always pending).
 *
 * The log of completed operations is what "the same side effects" means in the tests: a
 * state machine that forgets where it was would read twice, skip a write or write the wrong
 * value, and its log would differ from the sequential reference's.
 */
#include "stackless.h"

#include <string.h>

void sim_io_init(struct sim_io *io, const int32_t *input, size_t n, uint64_t seed,
		 unsigned pend_pct, unsigned max_pends)
{
	memset(io, 0, sizeof *io);
	io->input = input;
	io->n_input = n;
	io->rng = seed;
	io->pend_pct = pend_pct > 100 ? 100 : pend_pct;
	io->max_pends = max_pends ? max_pends : 1;
}

/* splitmix64: a small, good PRNG; the same seed gives the same schedule everywhere */
static uint64_t sim_rand(struct sim_io *io)
{
	uint64_t z = (io->rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void sim_log(struct sim_io *io, char kind, int32_t value)
{
	if (io->n_log < SIM_LOG_MAX)
		io->log[io->n_log++] = (struct sim_event){ kind, value };
}

/* Start `op` if nothing is in flight; then one poll of it: true when it completes now. */
static int sim_poll(struct sim_io *io, enum sim_op op, int32_t value)
{
	io->polls++;
	if (io->op == SIM_NONE) {
		io->op = op;
		io->op_value = value;
		io->pends_left = 0;
		if (sim_rand(io) % 100 < io->pend_pct)
			io->pends_left = 1 + (unsigned)(sim_rand(io) % io->max_pends);
	} else if (io->op != op || (op == SIM_WRITE && io->op_value != value)) {
		if (!io->misuse)
			io->misuse = -EBUSY;
		return -EBUSY;
	}
	if (io->pends_left > 0) {
		io->pends_left--;
		io->pendings++;
		return CORO_PENDING;
	}
	io->op = SIM_NONE;
	return CORO_READY;
}

int sim_read_poll(struct sim_io *io, int32_t *value)
{
	int rc = sim_poll(io, SIM_READ, 0);
	if (rc != CORO_READY)
		return rc;
	if (io->next_in >= io->n_input) {
		sim_log(io, 'E', -ENODATA);
		return -ENODATA;
	}
	int32_t v = io->input[io->next_in++];
	if (v == SIM_EIO) {
		sim_log(io, 'E', -EIO);
		return -EIO;
	}
	sim_log(io, 'R', v);
	*value = v;
	return CORO_READY;
}

int sim_write_poll(struct sim_io *io, int32_t value)
{
	int rc = sim_poll(io, SIM_WRITE, value);
	if (rc == CORO_READY)
		sim_log(io, 'W', value);
	return rc;
}

/* The blocking versions: a thread blocked in read() is, from its own point of view, one
 * call that returns when the data is there.  Here "waiting" is polling until it is. */
int sim_read(struct sim_io *io, int32_t *value)
{
	int rc;
	while ((rc = sim_read_poll(io, value)) == CORO_PENDING)
		;
	return rc < 0 ? rc : 0;
}

int sim_write(struct sim_io *io, int32_t value)
{
	int rc;
	while ((rc = sim_write_poll(io, value)) == CORO_PENDING)
		;
	return rc < 0 ? rc : 0;
}
