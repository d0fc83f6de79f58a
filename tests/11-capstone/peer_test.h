/*
 * peer_test.h - a misbehaving injector for lab 11's tests.
 *
 * The course's latency injector is well-behaved: one short line back per request, whole, on a
 * connection that stays open.  A model can get its socket I/O or its error bookkeeping wrong
 * and still pass against it.  This peer is what the network does to a real client: the
 * connections are TCP on 127.0.0.1, handed to the model exactly as the injector's are
 * (job->fds, blocking or not as the model asks), and a thread of the test answers each request
 * with the act the test chose for it:
 *   CAP_PEER_ECHO   the line back ONE BYTE AT A TIME, each byte sent only once the client has
 *                   read the one before (its receive queue empty, our send queue acknowledged):
 *                   the client's progress paces the reply, not a clock;
 *   CAP_PEER_RESET  read the line, then reset the connection: the client's read fails with
 *                   ECONNRESET;
 *   CAP_PEER_CLOSE  read the line, then close: end of file before the reply;
 *   CAP_PEER_LONG   a reply longer than CAP_LINE_MAX (more than one read's worth, no newline
 *                   before byte 40);
 *   CAP_PEER_WRONG  another request's line (the job then fails: cap_finish says -EPROTO).
 * The model runs on a watched thread (asl_call): a request that never finishes fails the test
 * with the likely mistake, well before the suite's timeout.
 * No act provokes a short write on the model's side: a request line is < 32 bytes, and Linux
 * splits so small a write to a TCP socket only when the send buffer is full AND its unsent tail
 * segment has 1..len-1 bytes of room, which the kernel's segment sizing decides, not a test
 * (common/tools/mutants/11.py lists the mutants that stay unobservable for that reason).
 */
#ifndef PEER_TEST_H
#define PEER_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cap_test.h"

#define CAP_PEER_MAX 8
#define CAP_PEER_LONG_LEN 41 /* > CAP_LINE_MAX: no reply buffer holds it */

enum cap_peer_act { CAP_PEER_ECHO, CAP_PEER_RESET, CAP_PEER_CLOSE, CAP_PEER_LONG, CAP_PEER_WRONG };

struct cap_peer_conn {
	int cfd, sfd; /* the model's end (job->fds[i]) and ours */
	enum cap_peer_act act;
	enum { CAP_PEER_READING, CAP_PEER_SENDING, CAP_PEER_DONE } state;
	char in[2 * CAP_LINE_MAX], out[CAP_PEER_LONG_LEN + 1];
	int inlen, outlen, outoff;
	bool paced; /* one byte per client read (ECHO), or all at once */
};

struct cap_peer {
	int n;
	struct cap_peer_conn c[CAP_PEER_MAX];
	int stop[2]; /* the test closes stop[1]: the thread returns whatever it was doing */
	pthread_t tid;
};

/* What the peer does with request i's line, once it has all of it. */
static inline void cap_peer_act_on_line(struct cap_peer_conn *c, int i)
{
	struct linger reset = { .l_onoff = 1, .l_linger = 0 };
	switch (c->act) {
	case CAP_PEER_ECHO:
		c->outlen = c->inlen;
		memcpy(c->out, c->in, (size_t)c->inlen);
		c->paced = true;
		c->state = CAP_PEER_SENDING;
		return;
	case CAP_PEER_RESET:
		/* a close with a zero linger sends RST instead of FIN */
		setsockopt(c->sfd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
		/* fall through */
	case CAP_PEER_CLOSE:
		close(c->sfd);
		c->sfd = -1;
		c->state = CAP_PEER_DONE;
		return;
	case CAP_PEER_LONG:
		memset(c->out, '7', CAP_PEER_LONG_LEN - 1);
		c->out[CAP_PEER_LONG_LEN - 1] = '\n';
		c->outlen = CAP_PEER_LONG_LEN;
		break;
	case CAP_PEER_WRONG: /* a well-formed line, but request i + 1000's */
		c->outlen = snprintf(c->out, sizeof c->out, "1 %d\n", i + 1000);
		break;
	}
	c->paced = false;
	c->state = CAP_PEER_SENDING;
}

/* Send what the connection may send now: the next byte once the client took the last one
 * (paced), or the whole reply. */
static inline void cap_peer_send(struct cap_peer_conn *c)
{
	int unread = 0, unacked = 0;
	if (c->paced && c->outoff > 0 &&
	    (ioctl(c->cfd, FIONREAD, &unread) < 0 || ioctl(c->sfd, SIOCOUTQ, &unacked) < 0 ||
	     unread > 0 || unacked > 0))
		return;
	size_t len = c->paced ? 1 : (size_t)(c->outlen - c->outoff);
	ssize_t w = send(c->sfd, c->out + c->outoff, len, MSG_NOSIGNAL);
	if (w < 0 && errno != EAGAIN && errno != EINTR)
		c->state = CAP_PEER_DONE; /* the client went away: nothing to answer */
	if (w > 0 && (c->outoff += (int)w) == c->outlen)
		c->state = CAP_PEER_DONE;
}

static inline void *cap_peer_main(void *arg)
{
	struct cap_peer *p = arg;
	for (;;) {
		struct pollfd pf[CAP_PEER_MAX + 1] = { { .fd = p->stop[0], .events = POLLIN } };
		int at[CAP_PEER_MAX + 1], np = 1, sending = 0;
		for (int i = 0; i < p->n; i++) {
			sending += p->c[i].state == CAP_PEER_SENDING;
			if (p->c[i].state == CAP_PEER_READING) {
				pf[np] = (struct pollfd){ .fd = p->c[i].sfd, .events = POLLIN };
				at[np++] = i;
			}
		}
		if (np == 1 && !sending)
			return NULL; /* every request answered */
		/* while a paced reply waits for the client to read, look again each millisecond:
		 * the kernel has no "the peer read it" event; nothing waits on this clock */
		if (poll(pf, (nfds_t)np, sending ? 1 : -1) < 0 && errno != EINTR)
			return NULL;
		if (pf[0].revents)
			return NULL;
		for (int k = 1; k < np; k++) {
			struct cap_peer_conn *c = &p->c[at[k]];
			if (!pf[k].revents)
				continue;
			ssize_t got = read(c->sfd, c->in + c->inlen,
					   sizeof c->in - (size_t)c->inlen);
			if (got <= 0) {
				c->state = got < 0 && errno == EINTR ? c->state : CAP_PEER_DONE;
				continue;
			}
			c->inlen += (int)got;
			if (memchr(c->in, '\n', (size_t)c->inlen))
				cap_peer_act_on_line(c, at[k]);
			else if (c->inlen == (int)sizeof c->in)
				c->state = CAP_PEER_DONE; /* no line: not a request */
		}
		for (int i = 0; i < p->n; i++)
			if (p->c[i].state == CAP_PEER_SENDING)
				cap_peer_send(&p->c[i]);
	}
}

/* n connections to a new peer, acts[i] for request i; the client ends in the mode the model
 * wants.  Asserts it all worked (none of it is student code). */
static inline void cap_peer_start(struct cap_peer *p, int n, const enum cap_peer_act *acts,
				  bool nonblocking)
{
	memset(p, 0, sizeof *p);
	cr_assert(n <= CAP_PEER_MAX, "test bug: at most %d requests", CAP_PEER_MAX);
	p->n = n;
	struct sockaddr_in addr;
	int lfd = asl_test_listen_loopback(&addr, n), one = 1;
	for (int i = 0; i < n; i++) {
		struct cap_peer_conn *c = &p->c[i];
		c->act = acts[i];
		c->cfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		cr_assert(c->cfd >= 0, "socket: %s", strerror(errno));
		cr_assert(connect(c->cfd, (struct sockaddr *)&addr, sizeof addr) == 0,
			  "connecting to the test's peer: %s", strerror(errno));
		/* the handshake may still be finishing on the listener's side: wait for it */
		struct pollfd pf = { .fd = lfd, .events = POLLIN };
		cr_assert(poll(&pf, 1, 10000) == 1, "the test's peer saw no connection");
		c->sfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		cr_assert(c->sfd >= 0, "accept: %s", strerror(errno));
		setsockopt(c->sfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		if (nonblocking)
			cr_assert(fcntl(c->cfd, F_SETFL, fcntl(c->cfd, F_GETFL) | O_NONBLOCK) == 0,
				  "fcntl(O_NONBLOCK): %s", strerror(errno));
	}
	close(lfd);
	cr_assert(pipe2(p->stop, O_CLOEXEC) == 0, "pipe: %s", strerror(errno));
	int rc = pthread_create(&p->tid, NULL, cap_peer_main, p);
	cr_assert(rc == 0, "starting the test's peer: %s", strerror(rc));
}

/* Stop the peer's thread and close every descriptor, the model's ends included. */
static inline void cap_peer_stop(struct cap_peer *p)
{
	close(p->stop[1]);
	pthread_join(p->tid, NULL);
	close(p->stop[0]);
	for (int i = 0; i < p->n; i++) {
		if (p->c[i].sfd >= 0)
			close(p->c[i].sfd);
		close(p->c[i].cfd);
	}
}

/* One run of a model against the peer, on a watched thread. */
struct cap_peer_run {
	const struct cap_model *m;
	struct cap_job job;
	uint64_t res[CAP_PEER_MAX];
	atomic_int ran_on[CAP_PEER_MAX];
	int fds[CAP_PEER_MAX];
};

static inline int cap_peer_run_main(void *arg)
{
	struct cap_peer_run *r = arg;
	return r->m->run(&r->job);
}

/* Run model m on n requests (CAP_MIXED, a few hash rounds) whose peer acts as acts[] says,
 * with `threads` workers; returns the model's result.  A run that does not return within the
 * watchdog fails the test, naming `what` the peer did and the likely mistake. */
static inline int cap_peer_check(const struct cap_model *m, int n, const enum cap_peer_act *acts,
				 int threads, struct cap_peer_run *r, const char *what,
				 const char *hint)
{
	struct cap_peer p;
	cap_peer_start(&p, n, acts, m->nonblocking);
	memset(r, 0, sizeof *r);
	r->m = m;
	for (int i = 0; i < n; i++)
		r->fds[i] = p.c[i].cfd;
	r->job = (struct cap_job){ .kind = CAP_MIXED,
				   .n = n,
				   .delay_ms = 1,
				   .rounds = 20,
				   .threads = threads,
				   .fds = r->fds,
				   .results = r->res,
				   .ran_on = r->ran_on };
	int rc = -1;
	struct asl_call *c = asl_call_start(cap_peer_run_main, r);
	if (!asl_call_wait(c, 2 * ASL_WATCHDOG_MS, &rc))
		cr_assert_fail("model %s, %d requests; %s: the run had not returned after %d ms "
			       "(it takes milliseconds).  A request the peer failed never "
			       "finished: end of file (0 bytes) or an error ends the request "
			       "with an error (and stops its watcher); EAGAIN is the only "
			       "\"try again\"%s",
			       m->name, n, what, 2 * ASL_WATCHDOG_MS, hint);
	cap_peer_stop(&p);
	return rc;
}

#define CAP_PEER_N 4 /* requests per run: the last one is the one that goes wrong */

/* Replies a byte at a time: same results, as if each had come in one read. */
static inline void cap_check_pieces(const char *name, const char *hint)
{
	static struct cap_peer_run r; /* an abandoned run may still write to it */
	const struct cap_model *m = cap_test_model(name, hint);
	const enum cap_peer_act acts[CAP_PEER_N] = { CAP_PEER_ECHO, CAP_PEER_ECHO, CAP_PEER_ECHO,
						     CAP_PEER_ECHO };
	int rc = cap_peer_check(m, CAP_PEER_N, acts, 3, &r, "every reply sent one byte at a time",
				hint);
	cr_assert(rc == 0,
		  "model %s, %d requests, every reply sent one byte at a time (the next once the "
		  "client had read the last): expected 0, got %s.  A reply arrives in pieces: "
		  "keep reading until cap_reply_add says the line is complete%s",
		  name, CAP_PEER_N, asl_test_rc(rc), hint);
	for (int i = 0; i < CAP_PEER_N; i++) {
		uint64_t want = cap_expected(&r.job, i);
		cr_assert(r.res[i] == want,
			  "model %s, replies a byte at a time: result of request %d is %#llx, "
			  "expected %#llx (the pieces make the same line as one read would)%s",
			  name, i, (unsigned long long)r.res[i], (unsigned long long)want, hint);
	}
	int fin = atomic_load(&r.job.finished);
	cr_assert(fin == CAP_PEER_N, "model %s returned 0 with %d of %d requests finished%s", name,
		  fin, CAP_PEER_N, hint);
}

#endif
