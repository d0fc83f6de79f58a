/*
 * mutex.c - step 6: a mutex between fibers, without any OS lock.
 *
 * Why a mutex at all, when fibers of one scheduler never run at the same time?  Because a
 * critical section may contain a switch: "read the balance, write it to a socket (the fiber
 * parks), add to the balance" lets another fiber in at the write.  The mutex protects such a
 * section across its switches.  Why no OS lock inside: everything runs on one thread, and a
 * fiber cannot be interrupted between "is it free?" and "it is mine" (see chan.c); an OS mutex
 * would even be wrong here, since a fiber that blocked the THREAD in pthread_mutex_lock would
 * stop the very fiber that holds the lock from ever running again.
 *
 * Unlock hands the mutex directly to the first waiter (FIFO): no barging, no starvation.
 */
#include "fiber_internal.h"

#include <errno.h>

#include "asl/todo.h"

int fiber_mutex_lock(struct fiber_mutex *m)
{
	/* TODO step 6: Take the mutex if it is free; else wait at the tail of its queue (the
	 * fiber_t head/tail pair is a fiber_queue) until unlock hands it over.  -EDEADLK if the
	 * caller owns it already.
	 * Checked by: mutex::*
	 */
	LAB_UNUSED(m); return LAB_TODO(6);
}

int fiber_mutex_unlock(struct fiber_mutex *m)
{
	/* TODO step 6: Only the owner may unlock (-EPERM).  Hand the mutex to the first waiter
	 * and wake it, or leave it free.
	 * Checked by: mutex::*
	 */
	LAB_UNUSED(m); return LAB_TODO(6);
}
