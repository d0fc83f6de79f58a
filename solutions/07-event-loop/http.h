/*
 * http.h - a small HTTP/1.1 server on the loop, and the request parser it feeds.
 *
 * The parser (http_parse.c) knows nothing of sockets: it is handed the bytes a connection has
 * received so far, as often as new ones arrive, and says "not yet", "here is a request of N
 * bytes", or "this is not HTTP: answer 400/413/501 and close".  The server (http_server.c) owns
 * the sockets, the buffers, the order of responses and the timeouts.
 */
#ifndef HTTP_H
#define HTTP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loop.h"

/* ---- the request parser (http_parse.c) ---- */

#define HTTP_MAX_HEAD 8192      /* request line + headers, bytes (larger: 413) */
#define HTTP_MAX_BODY (1 << 20) /* Content-Length limit, bytes (larger: 413) */

/* One parsed request.  The pointers point into the caller's buffer: valid until the caller
 * consumes or moves those bytes.  Strings are not NUL-terminated: use the lengths. */
struct http_request {
	const char *method, *target, *body;
	size_t method_len, target_len, body_len;
	int minor;       /* HTTP/1.<minor>: 0 or 1 */
	bool keep_alive; /* the connection stays open after the response */
	size_t head_len; /* bytes of request line + headers, including the blank line */
};

/* Parser state between calls: how far the head has been scanned, so no byte is scanned twice
 * however the request is cut into reads.  (With HTTP_PARSER_STATE defined, that header
 * defines struct http_parser instead: lab 09 puts its own parser behind this interface.) */
#ifdef HTTP_PARSER_STATE
#include HTTP_PARSER_STATE
#else
struct http_parser {
	size_t scanned;
	size_t max_head, max_body;
};
#endif

/* Limits 0 mean HTTP_MAX_HEAD / HTTP_MAX_BODY. */
void http_parser_init(struct http_parser *p, size_t max_head, size_t max_body);

/* Look at buf[0, len): every byte received and not yet consumed, starting at a request's first
 * byte (the same buf, grown, on each call until a request is complete).
 *   > 0   a complete request of that many bytes (head + body) is at the start of buf; *req
 *         describes it; the parser is ready for the next request (at buf + that many bytes).
 *   0     not complete yet: call again when more bytes have arrived.
 *   < 0   the negated status to answer before closing: -400 malformed, -413 head or body too
 *         large, -501 a Transfer-Encoding (chunked bodies are not implemented).
 * Any thread; no allocation. */
long http_parser_feed(struct http_parser *p, const char *buf, size_t len, struct http_request *req);

/* ---- the server (http_server.c) ---- */

struct http_stats { /* readable from any thread (relaxed atomics) */
	atomic_ulong accepted, closed, requests, errors, timeouts;
	atomic_uint open;
};

struct http_conn; /* private, in http_server.c */

struct http_server {
	void *data; /* the caller's */
	struct http_stats stats;
	/* private: */
	loop_t *loop;
	int listen_fd;
	uint64_t timeout_ms;
	loop_io_t listen_io;
	loop_timer_t retry;
	loop_timer_t grace; /* ends a graceful stop that takes too long */
	bool stopping;      /* a graceful stop is under way: answer what came, take no more */
	struct http_conn *conns;
};

/* Serve HTTP/1.1 on listen_fd (non-blocking; owned from now on).  Every request is answered
 * "200 OK" with a short text body naming its method and target (and the body length, if any).
 * A connection must deliver each complete request within timeout_ms of the previous response
 * (or of connecting), else it is closed: an idle client and a slowloris client that trickles
 * a header byte at a time are treated alike.  timeout_ms 0 means 10 s.  Loop thread only.
 * Errors: -EINVAL, -ENOMEM, the loop's errors. */
int http_server_start(struct http_server *s, loop_t *loop, int listen_fd, uint64_t timeout_ms);

/* Stop accepting, close the listening socket and every connection now.  Idempotent; loop
 * thread only (also ends a graceful stop at once). */
void http_server_stop(struct http_server *s);

/* Graceful stop (for SIGTERM): stop accepting and close the listening socket; answer every
 * complete request already received (in the server's buffers or the socket's), including
 * pipelined ones, send those responses, then close each connection (a lingering close: the
 * client sees end of file after its last response).  Idle connections are closed at once; after
 * grace_ms whatever is left is closed.  When the last connection is gone the server holds no
 * handle, so a loop_run(DEFAULT) that served only it returns.  Idempotent; loop thread only. */
void http_server_stop_gracefully(struct http_server *s, uint64_t grace_ms);

#endif
