/*
 * capstone.c - the driver: one model, one job, measured the same way for every model.
 *
 * The clock runs around the model's run() only: the connections are already open and the
 * result arrays allocated, so what is timed is how the model waits and computes.  Memory is
 * the resident high-water mark (VmHWM, reset through /proc/self/clear_refs before the run)
 * above the resident size before it; threads are sampled from /proc/self/stat by a sampler
 * thread (one extra thread, subtracted) when asked.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "asl/util.h"
#include "capstone.h"

const char *cap_kind_name(enum cap_kind k)
{
	return k == CAP_IO ? "io" : k == CAP_CPU ? "cpu" : "mixed";
}

/* One field of /proc/self/status in KiB ("VmRSS", "VmHWM"), or -1. */
static long cap_status_kib(const char *key)
{
	char line[256];
	long v = -1;
	size_t k = strlen(key);
	FILE *f = fopen("/proc/self/status", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, key, k) == 0 && line[k] == ':') {
			v = strtol(line + k + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* Threads of this process now: field 20 of /proc/self/stat (read by hand: no stdio in the
 * sampler's loop). */
static int cap_threads_now(void)
{
	char buf[1024];
	int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	char *p = strrchr(buf, ')'); /* the command name may hold spaces */
	if (!p)
		return -1;
	for (int field = 2; field < 20 && p; field++)
		p = strchr(p + 1, ' ');
	return p ? atoi(p + 1) : -1;
}

struct cap_sampler {
	pthread_t tid;
	atomic_bool stop;
	int peak;
};

static void *cap_sampler_main(void *arg)
{
	struct cap_sampler *s = arg;
	struct timespec ms = { 0, 1000000 };
	while (!atomic_load(&s->stop)) {
		int t = cap_threads_now();
		if (t > s->peak)
			s->peak = t;
		nanosleep(&ms, NULL);
	}
	return NULL;
}

int cap_run(struct cap_env *e, const struct cap_model *m, const struct cap_opts *o,
	    uint64_t *results, int *ran_on, struct cap_stats *st)
{
	if (!m || !o || !st || o->n < 0 || o->threads < 1 || (o->kind != CAP_CPU && !e))
		return -EINVAL;
	memset(st, 0, sizeof *st);
	struct cap_job job = {
		.kind = o->kind,
		.n = o->n,
		.delay_ms = o->delay_ms,
		.threads = o->threads,
		.rounds = o->kind == CAP_IO ? 0 : o->rounds,
	};
	int rc;
	if (cap_has_io(&job)) {
		if ((rc = cap_env_connect(e, o->n, m->nonblocking)) < 0)
			return rc;
		job.fds = e->fds;
	}
	job.results = calloc((size_t)o->n + 1, sizeof *job.results);
	job.ran_on = calloc((size_t)o->n + 1, sizeof *job.ran_on);
	if (!job.results || !job.ran_on) {
		rc = -ENOMEM;
		goto out;
	}
	struct cap_sampler smp = { .peak = 0 };
	if (o->sample && (rc = -pthread_create(&smp.tid, NULL, cap_sampler_main, &smp)) < 0)
		goto out;
	/* "5" resets the peak resident size (VmHWM) to the current one (proc(5)) */
	int cr = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
	if (cr >= 0) {
		if (write(cr, "5", 1) != 1)
			st->peak_rss_mib = -1;
		close(cr);
	}
	long rss0 = cap_status_kib("VmRSS");
	uint64_t t0 = asl_now_ns();
	rc = m->run(&job);
	uint64_t t1 = asl_now_ns();
	long hwm = cap_status_kib("VmHWM");
	if (o->sample) {
		atomic_store(&smp.stop, true);
		pthread_join(smp.tid, NULL);
		st->peak_threads = smp.peak - 1; /* not the sampler */
	}
	st->ms = (double)(t1 - t0) / 1e6;
	st->peak_rss_mib = st->peak_rss_mib < 0 || hwm < 0 || rss0 < 0 || hwm < rss0
			       ? 0
			       : (double)(hwm - rss0) / 1024.0;
	st->peak_inflight = atomic_load(&job.peak_inflight);
	if (rc == 0)
		rc = atomic_load(&job.error);
	if (rc == 0 && atomic_load(&job.finished) != o->n)
		rc = -EPROTO;
	for (int i = 0; i < o->n; i++) {
		st->checksum += job.results[i];
		st->wrong += job.results[i] != cap_expected(&job, i);
		if (results)
			results[i] = job.results[i];
		if (ran_on)
			ran_on[i] = atomic_load(&job.ran_on[i]);
	}
out:
	if (rc != 0 && cap_has_io(&job))
		cap_env_disconnect(e); /* unread replies must not reach the next run */
	free(job.results);
	free(job.ran_on);
	return rc;
}
