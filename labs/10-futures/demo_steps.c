/*
 * demo_steps.c - notes 002's "Calling an async function", steps 1 to 4, happening in order.
 *
 * A future that reads one message from a socket is made, spawned and run on the
 * single-threaded executor; another thread sends the message 50 ms later (a sleep is fine
 * here: it only makes the wait visible).  Each line says which step of the notes it is and
 * which function of this lab does it:
 *   1. calling the async function makes a future; its body does not run (fetch_new);
 *   2. spawning makes a task; still nothing runs (exec_spawn);
 *   3. the executor polls it: read() says EAGAIN, the future hands its waker to the reactor
 *      and returns PENDING; the executor parks in epoll_wait (exec_run, reactor_io_wait);
 *   4. the kernel says "readable", the reactor calls wake(), the task is queued and polled
 *      again, and this time read() has the data: READY (reactor_io_ready, task_wake).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "asl/util.h"
#include "fut.h"

#define USAGE "demo_steps\n  Shows the four steps from calling an async function to READY"

static uint64_t t0;

static double ms(void)
{
	return (double)(asl_now_ns() - t0) / 1e6;
}

/* The "async function": fetch(io) reads one message.  Its state struct is the future. */
struct fetch {
	fut_t base;
	reactor_io_t *io;
	fut_t *read; /* the awaited child */
	int polls;
	char buf[64];
};

static enum fut_poll fetch_poll(fut_t *self, fut_ctx_t *cx, intptr_t *out)
{
	struct fetch *f = (struct fetch *)self;
	f->polls++;
	printf("%7.2f ms  step %d: the executor polls the task (poll #%d) - the body runs\n", ms(),
	       f->polls == 1 ? 3 : 4, f->polls);
	if (!f->read)
		f->read = reactor_read(f->io, f->buf, sizeof f->buf - 1);
	intptr_t n;
	if (fut_poll(f->read, cx, &n) == FUT_PENDING) {
		printf("%7.2f ms  step 3: read() said EAGAIN; the waker went to the reactor; "
		       "poll returns PENDING\n",
		       ms());
		printf("%7.2f ms          nothing is runnable: the executor parks in epoll_wait\n",
		       ms());
		return FUT_PENDING;
	}
	f->buf[n > 0 ? n : 0] = 0;
	printf("%7.2f ms  step 4: read() returned %ld bytes \"%s\": poll returns READY\n", ms(),
	       (long)n, f->buf);
	*out = n;
	return FUT_READY;
}

static void fetch_drop(fut_t *self)
{
	fut_drop(((struct fetch *)self)->read);
	free(self);
}

static const struct fut_vtable fetch_vtable = { .poll = fetch_poll, .drop = fetch_drop };

static fut_t *fetch_new(reactor_io_t *io)
{
	struct fetch *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	f->base.vt = &fetch_vtable;
	f->io = io;
	return &f->base;
}

static void *sender(void *arg)
{
	int fd = *(int *)arg;
	struct timespec d = { 0, 50 * 1000 * 1000 };
	nanosleep(&d, NULL);
	printf("%7.2f ms          (another thread sends \"hello\"; the kernel marks the socket "
	       "readable and epoll_wait returns: the reactor calls wake() - step 4)\n",
	       ms());
	if (write(fd, "hello", 5) != 5)
		asl_die(errno, "write");
	return NULL;
}

int main(int argc, char **argv)
{
	asl_no_arguments(argc, argv, USAGE);
	setvbuf(stdout, NULL, _IOLBF, 0);
	int sv[2], rc;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0)
		asl_die(errno, "socketpair");
	exec_t *ex;
	reactor_io_t *io;
	if ((rc = exec_create(&ex)) < 0)
		asl_die(-rc, "exec_create (lab 07's loop_create)");
	if ((rc = reactor_io_open(ex, sv[0], &io)) < 0)
		asl_die(-rc, "reactor_io_open");
	t0 = asl_now_ns();

	fut_t *f = fetch_new(io);
	if (!f)
		asl_die(ENOMEM, "fetch_new");
	printf("%7.2f ms  step 1: fetch() called: a future exists, its body has not run "
	       "(polls so far: %d)\n",
	       ms(), ((struct fetch *)f)->polls);
	fut_t *join;
	if ((rc = exec_spawn(ex, f, &join)) < 0)
		asl_die(-rc, "exec_spawn");
	printf("%7.2f ms  step 2: spawned: a task holds the future and is queued; still no "
	       "poll (%d)\n",
	       ms(), ((struct fetch *)f)->polls);

	pthread_t th;
	if ((rc = pthread_create(&th, NULL, sender, &sv[1])) != 0)
		asl_die(rc, "pthread_create");
	intptr_t n = 0;
	if ((rc = exec_block_on(ex, join, &n)) < 0)
		asl_die(-rc, "exec_block_on");
	pthread_join(th, NULL);
	printf("%7.2f ms  done: the join handle (itself a future) gave %ld\n", ms(), (long)n);
	reactor_io_close(io);
	exec_destroy(ex);
	close(sv[0]);
	close(sv[1]);
	return n == 5 ? 0 : 1;
}
