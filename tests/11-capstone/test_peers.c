/* Lab 11: every model against a peer that fails as networks do (peer_test.h): a reset, an end
 * of file before the reply, a reply too long for any buffer, another request's line.  The
 * course's injector never does any of it, so these are the tests that see a model's error
 * bookkeeping.  (Replies a byte at a time are part of same_results: cap_check_pieces.)
 * Steps: 1 seq, 2 threads, 3 pool, 4 loop, 5 fibers, 6 offload, 7 fut, 8 futmt, 9 futblk. */
#include "peer_test.h"

static const struct cap_peer_fault {
	enum cap_peer_act act;
	int want;
	const char *what, *mistake;
} cap_peer_faults[] = {
	{ CAP_PEER_RESET, -ECONNRESET,
	  "the peer reset the last request's connection once it had read its line",
	  "that read's error is the request's outcome and the run's result: check every "
	  "request's outcome, the last one too" },
	{ CAP_PEER_CLOSE, -EPROTO, "the peer closed the last request's connection before replying",
	  "0 bytes before the reply is complete is an error (cap_reply_add says -EPROTO), "
	  "never \"try again\"" },
	{ CAP_PEER_LONG, -EPROTO,
	  "the peer answered the last request with 41 bytes, the newline last",
	  "a reply longer than CAP_LINE_MAX is an error: read at most the room left in the "
	  "reply, and cap_reply_add rejects what does not fit" },
	{ CAP_PEER_WRONG, -EPROTO, "the peer answered the last request with another one's line",
	  "cap_finish records its -EPROTO in job->error: the run must return it" },
};

/* The models that take the requests in order (one worker for the pool): the first error in
 * time is also the first by index, so which one the run returns is not a matter of luck. */
static void cap_check_first_error(const struct cap_model *m, const char *hint)
{
	static struct cap_peer_run r;
	const enum cap_peer_act acts[CAP_PEER_N] = { CAP_PEER_RESET, CAP_PEER_ECHO, CAP_PEER_ECHO,
						     CAP_PEER_WRONG };
	int rc = cap_peer_check(m, CAP_PEER_N, acts, 1, &r,
				"request 0 reset, the last request answered wrongly", hint);
	cr_assert(rc == -ECONNRESET,
		  "model %s, one worker: request 0's connection was reset (its read failed "
		  "first, with ECONNRESET), then the last request got another request's line "
		  "(EPROTO): expected the first error, %s, got %s.  Keep the first error "
		  "(compare-and-swap from 0), never overwrite it%s",
		  m->name, asl_test_rc(-ECONNRESET), asl_test_rc(rc), hint);
}

/* Each fault on the last request, the others answered a byte at a time; in_order: the model
 * takes the requests in order, so the first error is also checked. */
static void cap_check_faults(const char *name, bool in_order, const char *hint)
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
	if (in_order)
		cap_check_first_error(m, hint);
}

/* seq, threads (by index) and pool (one worker) take the requests in order */
#define CAP_PEER_TEST(model, step, in_order)                        \
	Test(model, peer_failures_reported)                         \
	{                                                           \
		cap_check_faults(#model, in_order, ASL_HINT(step)); \
	}

CAP_PEER_TEST(seq, 1, true)
CAP_PEER_TEST(threads, 2, true)
CAP_PEER_TEST(pool, 3, true)
CAP_PEER_TEST(loop, 4, false)
CAP_PEER_TEST(fibers, 5, false)
CAP_PEER_TEST(offload, 6, false)
CAP_PEER_TEST(fut, 7, false)
CAP_PEER_TEST(futmt, 8, false)
CAP_PEER_TEST(futblk, 9, false)
