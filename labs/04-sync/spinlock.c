/*
 * spinlock.c - step 3: a lock built from one atomic exchange.
 *
 * A spinlock never sleeps: a thread that finds it taken keeps asking until it is free.  That
 * is the cheapest lock when the holder is running on another core and leaves the critical
 * section within a few hundred nanoseconds - and the worst one when the holder has been
 * preempted, because then every waiter burns its whole time slice asking a question whose
 * answer cannot change (bench_counters shows it once threads outnumber cores).
 */
#include "sync.h"

#include "asl/todo.h"

#if defined(__x86_64__) || defined(__i386__)
/* `pause` tells the core this is a spin-wait: it stops speculating ahead, saves power and,
 * on a hyper-threaded core, lets the sibling thread run. */
#define cpu_relax() __asm__ volatile("pause" ::: "memory")
#elif defined(__aarch64__)
#define cpu_relax() __asm__ volatile("yield" ::: "memory")
#else
#define cpu_relax() ((void)0)
#endif

int spinlock_lock(struct spinlock *s)
{
	/* TODO step 3: Take the lock: atomically swap `true` into s->locked until the old value
	 * you got back was `false` (then it was you who took it).  Use explicit memory orders
	 * (acquire on success) and a CPU pause/yield hint while waiting.
	 * Checked by: spinlock::*
	 */
	LAB_UNUSED(s); return LAB_TODO(3);
}

int spinlock_unlock(struct spinlock *s)
{
	/* TODO step 3: Release the lock with one atomic store of `false` and release ordering.
	 * Checked by: spinlock::lock_unlock_lock_again, spinlock::mutual_exclusion
	 */
	LAB_UNUSED(s); return LAB_TODO(3);
}

int counter_spin_add(struct counter *c)
{
	/* TODO step 3: Add 1 to c->value under the counter's spinlock (c->spin).
	 * Checked by: spinlock::counter_exact_under_contention
	 */
	LAB_UNUSED(c); return LAB_TODO(3);
}
