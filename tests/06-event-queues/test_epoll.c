/* Step 2: the epoll wrapper - interest list, level vs edge, exact ready sets. */
#include "asl_test.h"
#include "evq.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

ASL_SUITE(epoll, 15);

static int new_ep(void)
{
	int ep = ep_create();
	cr_assert(ep >= 0, "ep_create returned %s" ASL_HINT(2), asl_test_rc(ep));
	return ep;
}

static int wait0(int ep, struct epoll_event *ev, int max)
{
	int n = ep_wait(ep, ev, max, 0);
	cr_assert(n >= 0, "ep_wait(timeout 0) returned %s" ASL_HINT(2), asl_test_rc(n));
	return n;
}

Test(epoll, add_modify_remove)
{
	int fds = asl_test_fds(), p[2], rc;
	struct epoll_event ev[4];
	int ep = new_ep();
	asl_test_pipe_nonblocking_read(p);
	rc = ep_add(ep, p[0], EPOLLIN, EP_LEVEL, 7);
	cr_assert_eq(rc, 0, "ep_add returned %s" ASL_HINT(2), asl_test_rc(rc));
	rc = ep_add(ep, p[0], EPOLLIN, EP_LEVEL, 7);
	cr_assert_eq(rc, -EEXIST,
		     "adding the same fd twice: expected -17 (EEXIST), got %s" ASL_HINT(2),
		     asl_test_rc(rc));
	rc = ep_add(ep, p[1], EPOLLOUT | EPOLLET, EP_LEVEL, 8);
	cr_assert_eq(rc, -EINVAL,
		     "EPOLLET inside events (the trigger argument says that): "
		     "expected -22 (EINVAL), got %s" ASL_HINT(2),
		     asl_test_rc(rc));
	cr_assert_eq(wait0(ep, ev, 4), 0, "an empty pipe was reported readable" ASL_HINT(2));
	/* the write end is always writable: watch it, then switch it to EPOLLIN (never ready) */
	cr_assert_eq(ep_add(ep, p[1], EPOLLOUT, EP_LEVEL, 8), 0,
		     "ep_add(write end) failed" ASL_HINT(2));
	int n = wait0(ep, ev, 4);
	cr_assert(n == 1 && ev[0].data.u64 == 8 && (ev[0].events & EPOLLOUT),
		  "an empty pipe's write end should be reported "
		  "writable with tag 8 (got %d events)" ASL_HINT(2),
		  n);
	rc = ep_modify(ep, p[1], EPOLLIN, EP_LEVEL, 9);
	cr_assert_eq(rc, 0, "ep_modify returned %s" ASL_HINT(2), asl_test_rc(rc));
	cr_assert_eq(wait0(ep, ev, 4), 0,
		     "after ep_modify to EPOLLIN the write end is still "
		     "reported" ASL_HINT(2));
	cr_assert_eq(write(p[1], "x", 1), 1);
	n = wait0(ep, ev, 4);
	cr_assert(n == 1 && ev[0].data.u64 == 7,
		  "one byte written: expected the read end (tag 7) "
		  "alone, got %d events" ASL_HINT(2),
		  n);
	rc = ep_remove(ep, p[0]);
	cr_assert_eq(rc, 0, "ep_remove returned %s" ASL_HINT(2), asl_test_rc(rc));
	cr_assert_eq(wait0(ep, ev, 4), 0, "a removed fd is still reported" ASL_HINT(2));
	rc = ep_remove(ep, p[0]);
	cr_assert_eq(rc, -ENOENT, "removing it again: expected -2 (ENOENT), got %s" ASL_HINT(2),
		     asl_test_rc(rc));
	rc = ep_modify(ep, p[0], EPOLLIN, EP_LEVEL, 1);
	cr_assert_eq(rc, -ENOENT,
		     "modifying an unwatched fd: expected -2 (ENOENT), got %s" ASL_HINT(2),
		     asl_test_rc(rc));
	close(p[0]);
	close(p[1]);
	close(ep);
	cr_assert_eq(asl_test_fds(), fds, "descriptors leaked" ASL_HINT(2));
}

/* The tag must travel in the system's struct epoll_event, all 64 bits of it. */
Test(epoll, tags_come_back)
{
	int fds = asl_test_fds(), p[2];
	struct epoll_event ev[2];
	const uint64_t tag = 0xfedcba9876543210ull;
	int ep = new_ep();
	asl_test_pipe_nonblocking_read(p);
	cr_assert_eq(ep_add(ep, p[0], EPOLLIN, EP_EDGE, tag), 0, "ep_add failed" ASL_HINT(2));
	cr_assert_eq(write(p[1], "x", 1), 1);
	int n = wait0(ep, ev, 2);
	cr_assert_eq(n, 1, "expected 1 event, got %d" ASL_HINT(2), n);
	cr_assert_eq(ev[0].data.u64, tag, "tag %#llx came back as %#llx" ASL_HINT(2),
		     (unsigned long long)tag, (unsigned long long)ev[0].data.u64);
	cr_assert(ev[0].events & EPOLLIN, "events %#x lacks EPOLLIN" ASL_HINT(2), ev[0].events);
	close(p[0]);
	close(p[1]);
	close(ep);
	cr_assert_eq(asl_test_fds(), fds, "descriptors leaked" ASL_HINT(2));
}

Test(epoll, level_trigger_reports_again)
{
	int fds = asl_test_fds(), p[2];
	struct epoll_event ev[2];
	char buf[2048] = { 0 };
	int ep = new_ep();
	asl_test_pipe_nonblocking_read(p);
	cr_assert_eq(ep_add(ep, p[0], EPOLLIN, EP_LEVEL, 1), 0, "ep_add failed" ASL_HINT(2));
	cr_assert_eq(write(p[1], buf, 1000), 1000);
	cr_assert_eq(wait0(ep, ev, 2), 1, "1000 bytes waiting: expected 1 event" ASL_HINT(2));
	cr_assert_eq(read(p[0], buf, 100), 100);
	int n = wait0(ep, ev, 2);
	cr_assert_eq(n, 1,
		     "level-triggered, 900 bytes still waiting: expected 1 event again, got "
		     "%d" ASL_HINT(2),
		     n);
	cr_assert_eq(wait0(ep, ev, 2), 1, "level-triggered reports on every wait" ASL_HINT(2));
	cr_assert_eq(read(p[0], buf, sizeof buf), 900);
	n = wait0(ep, ev, 2);
	cr_assert_eq(n, 0, "pipe emptied: expected 0 events, got %d" ASL_HINT(2), n);
	close(p[0]);
	close(p[1]);
	close(ep);
	cr_assert_eq(asl_test_fds(), fds, "descriptors leaked" ASL_HINT(2));
}

Test(epoll, edge_trigger_needs_draining)
{
	int fds = asl_test_fds(), p[2];
	struct epoll_event ev[2];
	char buf[4096] = { 0 };
	size_t got;
	int ep = new_ep();
	asl_test_pipe_nonblocking_read(p);
	cr_assert_eq(ep_add(ep, p[0], EPOLLIN, EP_EDGE, 1), 0,
		     "ep_add(EP_EDGE) failed" ASL_HINT(2));
	cr_assert_eq(write(p[1], buf, 1000), 1000);
	cr_assert_eq(wait0(ep, ev, 2), 1, "1000 bytes arrived: expected 1 event" ASL_HINT(2));
	/* a deliberately lazy reader takes 100 bytes and waits again */
	cr_assert_eq(read(p[0], buf, 100), 100);
	int n = wait0(ep, ev, 2);
	cr_assert_eq(n, 0,
		     "edge-triggered: nothing new happened, yet %d event(s) were reported - "
		     "is EPOLLET set for EP_EDGE?" ASL_HINT(2),
		     n);
	/* the lost wake-up: 900 bytes are there and no wait will say so.  Draining finds them. */
	int st = nbio_drain(p[0], buf, sizeof buf, &got);
	cr_assert(st == NBIO_DRAINED && got == 900,
		  "the draining reader should find the stranded "
		  "900 bytes and stop at EAGAIN; got status %d, %zu bytes" ASL_HINT(1),
		  st, got);
	/* after a full drain the next arrival is a new edge */
	cr_assert_eq(write(p[1], buf, 10), 10);
	n = wait0(ep, ev, 2);
	cr_assert_eq(n, 1, "new data after a full drain: expected 1 event, got %d" ASL_HINT(2), n);
	st = nbio_drain(p[0], buf, sizeof buf, &got);
	cr_assert(st == NBIO_DRAINED && got == 10,
		  "expected the 10 new bytes, got status %d, %zu" ASL_HINT(1), st, got);
	cr_assert_eq(wait0(ep, ev, 2), 0, "drained and nothing new: expected 0 events" ASL_HINT(2));
	close(p[0]);
	close(p[1]);
	close(ep);
	cr_assert_eq(asl_test_fds(), fds, "descriptors leaked" ASL_HINT(2));
}

/* Two waiters, one byte: both are told, one gets it, the other must see EAGAIN, not block. */
Test(epoll, readiness_is_only_a_hint)
{
	int fds = asl_test_fds(), p[2];
	struct epoll_event ev;
	char c;
	int a = new_ep(), b = new_ep();
	asl_test_pipe_nonblocking_read(p);
	cr_assert_eq(ep_add(a, p[0], EPOLLIN, EP_LEVEL, 1), 0, "ep_add failed" ASL_HINT(2));
	cr_assert_eq(ep_add(b, p[0], EPOLLIN, EP_LEVEL, 2), 0, "ep_add failed" ASL_HINT(2));
	cr_assert_eq(write(p[1], "x", 1), 1);
	cr_assert(wait0(a, &ev, 1) == 1 && wait0(b, &ev, 1) == 1,
		  "both epoll instances should report the byte" ASL_HINT(2));
	cr_assert_eq(nbio_read_some(p[0], &c, 1), 1,
		     "the first reader should get the byte" ASL_HINT(1));
	ssize_t n = nbio_read_some(p[0], &c, 1);
	cr_assert_eq(n, -EAGAIN,
		     "the second reader was told 'readable' too, but the byte is gone: "
		     "expected -11 (EAGAIN), got %s" ASL_HINT(1),
		     asl_test_rc((int)n));
	close(p[0]);
	close(p[1]);
	close(a);
	close(b);
	cr_assert_eq(asl_test_fds(), fds, "descriptors leaked" ASL_HINT(2));
}

/* A regular file is always "ready", so epoll refuses it: -EPERM. */
Test(epoll, regular_file_is_refused)
{
	int fds = asl_test_fds();
	FILE *f = tmpfile();
	cr_assert_not_null(f);
	int ep = new_ep();
	int rc = ep_add(ep, fileno(f), EPOLLIN, EP_LEVEL, 1);
	cr_assert_eq(rc, -EPERM, "epoll on a regular file: expected -1 (EPERM), got %s" ASL_HINT(2),
		     asl_test_rc(rc));
	fclose(f);
	close(ep);
	cr_assert_eq(asl_test_fds(), fds, "descriptors leaked" ASL_HINT(2));
}

Test(epoll, thousand_pipes_exact_ready_set)
{
	enum { N = 1000 };
	if (asl_raise_fd_limit(2 * N + 64) < 2 * N + 64)
		cr_skip_test("needs %d descriptors, more than the hard RLIMIT_NOFILE (ulimit -Hn)",
			     2 * N + 64);
	int fds = asl_test_fds();
	static int r[N], w[N];
	static bool want[N];
	static struct epoll_event ev[N + 24];
	int ep = new_ep(), nwant = 0;
	uint32_t x = 12345;
	for (int i = 0; i < N; i++) {
		int p[2];
		cr_assert_eq(pipe2(p, O_NONBLOCK), 0, "pipe %d", i);
		r[i] = p[0];
		w[i] = p[1];
		int rc = ep_add(ep, r[i], EPOLLIN, i % 2 ? EP_EDGE : EP_LEVEL, (uint64_t)i);
		cr_assert_eq(rc, 0, "ep_add of pipe %d returned %s" ASL_HINT(2), i,
			     asl_test_rc(rc));
		x = x * 1103515245u + 12345u; /* a fixed pseudo-random subset of about 1 in 7 */
		want[i] = (x >> 16) % 7 == 0;
		nwant += want[i];
	}
	for (int i = 0; i < N; i++)
		if (want[i])
			cr_assert_eq(write(w[i], "!", 1), 1);
	int n = wait0(ep, ev, N + 24);
	cr_assert_eq(n, nwant, "%d of %d pipes hold data, ep_wait reported %d" ASL_HINT(2), nwant,
		     N, n);
	static bool seen[N];
	for (int k = 0; k < n; k++) {
		uint64_t t = ev[k].data.u64;
		cr_assert(t < N && want[t] && !seen[t], "event %d has tag %llu: %s" ASL_HINT(2), k,
			  (unsigned long long)t,
			  t >= N    ? "not a pipe's tag"
			  : seen[t] ? "reported "
				      "twice"
				    : "that pipe is empty");
		seen[t] = true;
	}
	for (int i = 0; i < N; i++) {
		close(r[i]);
		close(w[i]);
	}
	close(ep);
	cr_assert_eq(asl_test_fds(), fds, "descriptors leaked" ASL_HINT(2));
}

/* The demo must show the lost wake-up. */
Test(epoll, demo_shows_lost_wakeup)
{
	char out[8192];
	int st = asl_test_capture(ASL_BUILD_DIR "/demo_edge_trigger", out, sizeof out);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		  "demo_edge_trigger failed:\n%s" ASL_HINT(2), out);
	cr_assert(strstr(out, "wait #2 -> 0 event(s)") && strstr(out, "LOST WAKE-UP"),
		  "demo_edge_trigger did not show the lost wake-up:\n%s" ASL_HINT(2), out);
}

/* A signal that interrupts epoll_wait must not end ep_wait early, nor start the whole timeout
 * again: it waits for the time that is left.  A helper interrupts this thread at about 1/3
 * and 2/3 of the wait (each time once it is seen asleep in it), so a wait that restarts with
 * the full timeout ends far too late and one that returns early ends far too soon. */
enum { EINTR_WAIT_MS = 450 };

struct interrupter {
	pthread_t target;
	atomic_int tid;
	atomic_int returned;
	uint64_t t0;
	int kills;
};

static void *interrupter_main(void *arg)
{
	struct interrupter *it = arg;
	for (int k = 1; k <= 2; k++) {
		/* the stimulus is timed, the check is not: sleep until k/3 of the wait */
		uint64_t at = it->t0 + (uint64_t)k * EINTR_WAIT_MS / 3 * 1000000u,
			 now = asl_now_ns();
		if (now < at) {
			struct timespec d = { 0, (long)(at - now) };
			nanosleep(&d, NULL);
		}
		if (!asl_test_wait_asleep(&it->tid, &it->returned))
			break;
		pthread_kill(it->target, SIGUSR1);
		it->kills++;
	}
	return NULL;
}

Test(epoll, wait_is_not_cut_short_by_signals)
{
	int fds = asl_test_fds(), p[2];
	struct epoll_event ev[2];
	int ep = new_ep();
	asl_test_pipe_nonblocking_read(p);
	cr_assert_eq(ep_add(ep, p[0], EPOLLIN, EP_LEVEL, 1), 0, "ep_add failed" ASL_HINT(2));
	struct sigaction old;
	asl_test_interrupting_signal(SIGUSR1, &old);
	struct interrupter it = { .target = pthread_self(), .t0 = asl_now_ns() };
	pthread_t t;
	cr_assert_eq(pthread_create(&t, NULL, interrupter_main, &it), 0);
	atomic_store(&it.tid, asl_test_gettid());
	int n = ep_wait(ep, ev, 2, EINTR_WAIT_MS);
	atomic_store(&it.returned, 1);
	double ms = (double)(asl_now_ns() - it.t0) / 1e6;
	pthread_join(t, NULL);
	sigaction(SIGUSR1, &old, NULL);
	close(p[0]);
	close(p[1]);
	close(ep);
	cr_assert(it.kills > 0 || n != 0 || ms < EINTR_WAIT_MS / 3.0,
		  "the waiting thread was "
		  "never seen asleep in ep_wait");
	cr_assert(n == 0 && ms >= EINTR_WAIT_MS - 5,
		  "ep_wait(%d ms) on an idle pipe, "
		  "interrupted by %d signal(s): returned %s after %.1f ms; expected 0 after the "
		  "full %d ms (on EINTR, wait again for the time that is left)" ASL_HINT(2),
		  EINTR_WAIT_MS, it.kills, asl_test_rc(n), ms, EINTR_WAIT_MS);
	cr_assert(ms < EINTR_WAIT_MS + EINTR_WAIT_MS / 3.0,
		  "ep_wait(%d ms) on an idle pipe, "
		  "interrupted by signals at about %d and %d ms: returned after %.0f ms.  After "
		  "EINTR wait only for the time that is LEFT until the deadline, not the whole "
		  "timeout again" ASL_HINT(2),
		  EINTR_WAIT_MS, EINTR_WAIT_MS / 3, 2 * EINTR_WAIT_MS / 3, ms);
	cr_assert_eq(asl_test_fds(), fds, "descriptors leaked" ASL_HINT(2));
}
