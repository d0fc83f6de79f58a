/*
 * cq.h - step 4: a completion queue, drained by the one thread that owns it.
 *
 * Work finishes on a pool thread; its callback must run on the thread that started it.  A
 * completion is posted from anywhere and run by the owner, from cq_drain or cq_wait.
 */
#ifndef LAB05_CQ_H
#define LAB05_CQ_H

/* A completion waiting for delivery; embedded in the operation that owns it. */
struct cq_item {
	struct cq_item *next;
	void (*fn)(struct cq_item *it); /* runs on the owner thread, from cq_drain */
};

struct cq;

/* Step 4.  A completion queue owned by the calling thread: only that thread may drain it.
 * Its eventfd (cq_fd) is readable whenever completions may be waiting. */
int cq_create(struct cq **out);
/* The eventfd to poll for POLLIN (a spurious wake-up is possible: drain may run nothing). */
int cq_fd(const struct cq *q);
/* Step 4.  Any thread: append `it` and wake the owner.  `it` must stay valid until it ran. */
void cq_post(struct cq *q, struct cq_item *it);
/* Step 4.  Owner thread only: run every completion posted so far, in posting order.
 * Returns how many ran, or -EPERM on another thread. */
int cq_drain(struct cq *q);
/* Step 4.  Owner thread only: wait up to timeout_ms (-1: forever) until at least one
 * completion ran.  Returns how many ran, -ETIMEDOUT, or -EPERM. */
int cq_wait(struct cq *q, int timeout_ms);
/* Free the queue; -EBUSY (and nothing freed) while completions are undelivered. */
int cq_destroy(struct cq *q);

#endif
