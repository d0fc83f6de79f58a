/*
 * demo_blocking_vs_nonblocking.c - the same read on an empty pipe, twice.
 *
 * First on a blocking descriptor: the main thread sleeps inside read() until a helper thread
 * writes, 200 ms later.  While it sleeps, the helper looks at the main thread's state in
 * /proc: 'S', sleeping in the kernel, using no CPU.  Then on a non-blocking descriptor: read()
 * returns at once with EAGAIN and the thread keeps running.
 */
#include "evq.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "asl/util.h"

static const char usage[] = "demo_blocking_vs_nonblocking [-h]\n"
			    "  shows a read on an empty pipe blocking, then returning EAGAIN";

struct helper {
	int wfd;
	pid_t reader_tid;
	uint64_t t0;
	char state;
};

static double ms_since(uint64_t t0)
{
	return (double)(asl_now_ns() - t0) / 1e6;
}

/* The state letter of thread tid from /proc/self/task/TID/stat ('R', 'S', ...). */
static char thread_state(pid_t tid)
{
	char path[64], line[512];
	snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)tid);
	FILE *f = fopen(path, "r");
	if (!f)
		return '?';
	char st = '?';
	if (fgets(line, sizeof line, f)) {
		char *rp = strrchr(line, ')'); /* the name may contain spaces */
		if (rp && rp[1] == ' ')
			st = rp[2];
	}
	fclose(f);
	return st;
}

static void *helper_main(void *arg)
{
	struct helper *h = arg;
	struct timespec ts = { 0, 200 * 1000000L };
	nanosleep(&ts, NULL); /* a demo may sleep: this is the delay we want to show */
	h->state = thread_state(h->reader_tid);
	printf("  [%7.3f ms] helper: the reader thread's state is '%c' (%s); now writing 5 bytes\n",
	       ms_since(h->t0), h->state, h->state == 'S' ? "sleeping in the kernel" : "?");
	if (write(h->wfd, "hello", 5) != 5)
		perror("write");
	return NULL;
}

int main(int argc, char **argv)
{
	int p[2];
	char buf[64];
	pthread_t th;
	struct helper h;

	asl_no_options(argc, argv, usage);
	if (argc > 1)
		asl_usage_error(usage, "no arguments expected");
	if (pipe(p) < 0)
		asl_die(errno, "pipe");

	printf("1. blocking read on an empty pipe (a helper thread writes after 200 ms)\n");
	h = (struct helper){ .wfd = p[1],
			     .reader_tid = (pid_t)syscall(SYS_gettid),
			     .t0 = asl_now_ns() };
	if ((errno = pthread_create(&th, NULL, helper_main, &h)))
		asl_die(errno, "pthread_create");
	printf("  [%7.3f ms] main: calling read()...\n", ms_since(h.t0));
	ssize_t n = nbio_read_some(p[0], buf, sizeof buf);
	printf("  [%7.3f ms] main: read() returned %zd - the thread waited ~200 ms doing nothing\n",
	       ms_since(h.t0), n);
	pthread_join(th, NULL);
	if (n != 5)
		asl_die(n < 0 ? (int)-n : 0, "blocking read returned %zd", n);

	printf("\n2. the same read with O_NONBLOCK set\n");
	int rc = nbio_set_nonblock(p[0], true);
	if (rc < 0)
		asl_die(-rc, "nbio_set_nonblock");
	uint64_t t0 = asl_now_ns();
	n = nbio_read_some(p[0], buf, sizeof buf);
	printf("  [%7.3f ms] main: read() returned %zd (%s) at once - the thread is free to do "
	       "other work\n",
	       ms_since(t0), n, n < 0 ? asl_errname((int)-n) : "data?");
	if (n != -EAGAIN)
		asl_die(0, "expected -EAGAIN from an empty non-blocking pipe, got %zd", n);

	if (h.state != 'S')
		printf("\n(The reader's state read '%c', not 'S': after 200 ms it had still not "
		       "reached read(),\nso busy was the machine.  Rerun on an idle machine to see "
		       "it asleep.)\n",
		       h.state);
	printf("\nWhat it shows: blocking I/O parks the thread (state '%c'), so one thread can "
	       "wait for one thing.\nNon-blocking I/O never parks it; to wait for many things at "
	       "once, ask the kernel which are ready (epoll, next demo).\n",
	       h.state);
	close(p[0]);
	close(p[1]);
	return 0;
}
