/*
 * demo_sleepers - the notes' three sleeping threads, with timestamps.
 *
 * t1 sleeps 2000 ms; t2 sleeps 1000 ms, then starts t3 (which sleeps 500 ms) and waits for
 * it; main waits for t1 and t2.  Run one after another that is 3.5 s; run as threads it takes
 * 2 s, because sleeping threads use no CPU: the kernel parks them and wakes each one when its
 * time is up.  The printed timestamps show the interleaving.  All threads are started through
 * workers_run() (step 2) - t3 by a nested workers_run() inside t2.
 *
 * With --out DIR it also records the run with the tracer and writes
 * DIR/03-threads-timeline-sleepers.trace (plots/03-threads-timeline-sleepers.gp); --quick
 * divides every sleep by 10.  This lets `make bench` use it as a harness as well.
 */
#include "threads.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "asl/trace.h"
#include "asl/util.h"

static const char usage[] =
    "demo_sleepers [--quick | --full] [--out DIR]\n"
    "  --quick    sleep 10x shorter\n"
    "  --full     the default run (it has one size; make plots FULL=1 passes it)\n"
    "  --out DIR  also write DIR/03-threads-timeline-sleepers.trace";

enum { TASK_JOIN = 0 }; /* trace task ids: 1..3 = the sleep of t1..t3, 0 = waiting in a join */

static uint64_t t0;
static int scale = 1; /* sleeps are divided by this (--quick: 10) */

static double ms_since_start(void)
{
	return (double)(asl_now_ns() - t0) / 1e6;
}

static void say(const char *who, const char *what)
{
	printf("[%7.1f ms] %-4s %s (live threads: %d)\n", ms_since_start(), who, what,
	       thread_count_live());
	fflush(stdout);
}

static void sleep_ms(int ms, uint32_t task)
{
	struct timespec ts = { ms / scale / 1000, (long)(ms / scale % 1000) * 1000000L };
	trace_tok t = trace_begin(task);
	nanosleep(&ts, NULL);
	trace_end(t);
}

static int t3_main(void *arg)
{
	(void)arg;
	trace_thread_name("t3");
	say("t3", "started, sleeping 500 ms");
	sleep_ms(500, 3);
	say("t3", "3! done");
	return 3;
}

static int t2_main(void *arg)
{
	struct workers_task t3 = { .fn = t3_main };
	trace_tok t;
	int rc;
	(void)arg;
	trace_thread_name("t2");
	say("t2", "started, sleeping 1000 ms");
	sleep_ms(1000, 2);
	say("t2", "2! woke up; starting t3 and waiting for it");
	t = trace_begin(TASK_JOIN);
	rc = workers_run(&t3, 1);
	trace_end(t);
	say("t2", "t3 joined, done");
	return rc ? rc : t3.result;
}

static int t1_main(void *arg)
{
	(void)arg;
	trace_thread_name("t1");
	say("t1", "started, sleeping 2000 ms");
	sleep_ms(2000, 1);
	say("t1", "1! done");
	return 1;
}

int main(int argc, char **argv)
{
	struct workers_task tasks[] = { { .fn = t1_main }, { .fn = t2_main } };
	const char *out = NULL;
	char path[4096];
	trace_tok t;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("usage: %s\n", usage);
			return 0;
		} else if (!strcmp(argv[i], "--quick")) {
			scale = 10;
		} else if (!strcmp(argv[i], "--full")) {
			scale = 1;
		} else if (!strcmp(argv[i], "--out") && i + 1 < argc && argv[i + 1][0]) {
			out = argv[++i];
		} else {
			asl_usage_error(usage, "unknown argument '%s'", argv[i]);
		}
	}
	trace_enable(0);
	trace_thread_name("main");
	t0 = asl_now_ns();
	say("main", "starting t1 and t2, then waiting for both");
	t = trace_begin(TASK_JOIN);
	rc = workers_run(tasks, 2);
	trace_end(t);
	if (rc)
		asl_die(-rc, "workers_run");
	say("main", "t1 and t2 joined");
	double total = ms_since_start();
	printf("\nThe tasks ran concurrently: total %.0f ms, not the %d ms of running them one\n"
	       "after another (t1 2000 + t2 1000 + t3 500).  Sleeping threads use no CPU: the\n"
	       "kernel parks each and wakes it when its time is up - while the others wait.\n"
	       "Results: t1 returned %d, t2 returned t3's %d.\n",
	       total, 3500 / scale, tasks[0].result, tasks[1].result);
	/* 2000 ms is the longest sleep; far more means the wake-ups waited for a CPU */
	if (total > 1.25 * 2000 / scale) {
		double load = 0;
		getloadavg(&load, 1);
		printf("\nThat took %.0f ms instead of about %d: each thread woke on time but then "
		       "waited for a\nCPU (load %.2f now).  The point holds while the total stays "
		       "near the longest sleep:\nrerun on an idle machine to see it clean.\n",
		       total, 2000 / scale, load);
	}
	trace_disable();
	if (out) {
		snprintf(path, sizeof path, "%s/03-threads-timeline-sleepers.trace", out);
		rc = trace_dump(path);
		if (rc)
			asl_die(-rc, "cannot write %s", path);
		printf("# wrote %s\n", path);
	}
	trace_free();
	return 0;
}
