/*
 * counter.c - steps 1 and 2: one shared counter, made correct with a mutex and with an atomic.
 *
 * `value++` on a shared variable is three steps - load, add, store - and two threads can both
 * load the same old value, so one increment vanishes: a *lost update*.  C11 calls two
 * unordered accesses to one variable, at least one a write, a *data race*, and a program with
 * one has undefined behaviour.  The fixes make the read-modify-write indivisible (atomic):
 * either by letting one thread at a time run it (a lock) or with one atomic instruction.
 */
#include "sync.h"

#include "asl/todo.h"

int counter_init(struct counter *c)
{
	if (!c)
		return -EINVAL;
	c->value = 0;
	atomic_init(&c->atomic, 0);
	atomic_init(&c->spin.locked, false);
	return -pthread_mutex_init(&c->mu, NULL);
}

void counter_destroy(struct counter *c)
{
	if (c)
		pthread_mutex_destroy(&c->mu);
}

/* GIVEN, and wrong on purpose: the data race that demo_racy_counter shows and that
 * ThreadSanitizer names (`make tsan`).  Being in its own translation unit keeps the compiler
 * from merging a caller's loop of increments into one big add. */
int counter_racy_add(struct counter *c)
{
	c->value++;
	return 0;
}

int counter_mutex_add(struct counter *c)
{
	/* TODO step 1: Add 1 to c->value so that no update is lost, using the counter's
	 * pthread mutex: only the thread holding it may touch value.
	 * Checked by: counter_mutex::*
	 */
	LAB_UNUSED(c); return LAB_TODO(1);
}

int counter_atomic_add(struct counter *c)
{
	/* TODO step 2: Add 1 to c->atomic with one C11 atomic read-modify-write (no lock).
	 * Think about which memory order is enough for a counter that nobody uses to publish
	 * other data.  Checked by: counter_atomic::*
	 */
	LAB_UNUSED(c); return LAB_TODO(2);
}

long counter_read(struct counter *c, bool atomic_part)
{
	return atomic_part ? atomic_load(&c->atomic) : c->value;
}
