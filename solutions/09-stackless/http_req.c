/*
 * http_req.c - steps 7 (the line checks) and 8 (the coroutine): an HTTP/1.1 request-head
 * parser as a stackless coroutine.
 *
 * The parser is written as if it could simply ask for "the next byte" and wait for it: one
 * loop over lines, one loop over the bytes of a line.  HTTP_NEXT is that wait.  When the
 * piece being fed runs out, PTL_AWAIT returns CORO_PENDING out of http_req_run (and
 * http_req_parser_feed says HTTP_REQ_MORE); the next feed resumes inside the very
 * HTTP_NEXT that ran dry.  Everything the loops need across such a suspension lives in the
 * struct: where the current line starts (p->line), how much of the buffer is used, what the
 * headers said so far.  The byte itself (`c`) is used before the next HTTP_NEXT and stays a
 * local.
 *
 * Written the traditional way, the same parser is an explicit state machine with a dozen
 * states (METHOD, SP1, TARGET, ..., HEADER_NAME, HEADER_VALUE, CR, LF) and a switch on the
 * state for every byte: that is what the macros write for us here.
 */
#include "http_req.h"

#include <string.h>
#include <strings.h>

#include "asl/todo.h"

void http_req_parser_init(struct http_req_parser *p)
{
	memset(p, 0, offsetof(struct http_req_parser, buf)); /* the buffer needs no clearing */
	p->buf[0] = '\0';
	PTL_INIT(&p->pt);
}

/* Take the next byte of input into c; while the piece being fed is used up, suspend
 * (CORO_PENDING): the next feed resumes right here with its first byte. */
#define HTTP_NEXT(p, c)                                  \
	do {                                             \
		PTL_AWAIT(&(p)->pt, (p)->in < (p)->end); \
		(c) = *(p)->in++;                        \
		(p)->req.head_len++;                     \
	} while (0)

/* End the coroutine with a status: HTTP_REQ_DONE or an error. */
#define HTTP_FINISH(p, st)          \
	do {                        \
		(p)->status = (st); \
		PTL_EXIT(&(p)->pt); \
	} while (0)

/* The coroutine: CORO_PENDING (input used up), CORO_READY (p->status says how it ended),
 * -EALREADY when it had already ended. */
static int http_req_run(struct http_req_parser *p)
{
	char c = 0; /* the byte just taken: used before the next HTTP_NEXT */
	int rc = 0;

	/* BEGIN STEP 8: The parser's coroutine.  Read the head line by line with HTTP_NEXT:
	 * copy each line's bytes into p->buf and end it with a NUL where its CRLF was; check
	 * the first line with http_req_check_request_line and each further one with
	 * http_req_check_field; an empty line ends the head (then http_req_check_end, and
	 * status HTTP_REQ_DONE).  -400 for a bare LF or CR without LF, or a NUL byte; -413 as
	 * soon as the head exceeds HTTP_REQ_MAX_HEAD bytes.  Finish with HTTP_FINISH, so that
	 * feeding again answers -EALREADY.  What lives across HTTP_NEXT goes in *p, never in a
	 * local.
	 * Checked by: http_req::*
	 * stub: LAB_UNUSED(p, c, rc); return LAB_TODO(8);
	 */
	PTL_BEGIN(&p->pt);
	for (;;) {
		p->line = p->used;
		for (;;) {
			HTTP_NEXT(p, c);
			if (p->req.head_len > HTTP_REQ_MAX_HEAD)
				HTTP_FINISH(p, -413);
			if (c == '\r')
				break;
			if (c == '\n' || c == '\0') /* a bare LF ends no line here; NUL cuts one */
				HTTP_FINISH(p, -400);
			p->buf[p->used++] = c; /* fits: buf holds fewer bytes than head_len */
		}
		HTTP_NEXT(p, c);
		if (p->req.head_len > HTTP_REQ_MAX_HEAD)
			HTTP_FINISH(p, -413);
		if (c != '\n')
			HTTP_FINISH(p, -400);
		p->buf[p->used++] = '\0';
		if (p->line == 0)
			rc = http_req_check_request_line(p, p->buf);
		else if (p->buf[p->line] == '\0')
			break; /* the blank line: end of the head */
		else
			rc = http_req_check_field(p, p->buf + p->line);
		if (rc < 0)
			HTTP_FINISH(p, rc);
	}
	rc = http_req_check_end(p);
	HTTP_FINISH(p, rc < 0 ? rc : HTTP_REQ_DONE);
	PTL_END(&p->pt);
	/* END STEP 8 */
}

int http_req_parser_feed(struct http_req_parser *p, const char *data, size_t len, size_t *consumed)
{
	*consumed = 0;
	if (!data && len > 0)
		return -EINVAL;
	p->in = data;
	p->end = data + len;
	int rc = http_req_run(p);
	*consumed = (size_t)(p->in - data);
	p->in = p->end = NULL; /* the piece is the caller's again */
	if (rc == CORO_PENDING)
		return HTTP_REQ_MORE;
	if (rc == CORO_READY)
		return p->status;
	return rc; /* -EALREADY: it had finished before this feed */
}

const char *http_req_header(const struct http_req *req, const char *name)
{
	for (size_t i = 0; i < req->n_headers; i++)
		if (strcasecmp(req->headers[i].name, name) == 0)
			return req->headers[i].value;
	return NULL;
}

/* RFC 9110 token characters (methods, header names). */
static inline bool http_is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

static inline bool http_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

int http_req_check_request_line(struct http_req_parser *p, char *line)
{
	/* BEGIN STEP 7: Split "METHOD SP TARGET SP HTTP/1.x" in place (NULs for the two
	 * spaces) into p->req.method, target and minor.  -400 unless: the method is one or
	 * more token characters; exactly one space after it and after the target; the target is
	 * one or more visible ASCII characters (0x21-0x7e); the version is HTTP/1.0 or HTTP/1.1.
	 * Checked by: http_check::request_line_*, http_req::corpus_*
	 * stub: LAB_UNUSED(p, line); return LAB_TODO(7);
	 */
	char *sp1 = strchr(line, ' ');
	if (!sp1 || sp1 == line)
		return -400;
	*sp1 = '\0';
	for (const char *m = line; *m; m++)
		if (!http_is_tchar(*m))
			return -400;
	char *target = sp1 + 1;
	char *sp2 = strchr(target, ' ');
	if (!sp2 || sp2 == target)
		return -400;
	*sp2 = '\0';
	for (const unsigned char *t = (const unsigned char *)target; *t; t++)
		if (*t < 0x21 || *t > 0x7e)
			return -400;
	const char *version = sp2 + 1;
	if (strcmp(version, "HTTP/1.1") == 0)
		p->req.minor = 1;
	else if (strcmp(version, "HTTP/1.0") == 0)
		p->req.minor = 0;
	else
		return -400;
	p->req.method = line;
	p->req.target = target;
	return 0;
	/* END STEP 7 */
}

/* Does the comma-separated list `v` hold `token` (case-insensitive, blanks ignored)? */
static inline bool http_list_has(const char *v, const char *token)
{
	size_t t = strlen(token);
	while (*v) {
		while (http_is_blank(*v) || *v == ',')
			v++;
		size_t n = strcspn(v, ",");
		size_t k = n;
		while (k > 0 && http_is_blank(v[k - 1]))
			k--;
		if (k == t && strncasecmp(v, token, t) == 0)
			return true;
		v += n;
	}
	return false;
}

int http_req_check_field(struct http_req_parser *p, char *line)
{
	/* BEGIN STEP 7: Split "Name: value" in place and append it to p->req.headers (-413
	 * beyond HTTP_REQ_MAX_HEADERS).  -400 unless the name is one or more token characters
	 * directly followed by ':' (a space before the colon is refused: request smuggling)
	 * and the value, trimmed of blanks at both ends, holds no control characters other
	 * than tab.  Then what the server must act on: Content-Length (digits only, -413 above
	 * HTTP_REQ_MAX_BODY, -400 if repeated with another value), Transfer-Encoding (-501),
	 * Host (-400 if repeated), Connection (the tokens close / keep-alive).
	 * Checked by: http_check::field_*, http_req::corpus_*
	 * stub: LAB_UNUSED(p, line); return LAB_TODO(7);
	 */
	struct http_req *req = &p->req;
	if (req->n_headers == HTTP_REQ_MAX_HEADERS)
		return -413;
	char *colon = strchr(line, ':');
	if (!colon || colon == line)
		return -400;
	for (const char *n = line; n < colon; n++)
		if (!http_is_tchar(*n))
			return -400;
	*colon = '\0';
	char *value = colon + 1, *end;
	while (http_is_blank(*value))
		value++;
	end = value + strlen(value);
	while (end > value && http_is_blank(end[-1]))
		end--;
	*end = '\0';
	for (const unsigned char *v = (const unsigned char *)value; *v; v++)
		if ((*v < 0x20 && *v != '\t') || *v == 0x7f)
			return -400;
	req->headers[req->n_headers++] = (struct http_req_header){ line, value };

	if (strcasecmp(line, "Content-Length") == 0) {
		long len = 0;
		if (!*value)
			return -400;
		for (const char *d = value; *d; d++) {
			if (*d < '0' || *d > '9')
				return -400;
			if (len <= HTTP_REQ_MAX_BODY) /* stop growing: no overflow, still > max */
				len = len * 10 + (*d - '0');
		}
		if (len > HTTP_REQ_MAX_BODY)
			return -413;
		if (p->have_length && len != req->content_length)
			return -400;
		p->have_length = true;
		req->content_length = len;
	} else if (strcasecmp(line, "Transfer-Encoding") == 0) {
		return -501;
	} else if (strcasecmp(line, "Host") == 0) {
		if (p->have_host)
			return -400;
		p->have_host = true;
	} else if (strcasecmp(line, "Connection") == 0) {
		p->conn_close |= http_list_has(value, "close");
		p->conn_keep_alive |= http_list_has(value, "keep-alive");
	}
	return 0;
	/* END STEP 7 */
}

int http_req_check_end(struct http_req_parser *p)
{
	/* BEGIN STEP 7: The head is complete: HTTP/1.1 requires a Host header (-400 without).
	 * keep_alive: HTTP/1.1 unless "Connection: close"; HTTP/1.0 only with
	 * "Connection: keep-alive" (and no close).
	 * Checked by: http_check::end_*, http_req::corpus_*
	 * stub: LAB_UNUSED(p); return LAB_TODO(7);
	 */
	if (p->req.minor == 1 && !p->have_host)
		return -400;
	p->req.keep_alive = !p->conn_close && (p->req.minor == 1 || p->conn_keep_alive);
	return 0;
	/* END STEP 7 */
}
