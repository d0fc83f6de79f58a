/*
 * echo_uv.c - the echo server written the way libuv's own guide writes it: the comparison
 * point in bench_echo (built only where libuv1-dev is installed).
 *
 * The idiom of the libuv guide's echo server is kept on purpose, allocation pattern included:
 * alloc_cb mallocs a suggested_size (64 KiB) buffer for every read, and uv_write takes that
 * buffer until the write callback frees it.  This is what "idiomatic" libuv code looks like;
 * the figure compares that, not a tuned variant.  Prints "port N" first; exits 0 on SIGTERM
 * or SIGINT.
 */
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "asl/util.h"

static const char usage[] = "echo_uv [--port N]\n"
			    "  echo server on libuv, written as the libuv guide does (comparison)";

static uv_loop_t *loop;

struct write_req {
	uv_write_t req;
	uv_buf_t buf;
};

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	(void)h;
	buf->base = malloc(suggested);
	buf->len = buf->base ? suggested : 0;
}

static void close_cb(uv_handle_t *h)
{
	free(h);
}

static void write_cb(uv_write_t *req, int status)
{
	struct write_req *w = (struct write_req *)req;
	if (status < 0 && !uv_is_closing((uv_handle_t *)req->handle))
		uv_close((uv_handle_t *)req->handle, close_cb);
	free(w->buf.base);
	free(w);
}

static void read_cb(uv_stream_t *client, ssize_t nread, const uv_buf_t *buf)
{
	if (nread > 0) {
		struct write_req *w = malloc(sizeof *w);
		if (w) {
			w->buf = uv_buf_init(buf->base, (unsigned)nread);
			if (uv_write(&w->req, client, &w->buf, 1, write_cb) == 0)
				return;
			free(w);
		}
		free(buf->base);
		uv_close((uv_handle_t *)client, close_cb);
		return;
	}
	if (nread < 0 && !uv_is_closing((uv_handle_t *)client))
		uv_close((uv_handle_t *)client, close_cb); /* UV_EOF or an error */
	free(buf->base);
}

static void on_connection(uv_stream_t *server, int status)
{
	if (status < 0)
		return;
	uv_tcp_t *client = malloc(sizeof *client);
	if (!client)
		return;
	uv_tcp_init(loop, client);
	client->data = client; /* marks the handles close_any must free */
	if (uv_accept(server, (uv_stream_t *)client) == 0) {
		uv_tcp_nodelay(client, 1);
		uv_read_start((uv_stream_t *)client, alloc_cb, read_cb);
	} else {
		uv_close((uv_handle_t *)client, close_cb);
	}
}

static void close_any(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (!uv_is_closing(h))
		uv_close(h, h->type == UV_TCP && h->data ? close_cb : NULL);
}

static void on_signal(uv_signal_t *s, int signo)
{
	(void)s;
	(void)signo;
	uv_walk(loop, close_any, NULL); /* the loop ends once every handle is closed */
}

int main(int argc, char **argv)
{
	long port = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("usage: %s\n", usage);
			return 0;
		}
		if (strcmp(argv[i], "--port") || i + 1 >= argc ||
		    !asl_parse_long(argv[i + 1], 0, 65535, &port))
			asl_usage_error(usage, "bad argument '%s'", argv[i]);
		i++;
	}
	static uv_tcp_t server;
	static uv_signal_t term, intr;
	struct sockaddr_in addr;
	struct sockaddr_storage bound;
	int len = sizeof bound, rc;
	loop = uv_default_loop();
	uv_tcp_init(loop, &server);
	uv_ip4_addr("127.0.0.1", (int)port, &addr);
	if ((rc = uv_tcp_bind(&server, (const struct sockaddr *)&addr, 0)) ||
	    (rc = uv_listen((uv_stream_t *)&server, SOMAXCONN, on_connection)))
		asl_die(0, "listen: %s", uv_strerror(rc));
	uv_tcp_getsockname(&server, (struct sockaddr *)&bound, &len);
	uv_signal_init(loop, &term);
	uv_signal_init(loop, &intr);
	uv_signal_start(&term, on_signal, SIGTERM);
	uv_signal_start(&intr, on_signal, SIGINT);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("port %d\n", ntohs(((struct sockaddr_in *)&bound)->sin_port));
	uv_run(loop, UV_RUN_DEFAULT);
	uv_loop_close(loop);
	return 0;
}
