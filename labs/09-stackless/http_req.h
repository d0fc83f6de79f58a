/*
 * http_req.h - a resumable HTTP/1.1 request-head parser, written as a stackless coroutine.
 *
 * TCP delivers a byte stream: one read() may hold half a request line, or a whole request
 * and the start of the next.  This parser takes whatever arrived, in pieces of any size down
 * to one byte, consumes each byte exactly once, and suspends when a piece runs out in the
 * middle of a request; the next feed carries on at that very byte.  Its whole state between
 * feeds is this struct: no stack of its own, no re-scanning of old bytes, no allocation.
 *
 *	struct http_req_parser p;
 *	http_req_parser_init(&p);
 *	for (;;) {
 *		n = read(fd, buf, sizeof buf);        // any size, any split
 *		rc = http_req_parser_feed(&p, buf, n, &used);
 *		if (rc == HTTP_REQ_MORE) continue;    // all n bytes taken, head not complete
 *		if (rc < 0) { answer -rc (400/413/501) and close; break; }
 *		// HTTP_REQ_DONE: p.req is the request; buf + used is where its body (or the
 *		// next pipelined request) starts; http_req_parser_init(&p) before the next one
 *	}
 *
 * Only the head (request line and header fields, up to the blank line) is parsed; the body
 * is the caller's (req.content_length says how long it is).  Strict where leniency is a
 * security hole (bare LF line ends, conflicting Content-Length, Transfer-Encoding: the
 * request-smuggling family), small where a lab server needs no more (no chunked bodies,
 * no header folding).  Status codes as lab 07's http_parser: 400 malformed, 413 too large,
 * 501 Transfer-Encoding.  Single-threaded; one parser per connection.
 */
#ifndef LAB09_HTTP_REQ_H
#define LAB09_HTTP_REQ_H

#include <stdbool.h>
#include <stddef.h>

#include "pt_line.h"

#define HTTP_REQ_MAX_HEAD 8192       /* bytes of request line + headers + blank line (more: 413) */
#define HTTP_REQ_MAX_HEADERS 32      /* header fields (more: 413) */
#define HTTP_REQ_MAX_BODY (1L << 20) /* largest Content-Length accepted (more: 413) */

enum http_req_result {
	HTTP_REQ_MORE = 0, /* every byte was consumed and the head is not complete: feed more */
	HTTP_REQ_DONE = 1, /* the head is complete: the result is in p->req */
	/* otherwise the negated HTTP status to answer before closing: -400, -413, -501; or
	 * -EALREADY (fed again after DONE or an error), -EINVAL (NULL data with len > 0) */
};

struct http_req_header {
	const char *name;  /* as sent (compare case-insensitively), NUL-terminated */
	const char *value; /* without leading and trailing blanks, NUL-terminated */
};

/* A parsed request head.  The strings live in the parser's buffer: valid until the parser
 * is initialised again, and only while the parser itself stays where it is (do not copy or
 * move a struct http_req_parser that has a result in use). */
struct http_req {
	const char *method; /* a token: "GET", "POST", ... */
	const char *target; /* "/index.html", "*", "http://h/x": visible ASCII, no blanks */
	int minor;          /* HTTP/1.<minor>: 0 or 1 */
	size_t n_headers;
	struct http_req_header headers[HTTP_REQ_MAX_HEADERS];
	long content_length; /* 0 when there is no Content-Length */
	bool keep_alive;     /* 1.1 unless "Connection: close"; 1.0 only with "keep-alive" */
	size_t head_len;     /* bytes of the head, the blank line's CRLF included */
};

struct http_req_parser {
	struct ptl pt;        /* where the coroutine resumes */
	const char *in, *end; /* the piece being fed (valid during one feed only) */
	int status;           /* HTTP_REQ_DONE or the error, once finished */
	size_t line;          /* offset in buf of the line being read */
	size_t used;          /* bytes of buf in use */
	bool have_length, have_host, conn_close, conn_keep_alive;
	struct http_req req;
	char buf[HTTP_REQ_MAX_HEAD]; /* the head's lines, each NUL-terminated instead of CRLF */
};

/* Prepare p for a new request head (also after DONE or an error). */
void http_req_parser_init(struct http_req_parser *p);

/* Feed the next len bytes of the stream.  *consumed receives how many of them the parser
 * took: all of them with HTTP_REQ_MORE; up to the end of the head with HTTP_REQ_DONE (the
 * rest belongs to the body or the next request); up to and including the offending byte with
 * an error.  See enum http_req_result for the return values.  len 0 is allowed. */
int http_req_parser_feed(struct http_req_parser *p, const char *data, size_t len, size_t *consumed);

/* The value of the first header called `name` (case-insensitive), or NULL. */
const char *http_req_header(const struct http_req *req, const char *name);

/* The checks the coroutine applies to each complete line (step 7; called by
 * http_req_parser_feed, and by the tests directly).  `line` is in p->buf, NUL-terminated
 * where its CRLF was; the functions may cut it into pieces in place.
 *   ..._request_line: "METHOD SP TARGET SP HTTP/1.x" -> p->req.method, target, minor;
 *   ..._field: "Name: value" -> one more p->req.headers[] entry, and the meaning of
 *       Content-Length, Transfer-Encoding, Connection and Host;
 *   ..._end: the blank line was reached: what can only be judged on the whole head.
 * 0, or -400 / -413 / -501. */
int http_req_check_request_line(struct http_req_parser *p, char *line);
int http_req_check_field(struct http_req_parser *p, char *line);
int http_req_check_end(struct http_req_parser *p);

#endif
