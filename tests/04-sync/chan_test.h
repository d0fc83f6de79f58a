/*
 * chan_test.h - what lab 04's channel suites share: a channel that must be created, and a
 * thread blocked in one send or receive whose return the test can watch.
 */
#ifndef CHAN_TEST_H
#define CHAN_TEST_H

#include "sync_test.h"

static inline struct chan *make(size_t cap)
{
	struct chan *ch = NULL;
	int rc = chan_create(&ch, cap, NULL);
	cr_assert(rc == 0 && ch, "chan_create(capacity %zu) returned %s", cap, st_rc(rc));
	return ch;
}

struct blocker {
	struct chan *ch;
	atomic_int tid;      /* published before the call */
	atomic_int returned; /* set the instant the call returns */
	atomic_int rc;
	void *value;
};

static inline void *blocking_send(void *arg)
{
	struct blocker *b = arg;
	atomic_store(&b->tid, st_gettid());
	int rc = chan_send(b->ch, b->value);
	atomic_store(&b->rc, rc);
	atomic_store(&b->returned, 1);
	return NULL;
}

static inline void *blocking_recv(void *arg)
{
	struct blocker *b = arg;
	atomic_store(&b->tid, st_gettid());
	int rc = chan_recv(b->ch, &b->value);
	atomic_store(&b->rc, rc);
	atomic_store(&b->returned, 1);
	return NULL;
}

static inline void blocker_init(struct blocker *b, struct chan *ch, void *value)
{
	b->ch = ch;
	b->value = value;
	atomic_init(&b->tid, 0);
	atomic_init(&b->returned, 0);
	atomic_init(&b->rc, 0);
}

#endif
