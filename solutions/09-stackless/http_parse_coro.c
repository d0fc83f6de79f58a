/*
 * http_parse_coro.c - step 9: lab 07's HTTP server on this lab's resumable parser.
 *
 * Lab 07's server calls its parser through two functions (lab 07's http.h):
 *
 *	http_parser_init(p, 0, 0)                    once per connection;
 *	n = http_parser_feed(p, buf, len, &req)      whenever bytes arrive, with buf holding
 *	                                             every byte of the request received so far
 *	                                             (from its first byte: the same bytes again,
 *	                                             and more, on each call);
 *
 * and expects n > 0 (a complete request of n bytes, head and body), 0 (not yet) or -status.
 * Lab 07's own parser keeps a `scanned` offset so as not to scan the old bytes again.  The
 * coroutine parser of steps 7-8 never sees a byte twice by construction: each call hands it
 * only the bytes it has not had yet (buf + fed), and it resumes inside the very HTTP_NEXT
 * that ran dry.  What this file adds is the glue: the body (the head parser stops at the
 * blank line; a request is complete once Content-Length more bytes are there), the request
 * seen as lab 07 describes it, and a fresh parser for the next pipelined request.
 *
 * The strings of the request (method, target) live in the coroutine's own buffer, not in the
 * caller's: valid until the next feed, which is longer than lab 07 asks for (the server uses
 * them before it feeds again).  The limits are this lab's (HTTP_REQ_MAX_HEAD, _MAX_BODY),
 * the same as lab 07's defaults: http_parser_init's max_head and max_body are not used, and
 * p->max_head, p->max_body (which lab 07's server reads to size its input) say so.
 */
#define HTTP_PARSER_STATE "http_parse_coro.h"
#include "http.h" /* lab 07's (../07-event-loop) */

#include <string.h>

#include "asl/todo.h"

void http_parser_init(struct http_parser *p, size_t max_head, size_t max_body)
{
	(void)max_head;
	(void)max_body;
	http_req_parser_init(&p->coro);
	p->fed = 0;
	p->head_done = p->answered = false;
	p->max_head = HTTP_REQ_MAX_HEAD;
	p->max_body = HTTP_REQ_MAX_BODY;
}

long http_parser_feed(struct http_parser *p, const char *buf, size_t len, struct http_request *req)
{
	/* BEGIN STEP 9: Put your parser behind lab 07's interface.  After a request was
	 * returned, start afresh (http_parser_init: buf now starts at the next request).  Until
	 * the head is done, feed only buf[p->fed, len) to http_req_parser_feed and add what it
	 * consumed to p->fed: HTTP_REQ_MORE is 0 ("not yet"); -400, -413 and -501 pass through;
	 * any other error is the server's fault: -500.  Once the head is done, the request is
	 * complete when head_len + content_length bytes are in buf: fill *req (method, target
	 * and their lengths, minor, keep_alive, head_len, body = buf + head_len and body_len)
	 * and return that total; 0 while the body is still arriving.
	 * Checked by: http_switch::*
	 * stub: LAB_UNUSED(p, buf, len, req); return LAB_TODO(9);
	 */
	if (p->answered)
		http_parser_init(p, 0, 0);
	if (!p->head_done) {
		size_t used = 0;
		int rc = http_req_parser_feed(&p->coro, buf + p->fed, len - p->fed, &used);
		p->fed += used;
		if (rc == HTTP_REQ_MORE)
			return 0;
		if (rc < 0)
			return rc == -400 || rc == -413 || rc == -501 ? rc : -500;
		p->head_done = true;
	}
	const struct http_req *r = &p->coro.req;
	size_t total = r->head_len + (size_t)r->content_length;
	if (len < total)
		return 0; /* the body is still arriving: the server calls again with more */
	*req = (struct http_request){
		.method = r->method,
		.method_len = strlen(r->method),
		.target = r->target,
		.target_len = strlen(r->target),
		.body = buf + r->head_len,
		.body_len = (size_t)r->content_length,
		.minor = r->minor,
		.keep_alive = r->keep_alive,
		.head_len = r->head_len,
	};
	p->answered = true;
	return (long)total;
	/* END STEP 9 */
}
