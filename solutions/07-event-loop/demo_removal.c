/*
 * demo_removal.c - why stopping a watcher inside a callback is dangerous, and how the loop
 * makes it safe.
 *
 * Two pipes are readable, so one wait reports both: a batch [A, B].  A's callback decides B is
 * finished and frees B (in a real server: the peer of a proxied connection closed).
 *
 * A naive dispatcher turns the batch into watcher pointers first and then calls them one by
 * one; after A's callback its pointer to B points at freed memory.  This demo does not really
 * free B (that would be undefined behaviour, maybe a crash, maybe silently running garbage):
 * it fills B with the byte 0xdd, as a debugging allocator does, and shows what the naive
 * dispatcher would jump to.  Then the same scenario runs on the loop, which looks watchers up by
 * descriptor when their turn comes and finds B gone.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asl/util.h"
#include "loop.h"

#define USAGE "demo_removal\n  A callback frees a watcher that is already in the ready batch."

/* ---- the naive dispatcher: pointers taken before the callbacks run ---- */
struct naive_watcher {
	int fd;
	const char *name;
	void (*cb)(struct naive_watcher *w);
	struct naive_watcher *peer;
};

static void naive_a_cb(struct naive_watcher *w)
{
	printf("  A's callback runs and frees B (here: fills B with 0xdd)\n");
	memset(w->peer, 0xdd, sizeof *w->peer);
	w->peer = NULL;
}

static void naive_b_cb(struct naive_watcher *w)
{
	printf("  B's callback runs (%s)\n", w->name);
}

static void naive_run(int fa, int fb)
{
	struct naive_watcher *a = malloc(sizeof *a), *b = malloc(sizeof *b);
	if (!a || !b)
		asl_die(ENOMEM, "malloc");
	*a = (struct naive_watcher){ fa, "A", naive_a_cb, b };
	*b = (struct naive_watcher){ fb, "B", naive_b_cb, NULL };
	struct pollfd pfd[2] = { { fa, POLLIN, 0 }, { fb, POLLIN, 0 } };
	struct naive_watcher *batch[2] = { NULL, NULL }, *all[2] = { a, b };
	int n = 0;
	if (poll(pfd, 2, 1000) != 2)
		asl_die(0, "expected both pipes readable");
	for (int i = 0; i < 2; i++) /* resolve the batch to pointers up front */
		if (pfd[i].revents)
			batch[n++] = all[i];
	printf("naive dispatcher: the batch is [%s, %s], kept as pointers\n", batch[0]->name,
	       batch[1]->name);
	for (int i = 0; i < n; i++) {
		struct naive_watcher *w = batch[i];
		unsigned char first;
		memcpy(&first, &w->cb, 1);
		if (first == 0xdd) {
			void *target;
			memcpy(&target, &w->cb, sizeof target);
			printf(
			    "  next in the batch: the pointer to B, but B was freed: its callback "
			    "field now holds %p.\n  A real dispatcher would jump there: a crash if "
			    "lucky, someone else's code if not.\n",
			    target);
			continue;
		}
		w->cb(w);
	}
	free(a);
	free(b);
}

/* ---- the same on the loop ---- */
struct loop_watcher {
	loop_io_t io;
	const char *name;
	struct loop_watcher *peer;
	int *calls;
};

static struct loop_watcher *survivor;

static void loop_cb(loop_io_t *io, int events)
{
	struct loop_watcher *w = io->data;
	(void)events;
	(*w->calls)++;
	printf("  %s's callback runs", w->name);
	if (w->peer) {
		struct loop_watcher *victim = w->peer;
		printf(" and stops and frees %s (really free()d this time)", victim->name);
		w->peer = NULL;
		loop_io_stop(&victim->io);
		free(victim);
		survivor = w;
	}
	printf("\n");
}

int main(int argc, char **argv)
{
	int a[2], b[2], rc, calls = 0;
	loop_t *loop;

	asl_no_arguments(argc, argv, USAGE);
	if (pipe(a) < 0 || pipe(b) < 0 || write(a[1], "x", 1) != 1 || write(b[1], "x", 1) != 1)
		asl_die(errno, "pipe");
	naive_run(a[0], b[0]);

	if ((rc = loop_create(&loop, LOOP_BACKEND_EPOLL)) < 0)
		asl_die(-rc, "loop_create");
	struct loop_watcher *wa = calloc(1, sizeof *wa), *wb = calloc(1, sizeof *wb);
	if (!wa || !wb)
		asl_die(ENOMEM, "calloc");
	*wa = (struct loop_watcher){ .io.data = wa, .name = "A", .calls = &calls };
	*wb = (struct loop_watcher){ .io.data = wb, .name = "B", .calls = &calls };
	if ((rc = loop_io_start(loop, &wa->io, a[0], LOOP_READ, loop_cb)) < 0 ||
	    (rc = loop_io_start(loop, &wb->io, b[0], LOOP_READ, loop_cb)) < 0)
		asl_die(-rc, "loop_io_start");
	printf("\nthe loop: both ready again, one batch; whichever callback runs first frees the "
	       "other\n");
	wa->peer = wb;
	wb->peer = wa;
	loop_run(loop, LOOP_RUN_ONCE);
	printf("  callbacks run: %d.  The loop looked the second descriptor up in its table when "
	       "its turn came,\n  found no watcher there, and never touched the freed memory "
	       "(run it under valgrind or ASan: clean).\n",
	       calls);
	loop_io_stop(&survivor->io);
	free(survivor);
	loop_destroy(loop);
	for (int i = 0; i < 2; i++) {
		close(a[i]);
		close(b[i]);
	}
	return 0;
}
