/*
 * demo_echo - an echo server that reads like a thread-per-connection server, on ONE thread.
 *
 * What it shows: echo_connection() below is the loop you would write with blocking sockets
 * and one thread per client - read, write back, until the client hangs up.  Here each
 * connection is a fiber instead, and fiber_read / fiber_write park it on the lab-07 loop when
 * the socket is not ready.  The demo starts the server and CLIENTS client fibers (default
 * 2000) in the same thread, lets every client send ROUNDS messages and check the echoes, and
 * reports the threads, descriptors and memory it took.
 *
 * usage: demo_echo [CLIENTS [ROUNDS]]
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "asl/util.h"
#include "fiber.h"

#define USAGE                                                                                      \
	"demo_echo [CLIENTS [ROUNDS]]\n"                                                           \
	"  CLIENTS client fibers (1..10000, default 2000) each send ROUNDS (1..1000, default 5)\n" \
	"  messages to a fiber echo server in the same thread"

static struct sockaddr_in addr;
static int listen_fd, clients = 2000, rounds = 5, served, ok, failed;

/* The server: one fiber per connection, written as if read and write blocked. */
static void *echo_connection(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char buf[512];
	ssize_t n;
	while ((n = fiber_read(fd, buf, sizeof buf)) > 0)
		if (fiber_write(fd, buf, (size_t)n) < 0)
			break;
	fiber_close(fd);
	served++;
	return NULL;
}

static void *accept_loop(void *arg)
{
	(void)arg;
	for (int i = 0; i < clients; i++) {
		int fd = fiber_accept(listen_fd);
		if (fd < 0)
			asl_die(-fd, "accept");
		fiber_spawn(fiber_self_sched(), NULL, echo_connection, (void *)(intptr_t)fd);
	}
	fiber_close(listen_fd);
	return NULL;
}

static void *client(void *arg)
{
	int id = (int)(intptr_t)arg, good = 1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || fiber_connect(fd, (struct sockaddr *)&addr, sizeof addr))
		good = 0;
	for (int r = 0; r < rounds && good; r++) {
		char msg[64], back[64];
		int len = snprintf(msg, sizeof msg, "hello %d/%d", id, r), have = 0;
		if (fiber_write(fd, msg, (size_t)len) != len)
			good = 0;
		while (good && have < len) {
			ssize_t n = fiber_read(fd, back + have, (size_t)(len - have));
			good = n > 0;
			have += good ? (int)n : 0;
		}
		good = good && memcmp(msg, back, (size_t)len) == 0;
	}
	good ? ok++ : failed++;
	if (fd >= 0)
		fiber_close(fd);
	return NULL;
}

static long rss_kib(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

int main(int argc, char **argv)
{
	long v;
	asl_no_options(argc, argv, USAGE);
	if (argc > 3)
		asl_usage_error(USAGE, "too many arguments");
	if (argc > 1) {
		if (!asl_parse_long(argv[1], 1, 10000, &v))
			asl_usage_error(USAGE, "CLIENTS must be 1..10000, not '%s'", argv[1]);
		clients = (int)v;
	}
	if (argc > 2) {
		if (!asl_parse_long(argv[2], 1, 1000, &v))
			asl_usage_error(USAGE, "ROUNDS must be 1..1000, not '%s'", argv[2]);
		rounds = (int)v;
	}
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < (rlim_t)(2 * clients + 64)) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		if (rl.rlim_cur < (rlim_t)(2 * clients + 64))
			asl_die(0, "%d clients need %d descriptors; the limit is %lu", clients,
				2 * clients + 64, (unsigned long)rl.rlim_cur);
	}
	listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	addr = (struct sockaddr_in){ .sin_family = AF_INET,
				     .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof addr;
	if (bind(listen_fd, (struct sockaddr *)&addr, sizeof addr) ||
	    getsockname(listen_fd, (struct sockaddr *)&addr, &len) || listen(listen_fd, 4096))
		asl_die(errno, "listen");

	fiber_sched_t *s;
	if (fiber_sched_create(&s, 0) || fiber_spawn(s, NULL, accept_loop, NULL))
		asl_die(0, "cannot start the server fiber (steps 1-3)");
	for (intptr_t i = 0; i < clients; i++)
		fiber_spawn(s, NULL, client, (void *)i);
	uint64_t t0 = asl_now_ns();
	int rc = fiber_sched_run(s);
	double ms = (double)(asl_now_ns() - t0) / 1e6;
	fiber_sched_destroy(s);
	if (rc)
		asl_die(-rc, "fiber_sched_run (is lab 07 finished? fibers park on its loop)");
	printf("%d clients x %d messages: %d echoed correctly, %d failed; %d connections served\n",
	       clients, rounds, ok, failed, served);
	printf("one thread, %d fibers at the peak (%d clients + %d server + 1 acceptor), "
	       "%.1f ms, max RSS %ld KiB\n",
	       2 * clients + 1, clients, clients, ms, rss_kib());
	return failed ? 1 : 0;
}
