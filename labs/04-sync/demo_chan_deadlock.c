/*
 * demo_chan_deadlock - Go's "fatal error: all goroutines are asleep - deadlock!", in C.
 *
 * The notes' Go program receives on a channel that nobody sends on.  Go notices that no
 * goroutine can ever run again and stops the program.  Our channel group (step 6) does the
 * same check, and instead of hanging forever the blocked call returns CHAN_DEADLOCK.  Then a
 * cycle of two threads, each receiving from the other before sending.
 */
#include "sync.h"

#include "asl/util.h"

#include <stdio.h>
#include <string.h>

static const char *usage = "demo_chan_deadlock\n"
			   "  channel deadlocks reported instead of hanging (lab 04 step 6)";

struct ring_member {
	struct chan_group *g;
	struct chan *in, *out;
	const char *name;
	int rc;
};

static void *member(void *arg)
{
	struct ring_member *m = arg;
	void *v;
	m->rc = chan_recv(m->in, &v); /* waits for the other one's message first... */
	if (m->rc == CHAN_OK)
		chan_send(m->out, v); /* ...which it would only send after receiving ours */
	chan_group_leave(m->g);
	return NULL;
}

static const char *status_name(int rc)
{
	switch (rc) {
	case CHAN_OK: return "CHAN_OK";
	case CHAN_CLOSED: return "CHAN_CLOSED";
	case CHAN_TIMEOUT: return "CHAN_TIMEOUT";
	case CHAN_DEADLOCK: return "CHAN_DEADLOCK";
	default: return asl_errname(-rc);
	}
}

int main(int argc, char **argv)
{
	struct chan_group *g;
	struct chan *ch, *a, *b;
	void *v;
	int rc;

	asl_no_arguments(argc, argv, usage);
	if ((rc = chan_group_create(&g)) || (rc = chan_create(&ch, 0, g)) ||
	    (rc = chan_create(&a, 0, g)) || (rc = chan_create(&b, 0, g)))
		asl_die(-rc, "creating the channels");

	printf("Go:    ch := make(chan string); fmt.Println(<-ch)   // nobody sends\n");
	printf("C:     chan_recv(ch, &v) with main the only thread of the group\n");
	chan_group_enter(g);
	uint64_t t0 = asl_now_ns();
	rc = chan_recv(ch, &v);
	printf("  -> %s after %.3f ms: all threads are asleep - deadlock!\n", status_name(rc),
	       (double)(asl_now_ns() - t0) / 1e6);
	rc = chan_send(ch, "hello");
	printf("  an unbuffered send with no receiver: %s\n", status_name(rc));
	chan_group_leave(g);

	printf("\nTwo threads, each receiving from the other before sending:\n");
	struct ring_member m[2] = { { g, a, b, "thread 1", 1 }, { g, b, a, "thread 2", 1 } };
	pthread_t t[2];
	t0 = asl_now_ns();
	/* Both are counted in before either starts: were thread 1 counted and running alone,
	 * its wait really would be a deadlock - nobody else exists yet to send to it. */
	chan_group_enter(g);
	chan_group_enter(g);
	for (int i = 0; i < 2; i++)
		if ((rc = pthread_create(&t[i], NULL, member, &m[i])))
			asl_die(rc, "pthread_create");
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < 2; i++)
		printf("  %s: chan_recv -> %s\n", m[i].name, status_name(m[i].rc));
	printf("  both reported after %.3f ms instead of hanging forever.\n",
	       (double)(asl_now_ns() - t0) / 1e6);

	chan_destroy(ch);
	chan_destroy(a);
	chan_destroy(b);
	chan_group_destroy(g);
	return m[0].rc == CHAN_DEADLOCK && m[1].rc == CHAN_DEADLOCK ? 0 : 1;
}
