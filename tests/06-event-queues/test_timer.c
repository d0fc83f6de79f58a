/* Step 3: timerfd timers - never early, in order, expirations counted. */
#include "asl_test.h"
#include "evq.h"

#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

ASL_SUITE(timer, 10);

#define MS 1000000ull

static int new_timer(void)
{
	int fd = evq_timer_create();
	cr_assert(fd >= 0, "evq_timer_create returned %s" ASL_HINT(3), asl_test_rc(fd));
	/* checked before any read: a blocking timerfd would hang the read of an unexpired one */
	cr_assert(fcntl(fd, F_GETFL) & O_NONBLOCK,
		  "evq_timer_create's timerfd is blocking: "
		  "reading it before it expires would sleep instead of saying -EAGAIN "
		  "(TFD_NONBLOCK)" ASL_HINT(3));
	return fd;
}

/* Let time pass (this is the subject of the test, not synchronisation). */
static void pass_time(uint64_t ns)
{
	uint64_t end = asl_now_ns() + ns;
	for (uint64_t now; (now = asl_now_ns()) < end;) {
		struct timespec ts = { 0, (long)(end - now) };
		nanosleep(&ts, NULL);
	}
}

/* The clock a timerfd counts on, from /proc/self/fdinfo ("clockid: N"); -1 if not found. */
static int timer_clockid(int fd)
{
	char path[64], line[256];
	int id = -1;
	snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
	FILE *f = fopen(path, "r");
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "clockid: %d", &id) == 1)
			break;
	if (f)
		fclose(f);
	return id;
}

Test(timer, unexpired_says_eagain)
{
	int fds = asl_test_fds(), fd = new_timer();
	uint64_t n = 99;
	int clk = timer_clockid(fd);
	cr_assert(clk == -1 || clk == CLOCK_MONOTONIC,
		  "the timerfd counts on clock %d, expected "
		  "CLOCK_MONOTONIC (%d): a wall-clock change must not move a timeout" ASL_HINT(3),
		  clk, CLOCK_MONOTONIC);
	int rc = evq_timer_read(fd, &n);
	cr_assert_eq(rc, -EAGAIN,
		     "reading a disarmed timer: expected -11 (EAGAIN) at once, got %s" ASL_HINT(3),
		     asl_test_rc(rc));
	rc = evq_timer_start(fd, 10000 * MS, 0);
	cr_assert_eq(rc, 0, "evq_timer_start returned %s" ASL_HINT(3), asl_test_rc(rc));
	rc = evq_timer_read(fd, &n);
	cr_assert_eq(rc, -EAGAIN, "a timer 10 s away: expected -11 (EAGAIN), got %s" ASL_HINT(3),
		     asl_test_rc(rc));
	rc = evq_timer_start(fd, 0, 0);
	cr_assert_eq(rc, -EINVAL,
		     "evq_timer_start(first 0) would silently disarm: expected -22 (EINVAL), "
		     "got %s" ASL_HINT(3),
		     asl_test_rc(rc));
	close(fd);
	cr_assert_eq(asl_test_fds(), fds, "descriptors leaked" ASL_HINT(3));
}

/* Three one-shots armed out of order; epoll must see them in deadline order, none early. */
Test(timer, one_shots_fire_in_order)
{
	static const uint64_t after[3] = { 60 * MS, 20 * MS, 40 * MS };
	int fds = asl_test_fds(), t[3], fired = 0, rc;
	uint64_t seen_at[3] = { 0 }, t0;
	int ep = ep_create();
	cr_assert(ep >= 0, "ep_create returned %s" ASL_HINT(2), asl_test_rc(ep));
	for (int i = 0; i < 3; i++) {
		t[i] = new_timer();
		cr_assert_eq(ep_add(ep, t[i], EPOLLIN, EP_LEVEL, (uint64_t)i), 0,
			     "ep_add" ASL_HINT(2));
	}
	t0 = asl_now_ns();
	for (int i = 0; i < 3; i++) {
		rc = evq_timer_start(t[i], after[i], 0);
		cr_assert_eq(rc, 0, "evq_timer_start returned %s" ASL_HINT(3), asl_test_rc(rc));
	}
	while (fired < 3) {
		struct epoll_event ev[3];
		int n = ep_wait(ep, ev, 3, 5000);
		cr_assert(n > 0, "no timer fired within 5 s (ep_wait %s)" ASL_HINT(3),
			  asl_test_rc(n));
		uint64_t now = asl_now_ns();
		for (int k = 0; k < n; k++) {
			int i = (int)ev[k].data.u64;
			uint64_t cnt = 0;
			rc = evq_timer_read(t[i], &cnt);
			cr_assert(rc == 0 && cnt == 1,
				  "a one-shot timer read: expected 1 expiration, got "
				  "rc %s count %llu" ASL_HINT(3),
				  asl_test_rc(rc), (unsigned long long)cnt);
			cr_assert_eq(seen_at[i], 0, "one-shot timer %d fired twice" ASL_HINT(3), i);
			seen_at[i] = now;
			fired++;
		}
	}
	for (int i = 0; i < 3; i++) {
		cr_assert(seen_at[i] - t0 >= after[i],
			  "timer %d (%llu ms) was seen after only %.1f ms:"
			  " early" ASL_HINT(3),
			  i, (unsigned long long)(after[i] / MS), (double)(seen_at[i] - t0) / MS);
		cr_assert(seen_at[i] - t0 < after[i] + 3000 * MS,
			  "timer %d is seconds late" ASL_HINT(3), i);
	}
	cr_assert(seen_at[1] <= seen_at[2] && seen_at[2] <= seen_at[0],
		  "timers seen at %.1f, %.1f, "
		  "%.1f ms: not in deadline order (20, 40, 60 ms)" ASL_HINT(3),
		  (double)(seen_at[1] - t0) / MS, (double)(seen_at[2] - t0) / MS,
		  (double)(seen_at[0] - t0) / MS);
	for (int i = 0; i < 3; i++)
		close(t[i]);
	close(ep);
	cr_assert_eq(asl_test_fds(), fds, "descriptors leaked" ASL_HINT(3));
}

/* A periodic timer nobody reads keeps counting; one read returns the whole count. */
Test(timer, periodic_counts_expirations)
{
	int fds = asl_test_fds(), fd = new_timer();
	uint64_t n = 0, t0 = asl_now_ns();
	int rc = evq_timer_start(fd, 2 * MS, 2 * MS);
	cr_assert_eq(rc, 0, "evq_timer_start returned %s" ASL_HINT(3), asl_test_rc(rc));
	pass_time(21 * MS);
	rc = evq_timer_read(fd, &n);
	uint64_t elapsed = asl_now_ns() - t0;
	cr_assert_eq(rc, 0, "evq_timer_read after 21 ms returned %s" ASL_HINT(3), asl_test_rc(rc));
	/* expirations happened at 2, 4, ..., so at least 10 by 21 ms and at most elapsed/2ms */
	cr_assert(n >= 10 && n <= elapsed / (2 * MS),
		  "a 2 ms periodic timer read after %.1f ms "
		  "reported %llu expirations (expected 10..%llu)" ASL_HINT(3),
		  (double)elapsed / MS, (unsigned long long)n,
		  (unsigned long long)(elapsed / (2 * MS)));
	rc = evq_timer_read(fd, &n);
	cr_assert(rc == -EAGAIN || (rc == 0 && n <= 2),
		  "a read resets the count: expected EAGAIN "
		  "or a tiny count right after, got rc %s count %llu" ASL_HINT(3),
		  asl_test_rc(rc), (unsigned long long)n);
	close(fd);
	cr_assert_eq(asl_test_fds(), fds, "descriptors leaked" ASL_HINT(3));
}

Test(timer, disarm_stops_it)
{
	int fds = asl_test_fds(), fd = new_timer();
	uint64_t n = 0;
	cr_assert_eq(evq_timer_start(fd, 1 * MS, 1 * MS), 0, "evq_timer_start failed" ASL_HINT(3));
	pass_time(5 * MS);
	int rc = evq_timer_stop(fd);
	cr_assert_eq(rc, 0, "evq_timer_stop returned %s" ASL_HINT(3), asl_test_rc(rc));
	pass_time(5 * MS);
	rc = evq_timer_read(fd, &n);
	cr_assert_eq(rc, -EAGAIN,
		     "a disarmed timer must be silent (its pending count is dropped);"
		     " evq_timer_read returned %s, count %llu" ASL_HINT(3),
		     asl_test_rc(rc), (unsigned long long)n);
	close(fd);
	cr_assert_eq(asl_test_fds(), fds, "descriptors leaked" ASL_HINT(3));
}
