/*
 * http_parse.c - step 10: an HTTP/1.1 request parser that can be fed in arbitrary pieces.
 *
 * TCP delivers a byte stream, not messages: one read may hold half a request line, or three
 * pipelined requests and the start of a fourth.  So the parser is handed everything received
 * and not yet consumed, each time more arrives, and answers "not yet" until a whole request
 * (head and Content-Length body) is there.  It remembers how far it has searched for the blank
 * line that ends the head, so a client sending one byte at a time costs O(n), not O(n^2).
 *
 * It is strict where leniency would be a security hole (bare LF line ends, conflicting
 * Content-Lengths, Transfer-Encoding: the request-smuggling family) and small where the lab
 * does not need more (no chunked bodies, no header folding).
 */
#include "http.h"

#include <string.h>
#include <strings.h>

#include "asl/todo.h"

void http_parser_init(struct http_parser *p, size_t max_head, size_t max_body)
{
	p->scanned = 0;
	p->max_head = max_head ? max_head : HTTP_MAX_HEAD;
	p->max_body = max_body ? max_body : HTTP_MAX_BODY;
}

/* RFC 9110 token characters (methods, header names) */
static bool is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool name_is(const char *name, size_t len, const char *want)
{
	return len == strlen(want) && strncasecmp(name, want, len) == 0;
}

/* Does the comma-separated value hold `token` (case-insensitive)? */
static bool value_has(const char *v, size_t len, const char *token)
{
	size_t t = strlen(token);
	for (size_t i = 0; i + t <= len; i++)
		if (strncasecmp(v + i, token, t) == 0 &&
		    (i == 0 || v[i - 1] == ' ' || v[i - 1] == ',') &&
		    (i + t == len || v[i + t] == ' ' || v[i + t] == ','))
			return true;
	return false;
}

/* Parse the head buf[0, head_len) (it ends with CRLF CRLF) into req: 0, or -400/-413/-501. */
static long parse_head(const struct http_parser *p, const char *buf, size_t head_len,
		       struct http_request *req)
{
	/* BEGIN STEP 10: Parse the request line "METHOD SP TARGET SP HTTP/1.x CRLF" and the header
	 * lines "Name: value CRLF" up to the blank line.  -400 for anything malformed: an empty
	 * or non-token method, a target with spaces or control bytes, another version, a header
	 * name that is not a token or is followed by a space, a Content-Length that is not all
	 * digits or that repeats with another value, HTTP/1.1 without Host.  -413 for a
	 * Content-Length above p->max_body, -501 for any Transfer-Encoding.  keep_alive: 1.1
	 * unless "Connection: close", 1.0 only with "Connection: keep-alive".
	 * Checked by: http_parse::*, http::malformed_gets_400_and_close, http::oversized_gets_413
	 * stub: (void)is_tchar; (void)name_is; (void)value_has;
	 * stub: (void)p; (void)buf; (void)head_len; (void)req; return LAB_TODO(10);
	 */
	const char *s = buf, *end = buf + head_len - 2; /* end: the final CRLF */
	const char *eol = memchr(s, '\r', (size_t)(end - s));
	const char *sp1, *sp2;
	bool have_len = false, have_host = false, close = false, keep = false;
	unsigned long long clen = 0;

	memset(req, 0, sizeof *req);
	req->head_len = head_len;
	/* request line */
	if (!eol || eol[1] != '\n' || !(sp1 = memchr(s, ' ', (size_t)(eol - s))) ||
	    !(sp2 = memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1))))
		return -400;
	req->method = s;
	req->method_len = (size_t)(sp1 - s);
	req->target = sp1 + 1;
	req->target_len = (size_t)(sp2 - sp1 - 1);
	if (req->method_len == 0 || req->target_len == 0)
		return -400;
	for (size_t i = 0; i < req->method_len; i++)
		if (!is_tchar(s[i]))
			return -400;
	for (size_t i = 0; i < req->target_len; i++)
		if (req->target[i] <= ' ' || req->target[i] == 0x7f)
			return -400;
	if (eol - sp2 - 1 != 8 || memcmp(sp2 + 1, "HTTP/1.", 7) != 0 ||
	    (sp2[8] != '0' && sp2[8] != '1'))
		return -400;
	req->minor = sp2[8] - '0';

	/* header lines: eol points at the CR ending the previous line */
	for (s = eol + 2; s < end; s = eol + 2) {
		eol = memchr(s, '\r', (size_t)(end - s) + 1);
		if (eol[1] != '\n')
			return -400; /* a CR alone inside a line */
		const char *colon = memchr(s, ':', (size_t)(eol - s));
		if (!colon || colon == s)
			return -400;
		for (const char *q = s; q < colon; q++)
			if (!is_tchar(*q)) /* also rejects "Name :" (a space before the colon) */
				return -400;
		const char *v = colon + 1, *ve = eol;
		while (v < ve && (*v == ' ' || *v == '\t'))
			v++;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		for (const char *q = v; q < ve; q++)
			if ((unsigned char)*q < ' ' && *q != '\t')
				return -400;
		size_t nlen = (size_t)(colon - s), vlen = (size_t)(ve - v);
		if (name_is(s, nlen, "content-length")) {
			unsigned long long n = 0;
			if (vlen == 0 || vlen > 18)
				return vlen > 18 ? -413 : -400;
			for (size_t i = 0; i < vlen; i++) {
				if (v[i] < '0' || v[i] > '9')
					return -400;
				n = n * 10 + (unsigned)(v[i] - '0');
			}
			if (have_len && n != clen)
				/* two lengths: which one a proxy believed is unknowable */
				return -400;
			have_len = true;
			clen = n;
		} else if (name_is(s, nlen, "transfer-encoding")) {
			return -501;
		} else if (name_is(s, nlen, "host")) {
			have_host = true;
		} else if (name_is(s, nlen, "connection")) {
			close |= value_has(v, vlen, "close");
			keep |= value_has(v, vlen, "keep-alive");
		}
	}
	if (req->minor == 1 && !have_host)
		return -400;
	if (clen > p->max_body)
		return -413;
	req->body = buf + head_len;
	req->body_len = (size_t)clen;
	req->keep_alive = req->minor == 1 ? !close : keep && !close;
	return 0;
	/* END STEP 10 */
}

long http_parser_feed(struct http_parser *p, const char *buf, size_t len, struct http_request *req)
{
	/* BEGIN STEP 10: Find the blank line that ends the head, searching only bytes not
	 * searched before (p->scanned).  A LF without a CR before it is -400.  No end yet: 0, or
	 * -413 once p->max_head bytes have come without one (a head must fit).  With the head
	 * complete, parse_head() it; return 0 until the Content-Length body is there too, then
	 * the request's total length, ready for the next request (p->scanned = 0).
	 * Checked by: http_parse::*
	 * stub: (void)parse_head;
	 * stub: (void)p; (void)buf; (void)len; (void)req; return LAB_TODO(10);
	 */
	size_t head_len = 0;
	for (size_t i = p->scanned; i < len && !head_len; i++) {
		if (buf[i] != '\n')
			continue;
		if (i == 0 || buf[i - 1] != '\r')
			return -400;
		if (i >= 3 && buf[i - 2] == '\n' && buf[i - 3] == '\r')
			head_len = i + 1;
	}
	if (!head_len) {
		p->scanned = len;
		return len >= p->max_head ? -413 : 0;
	}
	if (head_len > p->max_head)
		return -413;
	/* keep p->scanned just before the end: the next call finds the same end again at once */
	p->scanned = head_len - 1;
	long rc = parse_head(p, buf, head_len, req);
	if (rc < 0)
		return rc;
	if (len - head_len < req->body_len)
		return 0;
	p->scanned = 0;
	return (long)(head_len + req->body_len);
	/* END STEP 10 */
}
