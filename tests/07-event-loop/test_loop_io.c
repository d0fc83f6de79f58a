/* Steps 1 and 2: io watchers and their dispatch, on the poll backend (step 1) and the epoll
 * backend (step 2).  The two suites of every loop test are declared here. */
#include "loop_test.h"

#include <sys/socket.h>

ASL_SUITE(loop_epoll, 20);
ASL_SUITE(loop_poll, 20);

/* What a test watcher saw. */
struct seen {
	loop_io_t io;
	int calls, last_events, last_fd;
	void *last_data;
};

static void seen_cb(loop_io_t *io, int events)
{
	struct seen *s = container_of(io, struct seen, io);
	s->calls++;
	s->last_events = events;
	s->last_fd = io->fd;
	s->last_data = io->data;
}

static void start_ok(struct lt *t, loop_io_t *io, int fd, int events, loop_io_cb cb)
{
	int rc = loop_io_start(t->loop, io, fd, events, cb);
	cr_assert_eq(rc, 0, "loop_io_start(fd %d, events %d) on %s: expected 0, got %s%s", fd,
		     events, BE_NAME(t->be), asl_test_rc(rc), BE_HINT(t->be));
}

LOOP_TEST(io_read_ready_calls_back)
{
	struct lt t = lt_open(be);
	struct seen s = { .io.data = &s };
	int p[2];
	lt_pipe(p);
	start_ok(&t, &s.io, p[0], LOOP_READ, seen_cb);
	cr_assert(loop_io_active(&s.io), "a started watcher must be active%s", BE_HINT(be));
	lt_run(&t, LOOP_RUN_NOWAIT, BE_HINT(be));
	cr_assert_eq(s.calls, 0,
		     "nothing written yet, but the callback ran %d time(s) with "
		     "events %d%s",
		     s.calls, s.last_events, BE_HINT(be));
	lt_write(p[1], "x");
	int rc = lt_run(&t, LOOP_RUN_ONCE, BE_HINT(be));
	cr_assert(s.calls == 1 && s.last_events == LOOP_READ && s.last_fd == p[0] &&
		      s.last_data == &s,
		  "one byte written: expected one call with LOOP_READ (1) for "
		  "fd %d and data intact; got %d call(s), events %d, fd %d%s",
		  p[0], s.calls, s.last_events, s.last_fd, BE_HINT(be));
	cr_assert_eq(rc, 1, "loop_run(ONCE) with a watcher still started: expected 1, got %d%s", rc,
		     BE_HINT(be));
	cr_assert_eq(loop_io_stop(&s.io), 0, "loop_io_stop failed%s", BE_HINT(be));
	cr_assert(!loop_io_active(&s.io), "a stopped watcher must not be active%s", BE_HINT(be));
	rc = lt_run(&t, LOOP_RUN_DEFAULT, BE_HINT(be));
	cr_assert(rc == 0 && s.calls == 1,
		  "after stopping the only watcher loop_run(DEFAULT) "
		  "should return 0 at once without calls; got %d and %d call(s)%s",
		  rc, s.calls, BE_HINT(be));
	close(p[0]);
	close(p[1]);
	lt_close(&t, BE_HINT(be));
}

LOOP_TEST(io_level_triggered_reports_again)
{
	struct lt t = lt_open(be);
	struct seen s = { 0 };
	int p[2];
	char c;
	lt_pipe(p);
	lt_write(p[1], "ab");
	start_ok(&t, &s.io, p[0], LOOP_READ, seen_cb);
	lt_run(&t, LOOP_RUN_ONCE, BE_HINT(be));
	cr_assert(read(p[0], &c, 1) == 1, "test pipe read failed");
	lt_run(&t, LOOP_RUN_ONCE, BE_HINT(be));
	cr_assert_eq(s.calls, 2,
		     "one of two bytes read: level-triggered means the watcher is "
		     "called again; expected 2 calls, got %d%s",
		     s.calls, BE_HINT(be));
	cr_assert(read(p[0], &c, 1) == 1, "test pipe read failed");
	lt_run(&t, LOOP_RUN_NOWAIT, BE_HINT(be));
	cr_assert_eq(s.calls, 2, "pipe drained, but the watcher was called again (%d calls)%s",
		     s.calls, BE_HINT(be));
	loop_io_stop(&s.io);
	close(p[0]);
	close(p[1]);
	lt_close(&t, BE_HINT(be));
}

LOOP_TEST(io_modify_switches_read_and_write)
{
	struct lt t = lt_open(be);
	struct seen s = { 0 };
	int sv[2], rc;
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
	start_ok(&t, &s.io, sv[0], LOOP_READ, seen_cb);
	lt_run(&t, LOOP_RUN_NOWAIT, BE_HINT(be));
	cr_assert_eq(s.calls, 0,
		     "an empty socket watched for LOOP_READ was reported (events %d)"
		     "%s",
		     s.last_events, BE_HINT(be));
	rc = loop_io_modify(&s.io, LOOP_WRITE);
	cr_assert_eq(rc, 0, "loop_io_modify(LOOP_WRITE): expected 0, got %s%s", asl_test_rc(rc),
		     BE_HINT(be));
	lt_run(&t, LOOP_RUN_ONCE, BE_HINT(be));
	cr_assert(s.calls == 1 && s.last_events == LOOP_WRITE,
		  "modified to LOOP_WRITE on a "
		  "writable socket: expected one call with events 2, got %d call(s), events %d%s",
		  s.calls, s.last_events, BE_HINT(be));
	rc = loop_io_modify(&s.io, LOOP_READ);
	cr_assert_eq(rc, 0, "loop_io_modify(LOOP_READ): got %s%s", asl_test_rc(rc), BE_HINT(be));
	lt_run(&t, LOOP_RUN_NOWAIT, BE_HINT(be));
	cr_assert_eq(s.calls, 1,
		     "back to LOOP_READ on an empty socket, but called again with "
		     "events %d%s",
		     s.last_events, BE_HINT(be));
	rc = loop_io_modify(&s.io, LOOP_READ | LOOP_WRITE);
	lt_run(&t, LOOP_RUN_ONCE, BE_HINT(be));
	cr_assert(rc == 0 && s.calls == 2 && s.last_events == LOOP_WRITE,
		  "READ|WRITE on a "
		  "writable, empty socket: expected a call with only LOOP_WRITE; got rc %d, %d "
		  "call(s), events %d%s",
		  rc, s.calls, s.last_events, BE_HINT(be));
	rc = loop_io_modify(&s.io, 0);
	cr_assert_eq(rc, -EINVAL,
		     "loop_io_modify(0): expected -22 (EINVAL: stop it instead), "
		     "got %s%s",
		     asl_test_rc(rc), BE_HINT(be));
	loop_io_stop(&s.io);
	rc = loop_io_modify(&s.io, LOOP_READ);
	cr_assert_eq(rc, -EINVAL,
		     "loop_io_modify on a stopped watcher: expected -22 (EINVAL), "
		     "got %s%s",
		     asl_test_rc(rc), BE_HINT(be));
	close(sv[0]);
	close(sv[1]);
	lt_close(&t, BE_HINT(be));
}

LOOP_TEST(io_start_errors)
{
	struct lt t = lt_open(be);
	struct seen a = { 0 }, b = { 0 };
	int p[2], q[2], rc;
	lt_pipe(p);
	lt_pipe(q);
	static const struct {
		int fd_index, events, has_cb;
	} bad[] = {
		{ 0, 0, 1 },          { 0, 16, 1 },        { 0, LOOP_ERROR, 1 },
		{ -1, LOOP_READ, 1 }, { 0, LOOP_READ, 0 },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int fd = bad[i].fd_index < 0 ? -1 : p[0];
		rc = loop_io_start(t.loop, &a.io, fd, bad[i].events,
				   bad[i].has_cb ? seen_cb : NULL);
		cr_assert_eq(rc, -EINVAL,
			     "loop_io_start(fd %d, events %d, cb %s): expected -22 "
			     "(EINVAL), got %s%s",
			     fd, bad[i].events, bad[i].has_cb ? "set" : "NULL", asl_test_rc(rc),
			     BE_HINT(be));
		cr_assert(!loop_io_active(&a.io), "a refused start left the watcher active%s",
			  BE_HINT(be));
	}
	start_ok(&t, &a.io, p[0], LOOP_READ, seen_cb);
	rc = loop_io_start(t.loop, &b.io, p[0], LOOP_READ, seen_cb);
	cr_assert_eq(rc, -EEXIST, "a second watcher for fd %d: expected -17 (EEXIST), got %s%s",
		     p[0], asl_test_rc(rc), BE_HINT(be));
	rc = loop_io_start(t.loop, &a.io, q[0], LOOP_READ, seen_cb);
	cr_assert_eq(rc, -EBUSY,
		     "starting a started watcher again: expected -16 (EBUSY), got "
		     "%s%s",
		     asl_test_rc(rc), BE_HINT(be));
	rc = loop_destroy(t.loop);
	cr_assert_eq(rc, -EBUSY,
		     "loop_destroy with a started watcher: expected -16 (EBUSY), "
		     "got %s%s",
		     asl_test_rc(rc), BE_HINT(be));
	cr_assert_eq(loop_io_stop(&a.io), 0, "loop_io_stop failed%s", BE_HINT(be));
	rc = loop_io_stop(&a.io);
	cr_assert_eq(rc, 0, "stopping a stopped watcher: expected 0 (idempotent), got %s%s",
		     asl_test_rc(rc), BE_HINT(be));
	/* the descriptor is free again, for the same watcher or another */
	start_ok(&t, &b.io, p[0], LOOP_READ, seen_cb);
	start_ok(&t, &a.io, q[0], LOOP_READ, seen_cb);
	lt_write(p[1], "x");
	lt_run(&t, LOOP_RUN_ONCE, BE_HINT(be));
	cr_assert(b.calls == 1 && a.calls == 0,
		  "after the restarts only fd %d is readable: "
		  "expected its new watcher called once and the other not; got %d and %d call(s)"
		  "%s",
		  p[0], b.calls, a.calls, BE_HINT(be));
	loop_io_stop(&a.io);
	loop_io_stop(&b.io);
	for (int i = 0; i < 2; i++) {
		close(p[i]);
		close(q[i]);
	}
	lt_close(&t, BE_HINT(be));
}

LOOP_TEST(io_hangup_is_reported)
{
	struct lt t = lt_open(be);
	struct seen s = { 0 };
	int p[2];
	lt_pipe(p);
	start_ok(&t, &s.io, p[0], LOOP_READ, seen_cb);
	close(p[1]); /* the writer is gone: end of file, reported as a hang-up */
	lt_run(&t, LOOP_RUN_ONCE, BE_HINT(be));
	cr_assert(s.calls == 1 && (s.last_events & LOOP_HUP),
		  "the pipe's writer closed: "
		  "expected a call with LOOP_HUP (8) set, got %d call(s), events %d%s",
		  s.calls, s.last_events, BE_HINT(be));
	loop_io_stop(&s.io);
	close(p[0]);
	lt_close(&t, BE_HINT(be));
}

/* Regular files: epoll refuses them (always "ready", EPERM), poll takes them. */
LOOP_TEST(io_regular_file)
{
	struct lt t = lt_open(be);
	struct seen s = { 0 };
	char path[] = "/tmp/asl-loop-XXXXXX";
	int fd = mkstemp(path);
	cr_assert(fd >= 0, "mkstemp failed");
	unlink(path);
	int rc = loop_io_start(t.loop, &s.io, fd, LOOP_READ, seen_cb);
	if (be == LOOP_BACKEND_EPOLL) {
		cr_assert_eq(rc, -EPERM,
			     "epoll cannot watch a regular file: expected -1 (EPERM), "
			     "got %s" ASL_HINT(2),
			     asl_test_rc(rc));
		cr_assert(!loop_io_active(&s.io),
			  "a refused watcher must not be active" ASL_HINT(1));
	} else {
		cr_assert_eq(
		    rc, 0,
		    "poll takes a regular file (always ready): expected 0, got %s" ASL_HINT(1),
		    asl_test_rc(rc));
		lt_run(&t, LOOP_RUN_ONCE, ASL_HINT(1));
		cr_assert(s.calls == 1 && (s.last_events & LOOP_READ),
			  "a regular file is always "
			  "readable: expected a LOOP_READ "
			  "call, got %d call(s), events %d" ASL_HINT(1),
			  s.calls, s.last_events);
		loop_io_stop(&s.io);
	}
	close(fd);
	lt_close(&t, BE_HINT(be));
}

enum { MANY = 300 };

/* 300 pipes, every third watcher stopped, all written: exactly the others are called, once. */
LOOP_TEST(io_many_descriptors_exact_ready_set)
{
	struct lt t = lt_open(be);
	struct seen *s = calloc(MANY, sizeof *s);
	int(*p)[2] = calloc(MANY, sizeof *p);
	cr_assert(s && p);
	for (int i = 0; i < MANY; i++) {
		lt_pipe(p[i]);
		start_ok(&t, &s[i].io, p[i][0], LOOP_READ, seen_cb);
	}
	for (int i = 0; i < MANY; i += 3)
		cr_assert_eq(loop_io_stop(&s[i].io), 0, "loop_io_stop failed%s", BE_HINT(be));
	for (int i = 0; i < MANY; i++)
		lt_write(p[i][1], "x");
	lt_run(&t, LOOP_RUN_ONCE, BE_HINT(be));
	for (int i = 0; i < MANY; i++) {
		int want = i % 3 ? 1 : 0;
		cr_assert_eq(s[i].calls, want,
			     "pipe %d of %d (fd %d, watcher %s): expected %d "
			     "call(s), got %d%s",
			     i, MANY, p[i][0], want ? "started" : "stopped", want, s[i].calls,
			     BE_HINT(be));
	}
	for (int i = 0; i < MANY; i++) {
		loop_io_stop(&s[i].io);
		close(p[i][0]);
		close(p[i][1]);
	}
	free(s);
	free(p);
	lt_close(&t, BE_HINT(be));
}
