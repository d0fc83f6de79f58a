/* asl_test.c - grading hooks linked into every lab's test runner; see asl_test.h. */
#include "asl_test.h"

#include <criterion/hooks.h>
#include <criterion/internal/ordered-set.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Per-process state: each Criterion test runs in its own worker process. */
static bool test_running;
static int threads_at_start;

static void exit_guard(void)
{
	if (test_running) {
		fprintf(stderr, "asynclabs: the test ended through exit() before its body finished "
				"(student code must return, not exit)\n");
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
	test_running = true;
}

void asl_test_fini(void)
{
	test_running = false;
	/* Every thread a test starts must be gone when it ends: a leaked thread fails the test
	 * even if all its assertions passed (the worker dies here, so the runner never sees the
	 * test's cleanup end and the grader does not count it as passed). */
	int now = asl_test_threads_settled(threads_at_start);
	if (now > threads_at_start) {
		fprintf(stderr, "asynclabs: %d thread(s) at the start of the test, %d at its end: "
				"a thread leaked (join every thread you start)\n",
			threads_at_start, now);
		_exit(ASL_EXIT_THREAD_LEAK);
	}
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

int asl_test_fds(void)
{
	int n = count_dir("/proc/self/fd");
	return n < 0 ? n : n - 1; /* minus the descriptor opendir() itself holds */
}

const char *asl_test_rc(int rc)
{
	static __thread char buf[64];
	if (rc < 0)
		snprintf(buf, sizeof buf, "%d (%s)", rc, asl_errname(-rc));
	else
		snprintf(buf, sizeof buf, "%d", rc);
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
	 * leftover children can keep Criterion's runner waiting forever), so tell it the timeouts. */
	FILE *tf = report_fd >= 0 ? fdopen(dup(report_fd), "w") : NULL;
	FOREACH_SET(ss, set->suites) {
		if (!ss->tests)
			continue;
		FOREACH_SET(t, ss->tests) {
			double timeout = t->data->timeout > 0 ? t->data->timeout
				       : ss->suite.data ? ss->suite.data->timeout : 0;
			if (timeout <= 0) {
				fprintf(stderr, "asynclabs: test %s::%s has no timeout; declare its "
						"suite with ASL_SUITE()\n", t->category, t->name);
				exit(3);
			}
			if (tf)
				fprintf(tf, "#timeout\t%s::%s\t%g\n", t->category, t->name, timeout);
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
			fprintf(f, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%.3f\t%d\t%d\t%d\t", ss->suite->name,
				ts->test->name, names[ts->test_status % 3], ts->crashed,
				ts->timed_out, ts->signal, ts->exit_code, ts->elapsed_time, expected,
				ts->elapsed_time > 0, fini_was_seen(ts));
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
