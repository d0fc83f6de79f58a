/*
 * bench_thread_memory - what an idle thread costs in memory: reserved vs really used.
 *
 * Parks K threads on a barrier and reads VmSize (virtual: address space reserved) and VmRSS
 * (resident: pages really in RAM) from /proc/self/status before and after; the difference
 * divided by K is the cost of one thread.  Done for several stack sizes, and once more with
 * threads that each touched 48 KiB of their stack before parking.
 *
 * Every configuration runs in a fresh child process: glibc keeps the stacks of joined threads
 * in a cache (up to ~40 MiB) and hands them to new threads, which would hide the cost.
 * Dataset "memory" (plots/03-threads-cost.gp): KiB per thread, x = stack size in KiB.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "asl/bench.h"
#include "threads.h"
#include "asl/util.h"

struct park {
	pthread_barrier_t parked, release;
	size_t touch; /* bytes of stack each thread writes before parking */
};

static void *parked_thread(void *p)
{
	struct park *pk = p;
	if (pk->touch) {
		/* a VLA: the pages really are on this thread's stack */
		volatile char buf[pk->touch];
		for (size_t i = 0; i < pk->touch; i += 1024)
			buf[i] = 1;
		bench_keep(buf[0]);
	}
	pthread_barrier_wait(&pk->parked);
	pthread_barrier_wait(&pk->release);
	return NULL;
}

/* In the child: park k threads with the given stack; report KiB per thread (rss, vsz). */
static int measure_child(int k, size_t stack, size_t touch, double out[2])
{
	struct park pk = { .touch = touch };
	pthread_t *ids = calloc((size_t)k, sizeof *ids);
	pthread_attr_t attr;
	long rss0, vsz0, rss1, vsz1;
	int err = 0, started = 0;

	if (!ids)
		return ENOMEM;
	pthread_barrier_init(&pk.parked, NULL, (unsigned)k + 1);
	pthread_barrier_init(&pk.release, NULL, (unsigned)k + 1);
	pthread_attr_init(&attr);
	if (stack)
		pthread_attr_setstacksize(&attr, stack);
	rss0 = bench_status_kib("VmRSS");
	vsz0 = bench_status_kib("VmSize");
	for (; started < k && !err; started++)
		err = pthread_create(&ids[started], &attr, parked_thread, &pk);
	if (err) /* cannot park them all: no number, and the barriers would never open */
		_exit(3);
	pthread_barrier_wait(&pk.parked);
	rss1 = bench_status_kib("VmRSS");
	vsz1 = bench_status_kib("VmSize");
	pthread_barrier_wait(&pk.release);
	for (int i = 0; i < started; i++)
		pthread_join(ids[i], NULL);
	out[0] = (double)(rss1 - rss0) / k;
	out[1] = (double)(vsz1 - vsz0) / k;
	pthread_attr_destroy(&attr);
	free(ids);
	return 0;
}

struct measure_arg {
	int k;
	size_t stack, touch;
};

static int measure_main(void *arg, double *out)
{
	struct measure_arg *a = arg;
	return measure_child(a->k, a->stack, a->touch, out);
}

/* Run measure_child in a fresh process: the two numbers come back from it. */
static void measure(int k, size_t stack, size_t touch, double out[2])
{
	struct measure_arg a = { k, stack, touch };
	char what[80];
	snprintf(what, sizeof what, "measuring %d threads with %zu KiB stacks", k, stack >> 10);
	bench_in_child(what, measure_main, &a, out, 2);
}

int main(int argc, char **argv)
{
	struct bench b;
	struct rlimit rl;
	size_t def_stack = 8 << 20;
	int k, samples;
	char note[200];

	bench_init(&b, argc, argv, "03-threads", "memory per idle thread: resident vs virtual");
	if (!getrlimit(RLIMIT_STACK, &rl) && rl.rlim_cur != RLIM_INFINITY)
		def_stack = rl.rlim_cur; /* glibc's default thread stack is `ulimit -s` */
	k = b.quick ? 8 : 200;
	samples = b.quick ? 2 : 5;
	snprintf(note, sizeof note,
		 "%d threads parked on a barrier; x = stack KiB "
		 "(default = ulimit -s = %zu KiB)",
		 k, def_stack >> 10);
	bench_open(&b, "memory", "stack_kib", "KiB/thread", note);
	const size_t stacks[] = { threads_small_stack(), 256 << 10, 1 << 20, def_stack };
	enum { NS = sizeof stacks / sizeof stacks[0] };
	static const char *const names[3] = { "virtual", "rss", "rss-touch48k" };
	double v[3][NS][16], r[2];
	for (int s = 0; s < NS; s++) {
		for (int i = 0; i < samples; i++) {
			measure(k, stacks[s], 0, r);
			v[1][s][i] = r[0];
			v[0][s][i] = r[1];
			measure(k, stacks[s], 48 << 10, r);
			v[2][s][i] = r[0];
		}
	}
	/* one block of rows per series, so that gnuplot joins each series' points */
	for (int m = 0; m < 3; m++)
		for (int s = 0; s < NS; s++)
			bench_record(&b, names[m], (double)(stacks[s] >> 10), v[m][s], samples, 1,
				     NULL);
	bench_close(&b);
	return 0;
}
