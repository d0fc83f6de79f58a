/*
 * cancel.c - step 6: a cancellation token.
 *
 * A token is a flag plus a list of "call me if you are cancelled" registrations.  Anyone
 * holding the token may cancel it, from any thread, any number of times; the first call
 * flips the flag and runs every registration exactly once.  An operation registers when it
 * starts and unregisters when it completes; the race between "completed" and "cancelled" is
 * decided by the operation itself (an atomic claim in async.c), not here.
 *
 * Lock invariant: `mu` protects the list.  Registration callbacks run with it held, which is
 * what lets cancel_token_unregister() promise "your fn is not running and never will": it simply
 * takes the lock.  The price is that a registration's fn must be short and must not touch
 * the same token.
 */
#include "cancel.h"

#include <errno.h>

#include "asl/todo.h"

int cancel_token_init(struct cancel_token *t)
{
	/* BEGIN STEP 6: Initialise the lock, the flag (not cancelled) and the empty circular
	 * registration list.  Checked by: cancel::registrations_*, cancel::unregister_*
	 * stub: LAB_UNUSED(t); return LAB_TODO(6);
	 */
	int rc = pthread_mutex_init(&t->mu, NULL);
	if (rc)
		return -rc;
	atomic_init(&t->cancelled, false);
	t->head.next = t->head.prev = &t->head;
	return 0;
	/* END STEP 6 */
}

bool cancel_token_cancelled(struct cancel_token *t)
{
	return atomic_load_explicit(&t->cancelled, memory_order_acquire);
}

void cancel_token_cancel(struct cancel_token *t)
{
	/* BEGIN STEP 6: Under the lock: if not yet cancelled, set the flag, then unlink each
	 * registration (leave it pointing at itself) and call its fn.  A second cancel does
	 * nothing.  Checked by: cancel::registrations_*, cancel::unregister_*
	 * stub: LAB_UNUSED(t); (void)LAB_TODO(6);
	 */
	pthread_mutex_lock(&t->mu);
	if (!atomic_load_explicit(&t->cancelled, memory_order_relaxed)) {
		atomic_store_explicit(&t->cancelled, true, memory_order_release);
		while (t->head.next != &t->head) {
			struct cancel_token_reg *r = t->head.next;
			r->prev->next = r->next;
			r->next->prev = r->prev;
			r->next = r->prev = r; /* "not registered": unregister becomes a no-op */
			r->fn(r);              /* do not touch r afterwards: it may be freed */
		}
	}
	pthread_mutex_unlock(&t->mu);
	/* END STEP 6 */
}

int cancel_token_register(struct cancel_token *t, struct cancel_token_reg *r)
{
	/* BEGIN STEP 6: Under the lock: -ECANCELED if already cancelled, else link r in.
	 * Checked by: cancel::registrations_*, cancel::unregister_*
	 * stub: LAB_UNUSED(t, r); return LAB_TODO(6);
	 */
	int rc = 0;
	pthread_mutex_lock(&t->mu);
	if (atomic_load_explicit(&t->cancelled, memory_order_relaxed)) {
		r->next = r->prev = r;
		rc = -ECANCELED;
	} else {
		r->prev = t->head.prev;
		r->next = &t->head;
		t->head.prev->next = r;
		t->head.prev = r;
	}
	pthread_mutex_unlock(&t->mu);
	return rc;
	/* END STEP 6 */
}

void cancel_token_unregister(struct cancel_token *t, struct cancel_token_reg *r)
{
	/* BEGIN STEP 6: Under the lock: unlink r if it is still linked.  Taking the lock is
	 * also what waits out a cancel that is calling r->fn right now.
	 * Checked by: cancel::registrations_*, cancel::unregister_*
	 * stub: LAB_UNUSED(t, r); (void)LAB_TODO(6);
	 */
	pthread_mutex_lock(&t->mu);
	if (r->next != r) {
		r->prev->next = r->next;
		r->next->prev = r->prev;
		r->next = r->prev = r;
	}
	pthread_mutex_unlock(&t->mu);
	/* END STEP 6 */
}

int cancel_token_destroy(struct cancel_token *t)
{
	pthread_mutex_lock(&t->mu);
	bool busy = t->head.next != &t->head;
	pthread_mutex_unlock(&t->mu);
	if (busy)
		return -EBUSY;
	pthread_mutex_destroy(&t->mu);
	return 0;
}
