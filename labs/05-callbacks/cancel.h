/*
 * cancel.h - step 6: a cancellation token.
 *
 * A flag plus a list of "call me if you are cancelled" registrations.  An operation registers
 * when it starts and unregisters when it completes; which of the two wins is decided by the
 * operation (async.c), not by the token.
 */
#ifndef LAB05_CANCEL_H
#define LAB05_CANCEL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

/* A registration: fn runs once if the token is cancelled while registered. */
struct cancel_token_reg {
	struct cancel_token_reg *next, *prev;
	/* called with the token's lock held: keep it short */
	void (*fn)(struct cancel_token_reg *r);
};

struct cancel_token {
	pthread_mutex_t mu;
	atomic_bool cancelled;
	struct cancel_token_reg head; /* circular list of registrations */
};

/* Step 6. */
int cancel_token_init(struct cancel_token *t);
/* Step 6.  Any thread, idempotent: mark cancelled and call every registration's fn once. */
void cancel_token_cancel(struct cancel_token *t);
/* Step 6.  A cheap check that cooperative work may poll. */
bool cancel_token_cancelled(struct cancel_token *t);
/* Step 6.  Register r: 0, or -ECANCELED (r not registered) when already cancelled. */
int cancel_token_register(struct cancel_token *t, struct cancel_token_reg *r);
/* Step 6.  Unregister r (no-op if cancel already removed it).  On return r->fn is neither
 * running nor going to run.  Must not be called from inside a registration's fn. */
void cancel_token_unregister(struct cancel_token *t, struct cancel_token_reg *r);
/* -EBUSY while registrations remain. */
int cancel_token_destroy(struct cancel_token *t);

#endif
