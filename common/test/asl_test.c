/* asl_test.c - grading hooks linked into every lab's test runner; see asl_test.h. */
#include "asl_test.h"

#include <criterion/hooks.h>
#include <criterion/internal/ordered-set.h>
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sched.h>
#include <signal.h>
#include <limits.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Per-process state: each Criterion test runs in its own worker process. */
static bool test_running;
static bool test_abandoned;
static int threads_at_start;
/* Descriptors open when the test body started (Criterion's own included): only those opened
 * by the test and left open count as a leak. */
#define FD_WATCH 1024
static unsigned char fd_open_at_start[FD_WATCH / 8];
static int fds_at_start;

static void fd_snapshot(unsigned char *set)
{
	memset(set, 0, FD_WATCH / 8);
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *d;
	if (!dir)
		return;
	while ((d = readdir(dir))) {
		int fd = atoi(d->d_name);
		if (d->d_name[0] != '.' && fd != dirfd(dir) && fd >= 0 && fd < FD_WATCH)
			set[fd / 8] |= (unsigned char)(1u << (fd % 8));
	}
	closedir(dir);
}

/* A verdict that cannot go through Criterion: a leak found after the test body returned
 * (Criterion 2.4.1 reports a worker that exits in its teardown as passed, whatever the
 * status), or a failure where Criterion's own reporting is no longer safe (a crash handler
 * with the heap broken).  It goes to stderr as "asynclabs verdict: ...", where the grader finds it
 * (grade.py, verdict_in_log); the runner never sees this test's cleanup finish, so it cannot
 * count as passed.  Only async-signal-safe calls from here on. */
static _Noreturn void fail_exit(const char *why, int status)
{
	static const char tag[] = "asynclabs verdict: ", nl[] = "\n";
	size_t len = strlen(why);
	if (write(2, tag, sizeof tag - 1) < 0 || write(2, why, len) < 0 || write(2, nl, 1) < 0)
		status |= 0;
	_exit(status);
}

void asl_test_fail_now(const char *why)
{
	fail_exit(why, ASL_EXIT_FAIL_NOW);
}

/* Fail (exit status ASL_EXIT_FD_LEAK) if the test left descriptors open that it did not have
 * at its start, naming what each one is ("anon_inode:[eventfd]", "pipe:[1234]"). */
static void fd_leak_check(void)
{
	unsigned char now[FD_WATCH / 8];
	char why[1024];
	int n = asl_test_fds(), shown = 0;
	size_t at;
	if (n <= fds_at_start)
		return;
	fd_snapshot(now);
	at = (size_t)snprintf(why, sizeof why,
			      "%d descriptor(s) open at the start of the test, "
			      "%d at its end: a descriptor leaked (close every descriptor you open;"
			      " the test body closed its own):",
			      fds_at_start, n);
	for (int fd = 0; fd < FD_WATCH && shown < 4 && at < sizeof why; fd++) {
		char path[64], target[256];
		ssize_t len;
		if (!(now[fd / 8] & (1u << (fd % 8))) ||
		    (fd_open_at_start[fd / 8] & (1u << (fd % 8))))
			continue;
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		len = readlink(path, target, sizeof target - 1);
		target[len > 0 ? len : 0] = '\0';
		at += (size_t)snprintf(why + at, sizeof why - at, " fd %d is %s;", fd, target);
		shown++;
	}
	fail_exit(why, ASL_EXIT_FD_LEAK);
}

static void exit_guard(void)
{
	if (test_running) {
		fprintf(stderr, "asynclabs verdict: the test ended through exit() before its body "
				"finished (student code must return, not exit)\n");
		_exit(97);
	}
}

void asl_test_init(void)
{
	static bool registered;
	if (!registered) {
		atexit(exit_guard);
		registered = true;
	}
	threads_at_start = asl_test_threads();
	fds_at_start = asl_test_fds();
	test_abandoned = false;
	fd_snapshot(fd_open_at_start);
	test_running = true;
}

void asl_test_fini(void)
{
	test_running = false;
	if (test_abandoned) /* failed already, with threads left blocked on purpose */
		return;
	/* Every thread a test starts must be gone when it ends: a leaked thread fails the test
	 * even if all its assertions passed (the worker dies here, so the runner never sees the
	 * test's cleanup end and the grader does not count it as passed). */
	int now = asl_test_threads_settled(threads_at_start);
	if (now > threads_at_start) {
		char why[256];
		snprintf(why, sizeof why,
			 "%d thread(s) at the start of the test, %d at its end: a "
			 "thread leaked (join every thread you start)",
			 threads_at_start, now);
		fail_exit(why, ASL_EXIT_THREAD_LEAK);
	}
	/* Likewise every descriptor a test opens (an eventfd a destroy forgot, a pipe end). */
	fd_leak_check();
}

static int count_dir(const char *path)
{
	int n = 0;
	struct dirent *d;
	DIR *dir = opendir(path);
	if (!dir)
		return -1;
	while ((d = readdir(dir)))
		if (d->d_name[0] != '.')
			n++;
	closedir(dir);
	return n;
}

int asl_test_threads(void)
{
	return count_dir("/proc/self/task");
}

int asl_test_threads_settled(int want)
{
	int n = asl_test_threads();
	for (int i = 0; i < 2000 && n > want; i++) {
		struct timespec ms = { 0, 1000000 };
		nanosleep(&ms, NULL);
		n = asl_test_threads();
	}
	return n;
}

int asl_test_gettid(void)
{
	return (int)syscall(SYS_gettid);
}

char asl_test_thread_state(int tid)
{
	char path[64], buf[512];
	size_t n;
	char *p;
	FILE *f;
	snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* the command name may itself contain spaces and parentheses */
	return p && p[1] == ' ' ? p[2] : 0;
}

bool asl_test_wait_asleep(atomic_int *tid, atomic_int *done)
{
	uint64_t t0 = asl_now_ns();
	while (asl_now_ns() - t0 < 10000000000ull) {
		int t = atomic_load(tid);
		if (atomic_load(done))
			return false;
		if (t && asl_test_thread_state(t) == 'S')
			return !atomic_load(done); /* asleep, and not on its way out of the call */
		sched_yield();
	}
	return false;
}

void asl_test_abandon(void)
{
	test_abandoned = true;
}

struct asl_call {
	int (*fn)(void *arg);
	void *arg;
	int rc;
	bool done;
	pthread_mutex_t mu;
	pthread_cond_t cv; /* done became true; on CLOCK_MONOTONIC */
	pthread_t thread;
};

static void *asl_call_main(void *p)
{
	struct asl_call *c = p;
	int rc = c->fn(c->arg);
	pthread_mutex_lock(&c->mu);
	c->rc = rc;
	c->done = true;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

struct asl_call *asl_call_start(int (*fn)(void *arg), void *arg)
{
	struct asl_call *c = calloc(1, sizeof *c);
	pthread_condattr_t attr;
	cr_assert(c, "asl_call_start: out of memory");
	c->fn = fn;
	c->arg = arg;
	pthread_mutex_init(&c->mu, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&c->cv, &attr);
	pthread_condattr_destroy(&attr);
	cr_assert_eq(pthread_create(&c->thread, NULL, asl_call_main, c), 0,
		     "asl_call_start: pthread_create failed");
	return c;
}

static void deadline_in(struct timespec *ts, long ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

bool asl_call_wait(struct asl_call *c, long ms, int *rc)
{
	struct timespec until;
	deadline_in(&until, ms);
	pthread_mutex_lock(&c->mu);
	while (!c->done && pthread_cond_timedwait(&c->cv, &c->mu, &until) != ETIMEDOUT)
		;
	bool done = c->done;
	pthread_mutex_unlock(&c->mu);
	if (!done) {
		asl_test_abandon();
		return false;
	}
	pthread_join(c->thread, NULL);
	if (rc)
		*rc = c->rc;
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->mu);
	free(c);
	return true;
}

bool asl_test_wait_flag(atomic_int *flag, int want, long ms)
{
	uint64_t until = asl_now_ns() + (uint64_t)ms * 1000000u;
	while (atomic_load(flag) < want) {
		struct timespec tick = { 0, 200000 }; /* a bounded wait, not synchronisation */
		if (asl_now_ns() >= until)
			return atomic_load(flag) >= want;
		nanosleep(&tick, NULL);
	}
	return true;
}

int asl_test_fds(void)
{
	int n = count_dir("/proc/self/fd");
	return n < 0 ? n : n - 1; /* minus the descriptor opendir() itself holds */
}

const char *asl_test_rc(int rc)
{
	/* A ring, not one buffer: a message may render several values in one call. */
	static __thread char ring[ASL_TEST_RC_SLOTS][64];
	static __thread unsigned next;
	char *buf = ring[next++ % ASL_TEST_RC_SLOTS];
	if (rc < 0)
		snprintf(buf, sizeof ring[0], "%d (%s)", rc, asl_errname(-rc));
	else
		snprintf(buf, sizeof ring[0], "%d", rc);
	return buf;
}

/* The grader's report channel (see asl_test.h): a pipe the grader hands the runner as the
 * descriptor named by $ASL_REPORT_FD.  Claimed before any other constructor of the program
 * runs (priority 101): marked close-on-exec, so Criterion's workers - which are exec'd - never
 * hold it, and the runner made non-dumpable, so no worker can reopen it through
 * /proc/<runner>/fd or read the runner's memory.  -1 when the runner runs on its own. */
static int report_fd = -1;

__attribute__((constructor(101))) static void report_claim(void)
{
	const char *s = getenv("ASL_REPORT_FD");
	if (!s || !*s)
		return;
	int fd = atoi(s);
	unsetenv("ASL_REPORT_FD");
	if (fd > 2 && fcntl(fd, F_SETFD, FD_CLOEXEC) == 0) {
		report_fd = fd;
		prctl(PR_SET_DUMPABLE, 0);
	}
}

/* Tests whose cleanup (the suite's .fini, after the body returned) ran to its end, as the
 * runner saw it: Criterion reports POST_FINI for them in the runner process.  A worker that
 * dies inside its .fini (e.g. the thread-leak check above) never gets this far. */
static const void **fini_seen;
static size_t fini_seen_n, fini_seen_cap;

ReportHook(POST_FINI)(struct criterion_test_stats *ts)
{
	if (fini_seen_n == fini_seen_cap) {
		size_t cap = fini_seen_cap ? 2 * fini_seen_cap : 64;
		const void **p = realloc(fini_seen, cap * sizeof *p);
		if (!p)
			return;
		fini_seen = p;
		fini_seen_cap = cap;
	}
	fini_seen[fini_seen_n++] = ts;
}

static bool fini_was_seen(const struct criterion_test_stats *ts)
{
	for (size_t i = 0; i < fini_seen_n; i++)
		if (fini_seen[i] == ts)
			return true;
	return false;
}

/* Refuse to run a suite without timeouts: one hung test would otherwise hang the whole grade.
 * Runs in the runner before any test starts. */
ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
	struct criterion_suite_set *ss;
	struct criterion_test *t;
	/* The grader enforces each test's timeout on the whole process tree too (a test's
	 * leftover children can keep Criterion's runner waiting forever), so tell it the
	 * timeouts. */
	FILE *tf = report_fd >= 0 ? fdopen(dup(report_fd), "w") : NULL;
	FOREACH_SET(ss, set->suites)
	{
		if (!ss->tests)
			continue;
		FOREACH_SET(t, ss->tests)
		{
			double timeout = t->data->timeout > 0 ? t->data->timeout
					 : ss->suite.data     ? ss->suite.data->timeout
							      : 0;
			if (timeout <= 0) {
				fprintf(stderr,
					"asynclabs: test %s::%s has no timeout; declare its "
					"suite with ASL_SUITE()\n",
					t->category, t->name);
				exit(3);
			}
			if (tf)
				fprintf(tf, "#timeout\t%s::%s\t%g\n", t->category, t->name,
					timeout);
		}
	}
	if (tf)
		fclose(tf);
}

/* Escape tabs, newlines, backslashes and other control bytes so each record stays one line. */
static void put_escaped(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '\t': fputs("\\t", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': break;
		case '\\': fputs("\\\\", f); break;
		default:
			if ((unsigned char)*s < 0x20 || *s == 0x7f)
				fputc('?', f);
			else
				fputc(*s, f);
		}
	}
}

/* The report, written by the runner itself (never by a test's worker process):
 *   returned  1 if the test's body returned - Criterion timestamps the end of the body from
 *             the worker's own "body done" phase; a worker that dies inside the body
 *             (exit(0), _exit(0)) gets an end Criterion makes up, with no elapsed time
 *   fini      1 if the test's cleanup ran to its end (see fini_was_seen)
 *   where     the last assertion Criterion logged (file:line): where a crash happened after */
ReportHook(POST_ALL)(struct criterion_global_stats *gs)
{
	FILE *f;
	if (report_fd < 0)
		return;
	f = fdopen(report_fd, "w");
	if (!f)
		return;
	fprintf(f, "suite\ttest\tstatus\tcrashed\ttimed_out\tsignal\texit_code\tseconds"
		   "\texpected_signal\treturned\tfini\twhere\tmessage\n");
	for (struct criterion_suite_stats *ss = gs->suites; ss; ss = ss->next) {
		for (struct criterion_test_stats *ts = ss->tests; ts; ts = ts->next) {
			static const char *names[] = { "passed", "failed", "skipped" };
			/* A test declared with .signal = SIG passes by dying of SIG, so its
			 * fini hook never runs; the grader needs to know to trust it. */
			int expected = ts->test->data ? ts->test->data->signal : 0;
			fprintf(f, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%.3f\t%d\t%d\t%d\t",
				ss->suite->name, ts->test->name, names[ts->test_status % 3],
				ts->crashed, ts->timed_out, ts->signal, ts->exit_code,
				ts->elapsed_time, expected, ts->elapsed_time > 0,
				fini_was_seen(ts));
			if (ts->file && ts->progress) {
				put_escaped(f, ts->file);
				fprintf(f, ":%u", ts->progress);
			}
			fputc('\t', f);
			if (ts->test_status == CR_STATUS_SKIPPED && ts->message)
				put_escaped(f, ts->message);
			for (struct criterion_assert_stats *a = ts->asserts; a; a = a->next) {
				if (!a->passed) {
					fprintf(f, "%s:%u: ", a->file, a->line);
					put_escaped(f, a->message);
					break;
				}
			}
			fputc('\n', f);
		}
	}
	fclose(f);
	report_fd = -1;
}
