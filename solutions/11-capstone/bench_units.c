/*
 * bench_units - the notes' "indicative" table, measured: what one unit of concurrency costs.
 *
 * For each kind of unit, two numbers:
 *   handoff  ns for control to pass from one unit to another: half of a ping-pong round trip
 *            between two OS threads (semaphores: a futex wait and wake each way), one
 *            fiber_yield between two fibers (lab 08), half of one generator resume (lab 09:
 *            into the state machine and back), half of a C++20 coroutine resume+suspend, half
 *            of a goroutine round trip over unbuffered channels (GOMAXPROCS=1);
 *   memory   resident bytes per parked unit: an OS thread with the default stack, a fiber with
 *            lab 08's default stack, a future spawned on lab 10's executor, a goroutine (each
 *            measured as VmRSS growth over many parked units), and the state of a stackless
 *            task (its struct) or of a C++20 coroutine (its frame, as the compiler allocates
 *            it).  The future's handoff: one poll of a task that wakes itself and yields,
 *            with two such tasks taking turns on lab 10's executor.
 * Datasets: units-handoff (ns), units-memory (bytes), series = the unit, x = its row.  The
 * C++ and Go rows come from units_cxx and units_go (built where g++ and go are installed);
 * a unit that could not be measured is named in the dataset's note line and in the table.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asl/bench.h"
#include "asl/util.h"
#include "fiber.h"
#include "stackless.h"
#include "units_fut.h"

/* The notes' numbers (seed 004, "Performance Benchmarks (Indicative)"), for the table. */
struct unit {
	const char *series, *what, *notes_ns, *notes_mem;
	double ns, bytes; /* measured; < 0: absent */
	const char *absent;
};

/* ---- OS threads: semaphore ping-pong, and RSS per parked thread ---- */

struct pingpong {
	sem_t a, b;
	uint64_t iters;
};

static void *pong_main(void *arg)
{
	struct pingpong *p = arg;
	for (uint64_t i = 0; i < p->iters; i++) {
		sem_wait(&p->a);
		sem_post(&p->b);
	}
	return NULL;
}

static void thread_handoff(void *arg, uint64_t iters)
{
	struct pingpong *p = arg;
	pthread_t t;
	p->iters = iters;
	if (pthread_create(&t, NULL, pong_main, p) != 0)
		abort();
	for (uint64_t i = 0; i < iters; i++) {
		sem_post(&p->a);
		sem_wait(&p->b);
	}
	pthread_join(t, NULL);
}

static pthread_barrier_t parked_gate;
static void *parked_main(void *arg)
{
	(void)arg;
	pthread_barrier_wait(&parked_gate); /* everyone started */
	pthread_barrier_wait(&parked_gate); /* the main thread measured */
	return NULL;
}

static double thread_memory(int k)
{
	pthread_t *t = calloc((size_t)k, sizeof *t);
	if (!t || pthread_barrier_init(&parked_gate, NULL, (unsigned)k + 1) != 0)
		return -1;
	long r0 = bench_status_kib("VmRSS");
	for (int i = 0; i < k; i++)
		if (pthread_create(&t[i], NULL, parked_main, NULL) != 0)
			abort();
	pthread_barrier_wait(&parked_gate);
	long r1 = bench_status_kib("VmRSS");
	pthread_barrier_wait(&parked_gate);
	for (int i = 0; i < k; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&parked_gate);
	free(t);
	return (double)(r1 - r0) * 1024 / k;
}

/* ---- fibers (lab 08): yield ping-pong, and RSS per parked fiber ---- */

struct yielder {
	uint64_t iters;
};

static void *yield_main(void *arg)
{
	struct yielder *y = arg;
	for (uint64_t i = 0; i < y->iters; i++)
		fiber_yield();
	return NULL;
}

/* Two fibers yielding to each other: 2 x iters switches, timed with the scheduler. */
static void fiber_handoff(void *arg, uint64_t iters)
{
	fiber_sched_t *s;
	struct yielder y = { iters / 2 + 1 };
	(void)arg;
	if (fiber_sched_create(&s, 0) < 0 || fiber_spawn(s, NULL, yield_main, &y) < 0 ||
	    fiber_spawn(s, NULL, yield_main, &y) < 0 || fiber_sched_run(s) < 0)
		abort();
	fiber_sched_destroy(s);
}

struct fiber_park {
	fiber_chan_t *gate;
	long r0, r1;
	int k;
};

static void *parked_fiber(void *arg)
{
	struct fiber_park *p = arg;
	void *v;
	fiber_chan_recv(p->gate, &v); /* returns -EPIPE once the gate closes */
	return NULL;
}

static void *fiber_measurer(void *arg)
{
	struct fiber_park *p = arg;
	p->r1 = bench_status_kib("VmRSS");
	fiber_chan_close(p->gate);
	return NULL;
}

static double fiber_memory(int k)
{
	fiber_sched_t *s;
	struct fiber_park p = { .k = k };
	if (fiber_sched_create(&s, 0) < 0 || fiber_chan_create(&p.gate, 0) < 0)
		return -1;
	p.r0 = bench_status_kib("VmRSS");
	for (int i = 0; i < k; i++)
		if (fiber_spawn(s, NULL, parked_fiber, &p) < 0)
			abort();
	/* spawned last: runs once every other fiber has parked on the gate */
	if (fiber_spawn(s, NULL, fiber_measurer, &p) < 0 || fiber_sched_run(s) < 0)
		abort();
	fiber_chan_destroy(p.gate);
	fiber_sched_destroy(s);
	return (double)(p.r1 - p.r0) * 1024 / k;
}

/* ---- stackless tasks (lab 09): one generator resume ---- */

static void gen_handoff(void *arg, uint64_t iters)
{
	struct gen_range r;
	long v, sum = 0;
	(void)arg;
	if (gen_range_init(&r, 0, (long)iters + 1, 1) < 0)
		abort();
	for (uint64_t i = 0; i < iters; i++) {
		if (gen_next(&r.g, &v) != 1)
			abort();
		sum += v;
	}
	bench_keep(sum);
}

/* ---- the comparison programs ---- */

/* Run prog (--quick in quick mode) and read its "key value" lines; false if absent/failed. */
static bool run_helper(const char *prog, bool quick, const char *k1, double *v1, const char *k2,
		       double *v2)
{
	char cmd[600], line[200], key[64];
	double v;
	if (access(prog, X_OK) != 0)
		return false;
	snprintf(cmd, sizeof cmd, "%s%s", prog, quick ? " --quick" : "");
	FILE *p = popen(cmd, "r");
	if (!p)
		return false;
	int got = 0;
	while (fgets(line, sizeof line, p))
		if (sscanf(line, "%63s %lf", key, &v) == 2) {
			if (!strcmp(key, k1))
				*v1 = v, got |= 1;
			if (!strcmp(key, k2))
				*v2 = v, got |= 2;
		}
	return pclose(p) == 0 && got == 3; /* pclose reaps it: its CPU time is ours */
}

int main(int argc, char **argv)
{
	struct bench b;
	bench_init(&b, argc, argv, "11-capstone",
		   "the notes' table: ns per handoff and bytes per unit, for every kind of unit");
	struct unit u[] = {
		{ "thread", "OS thread (lab 03)", "-", "-", -1, -1, NULL },
		{ "fiber", "fiber, 16 KiB stack (lab 08)", "-", "-", -1, -1, NULL },
		{ "stackless", "stackless task (lab 09 generator)", "-", "-", -1, -1, NULL },
		{ "future", "future on an executor (lab 10)", "~50 ns (Rust)", "~100 B", -1, -1,
		  NULL },
		{ "cxx-coroutine", "C++20 coroutine", "~70 ns", "depends", -1, -1, NULL },
		{ "goroutine", "goroutine (Go)", "~200 ns", "2 KB", -1, -1, NULL },
	};
	int nu = (int)(sizeof u / sizeof u[0]);
	struct pingpong pp;
	sem_init(&pp.a, 0, 0);
	sem_init(&pp.b, 0, 0);
	struct bench_stats st;
	char absent[300] = "";

	bench_open(&b, "units-handoff", "unit", "ns",
		   "thread, stackless: ns per round trip (two handoffs: the figure halves them); "
		   "the others: ns per handoff");
	/* each loop iteration of the thread ping-pong is two handoffs; the fiber loop's is one
	 * yield, the generator's a resume and a return: all are divided to one handoff below */
	bench_loop(&b, "thread", 1, thread_handoff, &pp, &st);
	u[0].ns = st.median / 2;
	bench_loop(&b, "fiber", 2, fiber_handoff, NULL, &st);
	u[1].ns = st.median;
	bench_loop(&b, "stackless", 3, gen_handoff, NULL, &st);
	u[2].ns = st.median / 2;
	bench_loop(&b, "future", 4, units_fut_handoff, NULL, &st);
	u[3].ns = st.median;
	/* the comparison programs take their own samples and report one median */
	char self[512], prog[600];
	ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
	self[sl > 0 ? sl : 0] = '\0';
	char *slash = strrchr(self, '/');
	if (slash)
		*slash = '\0';
	snprintf(prog, sizeof prog, "%s/units_cxx", self);
	if (!run_helper(prog, b.quick, "handoff_ns", &u[4].ns, "frame_bytes", &u[4].bytes))
		u[4].ns = u[4].bytes = -1, u[4].absent = "g++ not installed (apt-get install g++)";
	snprintf(prog, sizeof prog, "%s/units_go", self);
	if (!run_helper(prog, b.quick, "handoff_ns", &u[5].ns, "bytes_per_unit", &u[5].bytes))
		u[5].ns = u[5].bytes = -1,
		u[5].absent = "go not installed (apt-get install golang-go)";
	for (int k = 4; k < nu; k++)
		if (u[k].ns >= 0)
			bench_record(&b, u[k].series, k + 1, &u[k].ns, 1, 1, NULL);
	bench_close(&b);

	int kt = b.quick ? 20 : 200, kf = b.quick ? 500 : 10000;
	u[0].bytes = thread_memory(kt);
	u[1].bytes = fiber_memory(kf);
	u[2].bytes = (double)sizeof(struct gen_range);
	u[3].bytes = units_fut_memory(kf * 20); /* ~100 B each: many, to see them in VmRSS */
	for (int k = 0; k < nu; k++)
		if (u[k].absent) {
			size_t at = strlen(absent);
			snprintf(absent + at, sizeof absent - at, "%s%s: %s",
				 at ? "; " : "absent: ", u[k].series, u[k].absent);
		}
	char note[400];
	snprintf(note, sizeof note,
		 "thread: VmRSS growth over %d parked threads; fiber, future: "
		 "over %d parked fibers, %d x 20 spawned tasks; stackless: sizeof(struct "
		 "gen_range); C++: frame size. %s",
		 kt, kf, kf, absent[0] ? absent : "every unit measured");
	bench_open(&b, "units-memory", "unit", "bytes", note);
	for (int k = 0; k < nu; k++)
		if (u[k].bytes >= 0)
			bench_record(&b, u[k].series, k + 1, &u[k].bytes, 1, 1, NULL);
	bench_close(&b);
	sem_destroy(&pp.a);
	sem_destroy(&pp.b);

	printf("\n| unit | handoff (ns), measured | notes' switch time | memory per unit, "
	       "measured | notes' memory |\n|---|---|---|---|---|\n");
	for (int k = 0; k < nu; k++) {
		char ns[64], by[64];
		if (u[k].ns < 0)
			snprintf(ns, sizeof ns, "absent");
		else
			snprintf(ns, sizeof ns, "%.1f", u[k].ns);
		if (u[k].bytes < 0)
			snprintf(by, sizeof by, "absent");
		else if (u[k].bytes >= 1024)
			snprintf(by, sizeof by, "%.1f KiB", u[k].bytes / 1024);
		else
			snprintf(by, sizeof by, "%.0f B", u[k].bytes);
		printf("| %s | %s | %s | %s | %s |\n", u[k].what, ns, u[k].notes_ns, by,
		       u[k].notes_mem);
	}
	if (absent[0])
		printf("\n%s\n", absent);
	return 0;
}
