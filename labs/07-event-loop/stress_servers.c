/*
 * stress_servers.c - the lab's threaded server code under ThreadSanitizer and valgrind
 * (`make tsan`, `make valgrind`): the thread-per-connection echo server with many clients
 * connecting, echoing and leaving at once, then stopped with clients still connected; the echo
 * server on a loop thread stopped by a post from this one; the latency injector on its own
 * thread.  Exits 0 when every byte came back as sent.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "asl/util.h"
#include "echo.h"
#include "latency.h"
#include "tcp.h"

static const char usage[] = "stress_servers [--quick]\n"
			    "  threaded server code under load, for make tsan / make valgrind";

static int rounds = 50;

/* One client: connect, `rounds` round trips of a short message, close. */
static void *client(void *arg)
{
	int port = *(int *)arg, fd = tcp_connect(port, false);
	if (fd < 0)
		asl_die(-fd, "connect");
	for (int i = 0; i < rounds; i++) {
		char msg[32], got[32];
		int len = snprintf(msg, sizeof msg, "round %d\n", i);
		if (send(fd, msg, (size_t)len, MSG_NOSIGNAL) != len ||
		    recv(fd, got, (size_t)len, MSG_WAITALL) != len || memcmp(msg, got, (size_t)len))
			asl_die(0, "echo mismatch");
	}
	close(fd);
	return NULL;
}

static void clients(int port, int n)
{
	pthread_t t[16];
	for (int i = 0; i < n; i++)
		pthread_create(&t[i], NULL, client, &port);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
}

static loop_t *loop;
static struct echo_server esrv;

static void *loop_main(void *arg)
{
	(void)arg;
	loop_run(loop, LOOP_RUN_DEFAULT);
	return NULL;
}

static void stop_cb(loop_post_t *req)
{
	(void)req;
	echo_server_stop(&esrv, 1000);
}

int main(int argc, char **argv)
{
	int port, rc;
	if (argc == 2 && !strcmp(argv[1], "--quick"))
		rounds = 10;
	else
		asl_no_arguments(argc, argv, usage);

	/* thread per connection: clients come and go, then a stop with two still connected */
	struct echo_threads ts;
	int fd = tcp_listen(0, 0, &port);
	if (fd < 0 || (rc = echo_threads_start(&ts, fd, 0)) < 0)
		asl_die(0, "echo_threads_start");
	clients(port, 16);
	int idle1 = tcp_connect(port, false), idle2 = tcp_connect(port, false);
	echo_threads_stop(&ts);
	close(idle1);
	close(idle2);

	/* the loop server on a thread of its own, stopped by a post from this thread */
	if ((rc = loop_create(&loop, LOOP_BACKEND_EPOLL)) < 0)
		asl_die(-rc, "loop_create");
	fd = tcp_listen(0, 0, &port);
	if (fd < 0 || (rc = echo_server_start(&esrv, loop, fd, 0)) < 0)
		asl_die(0, "echo_server_start");
	pthread_t lt;
	pthread_create(&lt, NULL, loop_main, NULL);
	clients(port, 16);
	loop_post_t stop = { 0 };
	loop_post(loop, &stop, stop_cb);
	pthread_join(lt, NULL);
	if ((rc = loop_destroy(loop)) < 0)
		asl_die(-rc, "loop_destroy");

	/* the latency injector on its own thread */
	struct latency_thread *lat;
	if ((rc = latency_thread_start(&lat, &port)) < 0)
		asl_die(-rc, "latency_thread_start");
	int c = tcp_connect(port, false);
	const char req[] = "30 slow\n0 fast\n";
	char got[32] = { 0 };
	if (c < 0 || send(c, req, sizeof req - 1, 0) != (ssize_t)sizeof req - 1 ||
	    recv(c, got, 15, MSG_WAITALL) != 15 || strcmp(got, "0 fast\n30 slow\n"))
		asl_die(0, "latency injector answered \"%s\"", got);
	close(c);
	latency_thread_stop(lat);
	printf("stress_servers: threads, loop and latency servers OK (%d rounds)\n", rounds);
	return 0;
}
