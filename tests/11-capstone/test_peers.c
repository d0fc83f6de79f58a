/* Lab 11: every model against a peer that misbehaves as networks do (peer_test.h): replies
 * that arrive a byte at a time, a reset, an end of file before the reply, a reply too long for
 * any buffer, another request's line.  The course's injector never does any of it, so these
 * are the tests that see a model's reading loop and its error bookkeeping.
 * Steps: 1 seq, 2 threads, 3 pool, 4 loop, 5 fibers, 6 offload, 7 fut, 8 futmt, 9 futblk. */
#include "peer_test.h"

#define CAP_PEER_N 4 /* requests per run: the last one is the one that goes wrong */

static void cap_check_pieces(const char *name, const char *hint)
{
	static struct cap_peer_run r; /* an abandoned run may still write to it */
	const struct cap_model *m = cap_test_model(name, hint);
	const enum cap_peer_act acts[CAP_PEER_N] = { CAP_PEER_ECHO, CAP_PEER_ECHO, CAP_PEER_ECHO,
						     CAP_PEER_ECHO };
	int rc = cap_peer_check(m, CAP_PEER_N, acts, 3, &r,
				"every reply sent one byte at a time", hint);
	cr_assert(rc == 0,
		  "model %s, %d requests, every reply sent one byte at a time (the next once the "
		  "client had read the last): expected 0, got %s.  A reply arrives in pieces: "
		  "keep reading until cap_reply_add says the line is complete%s",
		  name, CAP_PEER_N, asl_test_rc(rc), hint);
	for (int i = 0; i < CAP_PEER_N; i++) {
		uint64_t want = cap_expected(&r.job, i);
		cr_assert(r.res[i] == want,
			  "model %s, replies a byte at a time: result of request %d is %#llx, "
			  "expected %#llx (the pieces make the same line as one read would)%s",
			  name, i, (unsigned long long)r.res[i], (unsigned long long)want, hint);
	}
	int fin = atomic_load(&r.job.finished);
	cr_assert(fin == CAP_PEER_N, "model %s returned 0 with %d of %d requests finished%s", name,
		  fin, CAP_PEER_N, hint);
}

static const struct cap_peer_fault {
	enum cap_peer_act act;
	int want;
	const char *what, *mistake;
} cap_peer_faults[] = {
	{ CAP_PEER_RESET, -ECONNRESET,
	  "the peer reset the last request's connection once it had read its line",
	  "that read's error is the request's outcome and the run's result: check every "
	  "request's outcome, the last one too" },
	{ CAP_PEER_CLOSE, -EPROTO,
	  "the peer closed the last request's connection before replying",
	  "0 bytes before the reply is complete is an error (cap_reply_add says -EPROTO), "
	  "never \"try again\"" },
	{ CAP_PEER_LONG, -EPROTO,
	  "the peer answered the last request with 41 bytes, the newline last",
	  "a reply longer than CAP_LINE_MAX is an error: read at most the room left in the "
	  "reply, and cap_reply_add rejects what does not fit" },
	{ CAP_PEER_WRONG, -EPROTO, "the peer answered the last request with another one's line",
	  "cap_finish records its -EPROTO in job->error: the run must return it" },
};

static void cap_check_faults(const char *name, const char *hint)
{
	static struct cap_peer_run r;
	const struct cap_model *m = cap_test_model(name, hint);
	for (size_t k = 0; k < sizeof cap_peer_faults / sizeof cap_peer_faults[0]; k++) {
		const struct cap_peer_fault *f = &cap_peer_faults[k];
		enum cap_peer_act acts[CAP_PEER_N] = { CAP_PEER_ECHO, CAP_PEER_ECHO, CAP_PEER_ECHO,
						       f->act };
		int rc = cap_peer_check(m, CAP_PEER_N, acts, 3, &r, f->what, hint);
		cr_assert(rc == f->want,
			  "model %s, %d requests (the others answered a byte at a time); %s: "
			  "expected %s, got %s: %s%s",
			  name, CAP_PEER_N, f->what, asl_test_rc(f->want), asl_test_rc(rc),
			  f->mistake, hint);
	}
}

/* The models that take the requests in order (one worker for the pool): the first error in
 * time is also the first by index, so which one the run returns is not a matter of luck. */
static void cap_check_first_error(const char *name, const char *hint)
{
	static struct cap_peer_run r;
	const struct cap_model *m = cap_test_model(name, hint);
	const enum cap_peer_act acts[CAP_PEER_N] = { CAP_PEER_RESET, CAP_PEER_ECHO, CAP_PEER_ECHO,
						     CAP_PEER_WRONG };
	int rc = cap_peer_check(m, CAP_PEER_N, acts, 1, &r,
				"request 0 reset, the last request answered wrongly", hint);
	cr_assert(rc == -ECONNRESET,
		  "model %s, one worker: request 0's connection was reset (its read failed "
		  "first, with ECONNRESET), then the last request got another request's line "
		  "(EPROTO): expected the first error, %s, got %s.  Keep the first error "
		  "(compare-and-swap from 0), never overwrite it%s",
		  name, asl_test_rc(-ECONNRESET), asl_test_rc(rc), hint);
}

#define CAP_PEER_TESTS(model, step)                          \
	Test(model, replies_in_pieces)                       \
	{                                                    \
		cap_check_pieces(#model, ASL_HINT(step));    \
	}                                                    \
	Test(model, peer_failures_reported)                  \
	{                                                    \
		cap_check_faults(#model, ASL_HINT(step));    \
	}

CAP_PEER_TESTS(seq, 1)
CAP_PEER_TESTS(threads, 2)
CAP_PEER_TESTS(pool, 3)
CAP_PEER_TESTS(loop, 4)
CAP_PEER_TESTS(fibers, 5)
CAP_PEER_TESTS(offload, 6)
CAP_PEER_TESTS(fut, 7)
CAP_PEER_TESTS(futmt, 8)
CAP_PEER_TESTS(futblk, 9)

Test(seq, first_error_wins)
{
	cap_check_first_error("seq", ASL_HINT(1));
}

Test(threads, first_error_wins)
{
	cap_check_first_error("threads", ASL_HINT(2));
}

Test(pool, first_error_wins)
{
	cap_check_first_error("pool", ASL_HINT(3));
}
