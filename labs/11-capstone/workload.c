/*
 * workload.c - one request of the capstone workload, the same for every model.
 *
 * The adapters decide only WHERE each step runs (which thread waits, which computes); the
 * steps themselves are here, so that results can be compared bit for bit across models and
 * the bookkeeping (in flight, finished, which thread computed) is the same for all.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "asl/trace.h"
#include "capstone.h"

/* The hash runs in slices of this many rounds, each a tracer span (when tracing is on): a
 * timeline then shows a long computation as a bar, and a preempted slice as a gap. */
#define CAP_TRACE_SLICE 256

static int cap_line_fmt(const struct cap_job *job, int i, char *buf)
{
	return snprintf(buf, CAP_LINE_MAX, "%d %d\n", job->delay_ms, i);
}

int cap_line(struct cap_job *job, int i, char *buf)
{
	int now = atomic_fetch_add(&job->inflight, 1) + 1;
	int peak = atomic_load(&job->peak_inflight);
	while (now > peak && !atomic_compare_exchange_weak(&job->peak_inflight, &peak, now))
		;
	return cap_line_fmt(job, i, buf);
}

int cap_reply_add(struct cap_reply *r, const char *p, size_t n)
{
	if (n == 0 || n > sizeof r->buf - r->len)
		return -EPROTO;
	memcpy(r->buf + r->len, p, n);
	r->len += n;
	return r->buf[r->len - 1] == '\n';
}

int cap_request_blocking(struct cap_job *job, int i, struct cap_reply *r)
{
	char line[CAP_LINE_MAX];
	int len = cap_line(job, i, line), fd = job->fds[i];
	for (int off = 0; off < len;) {
		ssize_t w = write(fd, line + off, (size_t)(len - off));
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		off += (int)w;
	}
	r->len = 0;
	for (;;) {
		char buf[CAP_LINE_MAX];
		ssize_t got = read(fd, buf, sizeof buf - r->len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -errno;
		int rc = cap_reply_add(r, buf, (size_t)got);
		if (rc != 0)
			return rc < 0 ? rc : 0;
	}
}

static uint64_t cap_seed(const struct cap_job *job, int i)
{
	char line[CAP_LINE_MAX];
	int len = cap_line_fmt(job, i, line);
	return cap_hash_bytes(line, (size_t)len);
}

uint64_t cap_expected(const struct cap_job *job, int i)
{
	return cap_hash(cap_seed(job, i), job->rounds);
}

static int cap_fail(struct cap_job *job, int err)
{
	int none = 0;
	atomic_compare_exchange_strong(&job->error, &none, err);
	return err;
}

int cap_finish(struct cap_job *job, int i, const struct cap_reply *r)
{
	uint64_t seed;
	if (i < 0 || i >= job->n)
		return cap_fail(job, -EPROTO);
	if (cap_has_io(job)) {
		char line[CAP_LINE_MAX];
		int len = cap_line_fmt(job, i, line);
		/* the injector echoes the line: anything else is a mixed-up or torn reply */
		if (!r || r->len != (size_t)len || memcmp(r->buf, line, r->len) != 0)
			return cap_fail(job, -EPROTO);
		seed = cap_hash_bytes(r->buf, r->len);
	} else {
		seed = cap_seed(job, i);
	}
	struct cap_hash_state s;
	cap_hash_init(&s, seed);
	for (uint32_t done = 0; done < job->rounds; done += CAP_TRACE_SLICE) {
		uint32_t left = job->rounds - done;
		uint32_t k = left < CAP_TRACE_SLICE ? left : CAP_TRACE_SLICE;
		trace_tok t = trace_begin((uint32_t)i);
		cap_hash_rounds(&s, k);
		trace_end(t);
	}
	/* ran_on doubles as the "finished once" mark: 0 until a thread claims request i */
	int none = 0, tid = (int)gettid();
	if (!atomic_compare_exchange_strong(&job->ran_on[i], &none, tid))
		return cap_fail(job, -EPROTO);
	job->results[i] = cap_hash_final(&s);
	if (cap_has_io(job))
		atomic_fetch_sub(&job->inflight, 1);
	atomic_fetch_add(&job->finished, 1);
	return 0;
}
