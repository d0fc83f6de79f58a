/*
 * stress_coro.c - a standalone driver for `make valgrind` and `make cross-run`: thousands of
 * coroutines of every kind in this lab, interleaved on one thread under random schedules,
 * each checked against its sequential reference; the parser fed random splits of a request.
 * Exits 0 when everything matched, 1 with a message otherwise.
 *
 * usage: stress_coro [-h]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asl/util.h"
#include "http_req.h"
#include "stackless.h"

static const char usage[] = "stress_coro [-h]\n"
			    "  every coroutine of lab 09 under random schedules, checked";

#define TASKS 600

static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

struct job {
	int kind; /* 0 hand-written, 1 pt_line, 2 pt_goto */
	union {
		struct sum_stream sm;
		struct sum_stream_ptl pl;
		struct sum_stream_ptg pg;
	} u;
	struct sim_io io;
	int32_t in[24];
	size_t n;
};

static int job_resume(void *self)
{
	struct job *j = self;
	return j->kind == 0   ? sum_stream_step(&j->u.sm)
	       : j->kind == 1 ? sum_stream_ptl_step(&j->u.pl)
			      : sum_stream_ptg_step(&j->u.pg);
}

static void job_result(const struct job *j, int *res, int32_t *total)
{
	*res = j->kind == 0 ? j->u.sm.result : j->kind == 1 ? j->u.pl.result : j->u.pg.result;
	*total = j->kind == 0 ? j->u.sm.total : j->kind == 1 ? j->u.pl.total : j->u.pg.total;
}

static void stress_state_machines(uint64_t seed)
{
	struct job *jobs = calloc(TASKS, sizeof *jobs);
	struct rr_task *t = calloc(TASKS, sizeof *t);
	if (!jobs || !t)
		asl_die(ENOMEM, "calloc");
	uint64_t s = seed;
	for (int i = 0; i < TASKS; i++) {
		struct job *j = &jobs[i];
		j->kind = i % 3;
		j->n = 1 + rnd(&s) % 23;
		/* the count: usually the number of values that follow, sometimes one more
		 * (the stream ends early: -ENODATA) */
		j->in[0] = (int32_t)(j->n - 1) + (int32_t)(rnd(&s) % 2);
		for (size_t k = 1; k < j->n; k++)
			j->in[k] = rnd(&s) % 50 == 0 ? SIM_EIO : (int32_t)(rnd(&s) % 41) - 20;
		sim_io_init(&j->io, j->in, j->n, rnd(&s), (unsigned)(rnd(&s) % 101), 4);
		if (j->kind == 0)
			sum_stream_init(&j->u.sm, &j->io);
		else if (j->kind == 1)
			sum_stream_ptl_init(&j->u.pl, &j->io);
		else
			sum_stream_ptg_init(&j->u.pg, &j->io);
		t[i] = (struct rr_task){ .resume = job_resume, .self = j };
	}
	long rounds = rr_run(t, TASKS, 1000000);
	if (rounds < 0)
		asl_die(0, "rr_run: %ld", rounds);
	for (int i = 0; i < TASKS; i++) {
		struct job *j = &jobs[i];
		struct sim_io ref;
		int32_t want_total, total;
		int res;
		sim_io_init(&ref, j->in, j->n, 1, 0, 1);
		int want = sum_stream_ref(&ref, &want_total);
		job_result(j, &res, &total);
		if (t[i].status != CORO_READY || res != want || total != want_total ||
		    ref.n_log != j->io.n_log ||
		    memcmp(ref.log, j->io.log, ref.n_log * sizeof ref.log[0]))
			asl_die(0,
				"task %d (kind %d, seed %llu): result %d total %d, reference %d "
				"total %d",
				i, j->kind, (unsigned long long)seed, res, (int)total, want,
				(int)want_total);
	}
	printf("stress_coro: %d state machines in %ld rounds, all equal to the reference\n", TASKS,
	       rounds);
	free(jobs);
	free(t);
}

static void stress_parser(uint64_t seed)
{
	static const char req[] = "POST /upload?id=7 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n"
				  "Connection: close\r\nX-A:  b  \r\n\r\nabc";
	struct http_req_parser *p = malloc(sizeof *p);
	if (!p)
		asl_die(ENOMEM, "malloc");
	uint64_t s = seed;
	size_t len = sizeof req - 1;
	for (int round = 0; round < 2000; round++) {
		size_t at = 0, used;
		int rc = HTTP_REQ_MORE;
		http_req_parser_init(p);
		while (rc == HTTP_REQ_MORE && at < len) {
			size_t n = round == 0 ? 1 : 1 + rnd(&s) % 16;
			if (n > len - at)
				n = len - at;
			rc = http_req_parser_feed(p, req + at, n, &used);
			at += used;
		}
		if (rc != HTTP_REQ_DONE || at != len - 3 || strcmp(p->req.target, "/upload?id=7") ||
		    p->req.content_length != 3 || p->req.keep_alive ||
		    strcmp(http_req_header(&p->req, "x-a"), "b"))
			asl_die(0, "parser round %d (seed %llu): status %d at %zu", round,
				(unsigned long long)seed, rc, at);
	}
	printf("stress_coro: 2000 random splits of a request, all parsed alike\n");
	free(p);
}

static bool odd(long v, void *arg)
{
	(void)arg;
	return v & 1;
}

static void stress_generators(void)
{
	struct gen_range r;
	struct gen_filter f;
	struct gen_take t;
	long v, want = 1, n = 0;
	if (gen_range_init(&r, 0, 1L << 40, 1) < 0)
		asl_die(0, "gen_range_init");
	gen_filter_init(&f, &r.g, odd, NULL);
	gen_take_init(&t, &f.g, 100000);
	while (gen_next(&t.g, &v) == 1) {
		if (v != want)
			asl_die(0, "generator pipeline: expected %ld, got %ld", want, v);
		want += 2;
		n++;
	}
	if (n != 100000 || gen_next(&t.g, &v) != -EALREADY)
		asl_die(0, "generator pipeline: %ld values", n);
	printf("stress_coro: take(100000, filter(odd, range(0, 2^40))) correct and lazy\n");
}

int main(int argc, char **argv)
{
	asl_no_arguments(argc, argv, usage);
	stress_state_machines(0x09090909);
	stress_parser(0x0909);
	stress_generators();
	return 0;
}
