/*
 * bench_pingpong - one-way handoff latency through a channel between two OS threads.
 *
 * Main sends a token on `ping`, the partner receives it and sends it back on `pong`: a round
 * trip is two handoffs, and each handoff wakes a sleeping thread - a futex wake, and, when
 * both threads share one CPU, a context switch.  Pinned to the same CPU and to two different
 * CPUs; unbuffered and capacity-1 channels.  Reported: microseconds per one-way handoff.
 */
#include "sync.h"

#include "asl/bench.h"
#include "asl/util.h"

#include <sched.h>
#include <stdio.h>

#define STOP ((void *)(intptr_t)-1)

struct pp {
	struct chan *ping, *pong;
	int partner_cpu;
	long trips;
};

static int pin_self(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static void *partner(void *arg)
{
	struct pp *p = arg;
	void *v;
	if (pin_self(p->partner_cpu))
		asl_die(0, "cannot pin the partner to CPU %d", p->partner_cpu);
	while (chan_recv(p->ping, &v) == CHAN_OK && v != STOP)
		if (chan_send(p->pong, v) != CHAN_OK)
			break;
	return NULL;
}

/* One sample: microseconds per one-way handoff over p->trips round trips. */
static double sample(void *arg)
{
	struct pp *p = arg;
	void *v;
	uint64_t t0 = asl_now_ns();
	for (long i = 0; i < p->trips; i++) {
		if (chan_send(p->ping, (void *)(intptr_t)i) || chan_recv(p->pong, &v))
			asl_die(0, "ping-pong: channel error");
	}
	return (double)(asl_now_ns() - t0) / 1e3 / (2.0 * (double)p->trips);
}

static void measure(struct bench *b, const char *series, size_t cap, int main_cpu, int partner_cpu,
		    double x)
{
	struct pp p = { .partner_cpu = partner_cpu, .trips = 64 };
	pthread_t t;
	if (chan_create(&p.ping, cap, NULL) || chan_create(&p.pong, cap, NULL))
		asl_die(ENOMEM, "chan_create");
	if (pin_self(main_cpu))
		asl_die(0, "cannot pin to CPU %d", main_cpu);
	if (pthread_create(&t, NULL, partner, &p))
		asl_die(0, "pthread_create");
	for (;;) { /* calibrate: one sample lasts at least min_time */
		uint64_t t0 = asl_now_ns();
		sample(&p);
		if ((double)(asl_now_ns() - t0) >= b->min_time_s * 1e9 || p.trips > (1L << 26))
			break;
		p.trips *= 2;
	}
	bench_shot(b, series, x, sample, &p, NULL);
	chan_send(p.ping, STOP);
	pthread_join(t, NULL);
	chan_destroy(p.ping);
	chan_destroy(p.pong);
}

int main(int argc, char **argv)
{
	struct bench b;
	int cpu[2] = { -1, -1 }, n = 0;
	cpu_set_t set;

	bench_init(&b, argc, argv, "04-sync",
		   "one-way handoff through a channel between two threads (ping-pong / 2)");
	sched_getaffinity(0, sizeof set, &set);
	for (int c = 0; c < CPU_SETSIZE && n < 2; c++)
		if (CPU_ISSET(c, &set))
			cpu[n++] = c;
	char note[160];
	snprintf(note, sizeof note, "x: 0 = both threads on CPU %d, 1 = CPU %d and CPU %d", cpu[0],
		 cpu[0], cpu[1]);
	bench_open(&b, "pingpong", "placement", "us", note);
	static const struct {
		const char *name;
		size_t cap;
	} kinds[] = { { "unbuffered", 0 }, { "capacity-1", 1 } };
	for (int k = 0; k < 2; k++) {
		measure(&b, kinds[k].name, kinds[k].cap, cpu[0], cpu[0], 0);
		if (n == 2)
			measure(&b, kinds[k].name, kinds[k].cap, cpu[0], cpu[1], 1);
		else
			printf("# only one usable CPU: no cross-CPU measurement\n");
	}
	bench_close(&b);
	return 0;
}
