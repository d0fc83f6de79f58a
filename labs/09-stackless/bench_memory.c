/*
 * bench_memory.c - what one suspended task costs in memory: a stackless coroutine's struct,
 * a fiber's stack, an OS thread.
 *
 * usage: bench_memory [bench options]
 *
 * Dataset "memory" (plots/09-stackless-memory.gp), bytes per task, x = a row number:
 *   1-7   sizeof each state struct of this lab: exact, known at compile time (one sample);
 *   8-9   (the C++20 coroutine frames: bench_cxx_coro, dataset "memory-cxx");
 *   10    a lab-08 fiber stack: the 16 KiB this course sizes fibers with (a nominal figure;
 *         lab 08 measures what a fiber really keeps resident);
 *   11-12 an OS thread with the default attributes: memory really resident (VmRSS) and
 *         address space reserved (VmSize), measured by parking 64 threads and dividing.
 * Each thread sample runs in a fresh child process: glibc caches the stacks of joined
 * threads and would hand them to the next ones.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "asl/bench.h"
#include "asl/util.h"
#include "http_req.h"
#include "stackless.h"

#define PARKED 64
#define FIBER_STACK (16 * 1024)

static pthread_barrier_t parked, release;

static void *parked_thread(void *arg)
{
	(void)arg;
	pthread_barrier_wait(&parked);
	pthread_barrier_wait(&release);
	return NULL;
}

/* In a child: park PARKED default threads; bytes per thread (virtual, resident) to per. */
static int measure_threads(void *arg, double *per)
{
	pthread_t t[PARKED];
	(void)arg;
	pthread_barrier_init(&parked, NULL, PARKED + 1);
	pthread_barrier_init(&release, NULL, PARKED + 1);
	long vsz0 = bench_status_kib("VmSize"), rss0 = bench_status_kib("VmRSS");
	for (int i = 0; i < PARKED; i++)
		if ((errno = pthread_create(&t[i], NULL, parked_thread, NULL)))
			asl_die(errno, "pthread_create");
	pthread_barrier_wait(&parked);
	long vsz1 = bench_status_kib("VmSize"), rss1 = bench_status_kib("VmRSS");
	pthread_barrier_wait(&release);
	for (int i = 0; i < PARKED; i++)
		pthread_join(t[i], NULL);
	per[0] = (double)(vsz1 - vsz0) * 1024.0 / PARKED;
	per[1] = (double)(rss1 - rss0) * 1024.0 / PARKED;
	return 0;
}

static void thread_sample(double *virt, double *res)
{
	double per[2];
	bench_in_child("the thread-measuring child", measure_threads, NULL, per, 2);
	*virt = per[0];
	*res = per[1];
}

int main(int argc, char **argv)
{
	struct bench b;
	static const struct {
		const char *series;
		size_t bytes;
	} sizes[] = {
		{ "add_two (step 1)", sizeof(struct add_two) },
		{ "sum_stream (step 2)", sizeof(struct sum_stream) },
		{ "sum_stream_ptl (step 3)", sizeof(struct sum_stream_ptl) },
		{ "sum_stream_ptg (step 4)", sizeof(struct sum_stream_ptg) },
		{ "gen_range (step 6)", sizeof(struct gen_range) },
		{ "gen_filter (step 6)", sizeof(struct gen_filter) },
		{ "http_req_parser (step 8)", sizeof(struct http_req_parser) },
	};

	bench_init(&b, argc, argv, "09-stackless",
		   "bytes per suspended task: state structs, a fiber stack, an OS thread");
	int samples = b.quick ? 1 : 5;
	char note[200];
	snprintf(note, sizeof note,
		 "rows 1-7 sizeof (exact); 10 the nominal 16 KiB fiber stack "
		 "(lab 08 measures its RSS); 11-12 default pthread, %d parked, per thread",
		 PARKED);
	bench_open(&b, "memory", "row", "bytes", note);
	int row = 1;
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++, row++) {
		double v = (double)sizes[i].bytes;
		bench_record(&b, sizes[i].series, row, &v, 1, 1, NULL);
	}
	double fiber = FIBER_STACK;
	row = 10; /* 8-9: the C++20 frames, from bench_cxx_coro */
	bench_record(&b, "fiber stack (lab 08, nominal)", row++, &fiber, 1, 1, NULL);
	double virt[5], res[5];
	for (int s = 0; s < samples; s++)
		thread_sample(&virt[s], &res[s]);
	bench_record(&b, "thread, resident", row++, res, samples, 1, NULL);
	bench_record(&b, "thread, virtual", row++, virt, samples, 1, NULL);
	bench_close(&b);
	return 0;
}
