/*
 * coro.h - lab 09: what every stackless coroutine in this lab returns when it is resumed.
 *
 * A stackless coroutine is a function plus a struct.  Calling the function ("resuming" it)
 * runs the body from where it last stopped until it has to stop again, and the return value
 * says why it stopped:
 *
 *   CORO_PENDING  it is waiting for something that is not there yet (an await whose
 *                 condition is false, an I/O operation that has not completed); resume it
 *                 again later, ideally once that something has happened;
 *   CORO_YIELDED  it stopped by choice (a generator has produced a value; a task lets the
 *                 others run); resume it whenever you like;
 *   CORO_READY    it has finished; its result is in its struct.  It must not be resumed
 *                 again: doing so returns -EALREADY, never undefined behaviour;
 *   < 0           -errno: the coroutine could not run at all (-EALREADY: already finished;
 *                 -EPROTO: its saved resume point matches no resume point in its body).
 *
 * Errors of the *work* the coroutine does (a failed read) are part of its result, in its
 * struct, not a negative return: "the function ran to completion and returned -EIO" is
 * READY, like a Rust future that resolves to Err.
 */
#ifndef LAB09_CORO_H
#define LAB09_CORO_H

#include <errno.h>

enum coro_status {
	CORO_PENDING = 0,
	CORO_READY = 1,
	CORO_YIELDED = 2,
};

/* Resume one coroutine (its step function, given its struct): any of the above. */
typedef int (*coro_fn)(void *self);

#endif
