/*
 * bench_fiber_memory - what an idle fiber costs in memory, against an idle OS thread.
 *
 * K fibers start, each touches 1 KiB of its stack (a few small frames, like a handler waiting
 * for its next request) and parks on a channel.  VmRSS (pages really in RAM) and VmSize
 * (address space reserved) from /proc/self/status, read before the spawns and once every fiber
 * is parked, divided by K, give the cost of one fiber: its struct, its stack's touched pages
 * and its guard page.  For stacks of 4, 16 and 64 KiB; then the same for K OS threads with
 * glibc's default stack (`ulimit -s`, usually 8 MiB).  Each configuration runs in a fresh
 * child process, so that nothing freed by an earlier one is reused.
 * Dataset "memory": KiB per unit, x = stack size in KiB; series fiber-rss, fiber-virtual,
 * thread-rss, thread-virtual.
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
#include "asl/util.h"
#include "fiber.h"

struct probe {
	int k;
	fiber_chan_t *gate;
	long rss0, vsz0;
	double rss, vsz; /* KiB per unit */
};

__attribute__((noinline)) static void touch_stack(void)
{
	volatile char buf[1024];
	for (size_t i = 0; i < sizeof buf; i += 64)
		buf[i] = 1;
	bench_keep(buf[0]);
}

static void *idle_fiber(void *arg)
{
	struct probe *p = arg;
	void *v;
	touch_stack();
	fiber_chan_recv(p->gate, &v); /* parked until the gate closes */
	return NULL;
}

static void fibers_child(struct probe *p, size_t stack)
{
	fiber_sched_t *s;
	if (fiber_sched_create(&s, stack) || fiber_chan_create(&p->gate, 0))
		asl_die(ENOMEM, "setup");
	p->rss0 = bench_status_kib("VmRSS");
	p->vsz0 = bench_status_kib("VmSize");
	for (int i = 0; i < p->k; i++)
		if (fiber_spawn(s, NULL, idle_fiber, p))
			asl_die(ENOMEM, "fiber_spawn");
	/* Once every fiber is parked on the gate nothing can run: fiber_sched_run says so
	 * (-EDEADLK) and returns to us, on the thread's own stack, to measure (in a fiber, the
	 * measuring code's libc calls would need more than a 4 KiB stack).  Closing the gate
	 * then lets them all finish. */
	int rc = fiber_sched_run(s);
	if (rc != -EDEADLK)
		asl_die(rc < 0 ? -rc : 0, "fiber_sched_run: expected every fiber parked");
	p->rss = (double)(bench_status_kib("VmRSS") - p->rss0) / p->k;
	p->vsz = (double)(bench_status_kib("VmSize") - p->vsz0) / p->k;
	fiber_chan_close(p->gate);
	if ((rc = fiber_sched_run(s)))
		asl_die(-rc, "fiber_sched_run");
	fiber_sched_destroy(s);
	fiber_chan_destroy(p->gate);
}

static pthread_barrier_t parked, release;

static void *idle_thread(void *arg)
{
	(void)arg;
	touch_stack();
	pthread_barrier_wait(&parked);
	pthread_barrier_wait(&release);
	return NULL;
}

static void threads_child(struct probe *p)
{
	pthread_t *t = calloc((size_t)p->k, sizeof *t);
	pthread_barrier_init(&parked, NULL, (unsigned)p->k + 1);
	pthread_barrier_init(&release, NULL, (unsigned)p->k + 1);
	p->rss0 = bench_status_kib("VmRSS");
	p->vsz0 = bench_status_kib("VmSize");
	for (int i = 0; i < p->k; i++)
		if (pthread_create(&t[i], NULL, idle_thread, NULL))
			asl_die(0, "pthread_create #%d", i);
	pthread_barrier_wait(&parked);
	p->rss = (double)(bench_status_kib("VmRSS") - p->rss0) / p->k;
	p->vsz = (double)(bench_status_kib("VmSize") - p->vsz0) / p->k;
	pthread_barrier_wait(&release);
	for (int i = 0; i < p->k; i++)
		pthread_join(t[i], NULL);
	free(t);
}

struct run_arg {
	int k;
	size_t stack;
};

static int run_main(void *arg, double *out)
{
	struct run_arg *a = arg;
	struct probe p = { .k = a->k };
	if (a->stack)
		fibers_child(&p, a->stack);
	else
		threads_child(&p);
	out[0] = p.rss;
	out[1] = p.vsz;
	return 0;
}

/* One configuration in a fresh process: stack 0 = OS threads.  Returns {rss, vsz} per unit. */
static void run_child(int k, size_t stack, double out[2])
{
	struct run_arg a = { k, stack };
	bench_in_child("measuring child", run_main, &a, out, 2);
}

int main(int argc, char **argv)
{
	struct bench b;
	bench_init(&b, argc, argv, "08-fibers",
		   "memory per idle fiber (4/16/64 KiB stacks) vs per idle OS thread");
	int kf = b.quick ? 200 : 5000, kt = b.quick ? 20 : 500;
	int samples = b.quick ? 1 : 3;
	char note[200];
	snprintf(note, sizeof note,
		 "%d fibers / %d threads, each touched 1 KiB of stack and "
		 "parked; KiB per unit; thread x = default stack (ulimit -s)",
		 kf, kt);
	bench_open(&b, "memory", "stack_kib", "KiB", note);
	static const size_t stacks[] = { 4 << 10, 16 << 10, 64 << 10 };
	for (int s = 0; s < 3; s++) {
		double rss[3], vsz[3], v[2];
		for (int i = 0; i < samples; i++) {
			run_child(kf, stacks[s], v);
			rss[i] = v[0];
			vsz[i] = v[1];
		}
		bench_record(&b, "fiber-rss", (double)(stacks[s] >> 10), rss, samples, 1, NULL);
		bench_record(&b, "fiber-virtual", (double)(stacks[s] >> 10), vsz, samples, 1, NULL);
	}
	struct rlimit rl;
	double tx = getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY
			? (double)(rl.rlim_cur >> 10)
			: 8192;
	double rss[3], vsz[3], v[2];
	for (int i = 0; i < samples; i++) {
		run_child(kt, 0, v);
		rss[i] = v[0];
		vsz[i] = v[1];
	}
	bench_record(&b, "thread-rss", tx, rss, samples, 1, NULL);
	bench_record(&b, "thread-virtual", tx, vsz, samples, 1, NULL);
	bench_close(&b);
	return 0;
}
