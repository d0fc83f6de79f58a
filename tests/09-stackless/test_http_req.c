/* Steps 6-7: the resumable HTTP request parser - the same answer however the input is cut (the
 * checks of complete lines, called directly: test_http_check.c). */
#include "stackless_test.h"

#include "http_req.h"

#include <stdlib.h>

ASL_SUITE(http_req, 60);

struct http_case {
	const char *name;
	const char *text;
	int status; /* HTTP_REQ_DONE, HTTP_REQ_MORE or -400/-413/-501 */
	const char *method, *target;
	int minor;
	size_t n_headers;
	long content_length;
	bool keep_alive;
};

/* one row per case reads as a table */
/* clang-format off */
#define OK(n, t, m, tg, mi, nh, cl, ka) { n, t, HTTP_REQ_DONE, m, tg, mi, nh, cl, ka }
#define BAD(n, t, st) { n, t, st, NULL, NULL, 0, 0, 0, false }

static const struct http_case corpus[] = {
	OK("simple GET", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", "GET", "/", 1, 1, 0, true),
	OK("GET with body bytes after the head",
	   "POST /form HTTP/1.1\r\nHost: x.org\r\nContent-Length: 5\r\n\r\nhello", "POST", "/form",
	   1, 2, 5, true),
	OK("HTTP/1.0, no keep-alive", "GET /a?b=c HTTP/1.0\r\nUser-Agent: t\r\n\r\n", "GET",
	   "/a?b=c", 0, 1, 0, false),
	OK("HTTP/1.0 keep-alive", "HEAD /x HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", "HEAD",
	   "/x", 0, 1, 0, true),
	OK("1.1 close among tokens", "GET / HTTP/1.1\r\nHost: h\r\nConnection: foo, close\r\n\r\n",
	   "GET", "/", 1, 2, 0, false),
	OK("blanks around values, odd case",
	   "PUT /f HTTP/1.1\r\nhOsT:   h  \r\ncontent-length:\t12 \r\nX-E:\r\n\r\n", "PUT", "/f",
	   1, 3, 12, true),
	OK("same Content-Length twice", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n"
	   "Content-Length: 3\r\n\r\nabc", "POST", "/", 1, 3, 3, true),
	OK("pipelined: only the first head", "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\n"
	   "Host: h\r\n\r\n", "GET", "/1", 1, 1, 0, true),
	OK("asterisk and token method", "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", "OPTIONS", "*", 1,
	   1, 0, true),
	OK("1.0 without headers", "GET / HTTP/1.0\r\n\r\n", "GET", "/", 0, 0, 0, false),
	{ "incomplete head", "GET / HTTP/1.1\r\nHost: h\r\n", HTTP_REQ_MORE, NULL, NULL, 0, 0, 0,
	  false },
	BAD("bare LF", "GET / HTTP/1.1\nHost: h\r\n\r\n", -400),
	BAD("CR without LF", "GET / HTTP/1.1\rHost: h\r\n\r\n", -400),
	BAD("lower-case version", "GET / http/1.1\r\nHost: h\r\n\r\n", -400),
	BAD("HTTP/2.0", "GET / HTTP/2.0\r\nHost: h\r\n\r\n", -400),
	BAD("two spaces", "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", -400),
	BAD("no target", "GET HTTP/1.1\r\nHost: h\r\n\r\n", -400),
	BAD("method not a token", "G(T / HTTP/1.1\r\nHost: h\r\n\r\n", -400),
	BAD("control byte in target", "GET /a\x01 HTTP/1.1\r\nHost: h\r\n\r\n", -400),
	BAD("empty request line", "\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", -400),
	BAD("space before colon", "GET / HTTP/1.1\r\nHost : h\r\n\r\n", -400),
	BAD("no colon", "GET / HTTP/1.1\r\nHost h\r\n\r\n", -400),
	BAD("folded header", "GET / HTTP/1.1\r\nHost: h\r\n X: y\r\n\r\n", -400),
	BAD("1.1 without Host", "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", -400),
	BAD("two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", -400),
	BAD("Content-Length not a number", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1x\r\n"
	    "\r\n", -400),
	BAD("Content-Length negative", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n",
	    -400),
	BAD("conflicting Content-Length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n"
	    "Content-Length: 4\r\n\r\n", -400),
	BAD("Content-Length too large", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: "
	    "99999999999999999999999\r\n\r\n", -413),
	BAD("Transfer-Encoding", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n",
	    -501),
	BAD("control byte in a value", "GET / HTTP/1.1\r\nHost: h\x7f\r\n\r\n", -400),
};
/* clang-format on */
#define N_CORPUS (sizeof corpus / sizeof corpus[0])

/* The outcome of parsing one text fed in pieces. */
struct outcome {
	int status;
	size_t consumed;
	char text[1024]; /* the result, rendered: equal renderings mean equal results */
};

static void render(const struct http_req_parser *p, int status, struct outcome *o)
{
	const struct http_req *r = &p->req;
	int at;
	o->status = status;
	if (status != HTTP_REQ_DONE) {
		snprintf(o->text, sizeof o->text, "status %d", status);
		return;
	}
	at = snprintf(o->text, sizeof o->text, "%s %s 1.%d cl=%ld ka=%d head=%zu |",
		      r->method ? r->method : "(null)", r->target ? r->target : "(null)", r->minor,
		      r->content_length, r->keep_alive, r->head_len);
	for (size_t i = 0; i < r->n_headers && at < (int)sizeof o->text - 1; i++)
		at += snprintf(o->text + at, sizeof o->text - (size_t)at, " [%s]=[%s]",
			       r->headers[i].name, r->headers[i].value);
}

/* Feed text in pieces whose lengths are cuts[0..n) (the last piece takes the rest). */
static void parse_in_pieces(const char *text, size_t len, const size_t *cuts, size_t n,
			    struct http_req_parser *p, struct outcome *o)
{
	size_t at = 0, used = 0;
	int rc = HTTP_REQ_MORE;
	http_req_parser_init(p);
	for (size_t k = 0; k <= n && rc == HTTP_REQ_MORE; k++) {
		size_t piece = k < n ? cuts[k] : len - at;
		if (piece > len - at)
			piece = len - at;
		rc = http_req_parser_feed(p, text + at, piece, &used);
		if (rc == HTTP_REQ_MORE)
			cr_assert_eq(used, piece,
				     "HTTP_REQ_MORE but only %zu of %zu bytes taken" ASL_HINT(8),
				     used, piece);
		else
			cr_assert(used <= piece, "consumed %zu of a %zu-byte piece" ASL_HINT(8),
				  used, piece);
		at += used;
	}
	o->consumed = at;
	render(p, rc, o);
}

static void check_case_whole(const struct http_case *c, struct http_req_parser *p,
			     struct outcome *o)
{
	size_t len = strlen(c->text);
	parse_in_pieces(c->text, len, NULL, 0, p, o);
	cr_assert_eq(o->status, c->status, "\"%s\" fed whole: expected %d, got %s" ASL_HINT(8),
		     c->name, c->status, asl_test_rc(o->status));
	if (c->status != HTTP_REQ_DONE)
		return;
	const struct http_req *r = &p->req;
	const char *end = strstr(c->text, "\r\n\r\n");
	size_t head = end ? (size_t)(end - c->text) + 4 : len;
	cr_assert(o->consumed == head && r->head_len == head,
		  "\"%s\": the head is %zu bytes; "
		  "consumed %zu, head_len %zu (the body and the next request are not the "
		  "parser's)" ASL_HINT(8),
		  c->name, head, o->consumed, r->head_len);
	cr_assert(r->method && !strcmp(r->method, c->method) && r->target &&
		      !strcmp(r->target, c->target) && r->minor == c->minor,
		  "\"%s\": expected %s %s HTTP/1.%d, got %s" ASL_HINT(7), c->name, c->method,
		  c->target, c->minor, o->text);
	cr_assert(r->n_headers == c->n_headers && r->content_length == c->content_length &&
		      r->keep_alive == c->keep_alive,
		  "\"%s\": expected %zu headers, Content-Length "
		  "%ld, keep-alive %d; got %s" ASL_HINT(7),
		  c->name, c->n_headers, c->content_length, c->keep_alive, o->text);
}

static void expect_same(const struct http_case *c, const struct outcome *want,
			const struct outcome *got, const char *how)
{
	cr_assert(got->status == want->status && got->consumed == want->consumed &&
		      !strcmp(got->text, want->text),
		  "\"%s\" fed %s: expected the same as fed whole (status %d, %zu bytes consumed: "
		  "%s), got status %d, %zu bytes: %s" ASL_HINT(8),
		  c->name, how, want->status, want->consumed, want->text, got->status,
		  got->consumed, got->text);
}

Test(http_req, corpus_fed_whole)
{
	struct http_req_parser *p = malloc(sizeof *p);
	struct outcome o;
	for (size_t i = 0; i < N_CORPUS; i++)
		check_case_whole(&corpus[i], p, &o);
	free(p);
}

Test(http_req, corpus_one_byte_at_a_time)
{
	struct http_req_parser *p = malloc(sizeof *p);
	struct outcome whole, got;
	size_t ones[512];
	for (size_t i = 0; i < 512; i++)
		ones[i] = 1;
	for (size_t i = 0; i < N_CORPUS; i++) {
		size_t len = strlen(corpus[i].text);
		check_case_whole(&corpus[i], p, &whole);
		parse_in_pieces(corpus[i].text, len, ones, len, p, &got);
		expect_same(&corpus[i], &whole, &got, "one byte at a time");
	}
	free(p);
}

Test(http_req, corpus_every_two_way_split)
{
	struct http_req_parser *p = malloc(sizeof *p);
	struct outcome whole, got;
	char how[64];
	for (size_t i = 0; i < N_CORPUS; i++) {
		size_t len = strlen(corpus[i].text);
		check_case_whole(&corpus[i], p, &whole);
		for (size_t cut = 0; cut <= len; cut++) {
			parse_in_pieces(corpus[i].text, len, &cut, 1, p, &got);
			snprintf(how, sizeof how, "as %zu + %zu bytes", cut, len - cut);
			expect_same(&corpus[i], &whole, &got, how);
		}
	}
	free(p);
}

Test(http_req, corpus_random_splits)
{
	struct http_req_parser *p = malloc(sizeof *p);
	struct outcome whole, got;
	uint64_t s = 0x0907;
	char how[96];
	for (size_t i = 0; i < N_CORPUS; i++) {
		size_t len = strlen(corpus[i].text);
		check_case_whole(&corpus[i], p, &whole);
		for (int round = 0; round < 300; round++) {
			size_t cuts[64], n = (size_t)(st_rand(&s) % 12);
			uint64_t seed = s;
			for (size_t k = 0; k < n; k++)
				cuts[k] = (size_t)(st_rand(&s) % 24);
			parse_in_pieces(corpus[i].text, len, cuts, n, p, &got);
			snprintf(how, sizeof how, "in %zu random pieces (seed %llu)", n + 1,
				 (unsigned long long)seed);
			expect_same(&corpus[i], &whole, &got, how);
		}
	}
	free(p);
}

/* Zero-length feeds anywhere change nothing. */
Test(http_req, empty_feeds_change_nothing)
{
	struct http_req_parser *p = malloc(sizeof *p);
	const char *t = corpus[1].text;
	size_t used = 9, len = strlen(t), at = 0;
	int rc = HTTP_REQ_MORE;
	http_req_parser_init(p);
	rc = http_req_parser_feed(p, NULL, 0, &used);
	cr_assert(rc == HTTP_REQ_MORE && used == 0,
		  "feeding nothing: expected HTTP_REQ_MORE and 0 "
		  "bytes, got %s and %zu" ASL_HINT(8),
		  asl_test_rc(rc), used);
	while (rc == HTTP_REQ_MORE && at < len) {
		rc = http_req_parser_feed(p, t + at, 0, &used);
		cr_assert(rc == HTTP_REQ_MORE && used == 0,
			  "an empty feed at byte %zu returned %s" ASL_HINT(8), at, asl_test_rc(rc));
		rc = http_req_parser_feed(p, t + at, 1, &used);
		at += used;
	}
	cr_assert(rc == HTTP_REQ_DONE && !strcmp(p->req.target, "/form"),
		  "expected the request "
		  "for /form, got %s" ASL_HINT(8),
		  asl_test_rc(rc));
	free(p);
}

Test(http_req, finished_is_an_error)
{
	struct http_req_parser *p = malloc(sizeof *p);
	size_t used;
	http_req_parser_init(p);
	const char *ok = corpus[0].text;
	int rc = http_req_parser_feed(p, ok, strlen(ok), &used);
	cr_assert_eq(rc, HTTP_REQ_DONE, "expected HTTP_REQ_DONE, got %s" ASL_HINT(8),
		     asl_test_rc(rc));
	for (int i = 0; i < 2; i++) {
		rc = http_req_parser_feed(p, "GET", 3, &used);
		cr_assert(rc == -EALREADY && used == 0,
			  "fed after DONE: expected -114 (EALREADY) "
			  "and nothing consumed, got %s and %zu" ASL_HINT(8),
			  asl_test_rc(rc), used);
	}
	cr_assert_str_eq(p->req.target, "/", "feeding after DONE changed the result" ASL_HINT(8));
	http_req_parser_init(p);
	rc = http_req_parser_feed(p, "GET\n", 4, &used);
	cr_assert_eq(rc, -400, "a bare LF: expected -400, got %s" ASL_HINT(8), asl_test_rc(rc));
	rc = http_req_parser_feed(p, "\r\n", 2, &used);
	cr_assert(rc == -EALREADY && used == 0,
		  "fed after an error: expected -114 (EALREADY), got "
		  "%s" ASL_HINT(8),
		  asl_test_rc(rc));
	free(p);
}

/* A head longer than HTTP_REQ_MAX_HEAD: 413 at the first byte beyond it, however fed. */
Test(http_req, oversized_head_is_413)
{
	struct http_req_parser *p = malloc(sizeof *p);
	size_t len = HTTP_REQ_MAX_HEAD + 200;
	char *big = malloc(len + 1);
	strcpy(big, "GET / HTTP/1.1\r\nHost: h\r\nX-Big: ");
	size_t at = strlen(big);
	memset(big + at, 'a', len - at);
	big[len] = '\0';
	struct outcome whole, got;
	size_t ones[HTTP_REQ_MAX_HEAD + 200];
	for (size_t i = 0; i < len; i++)
		ones[i] = 1;
	parse_in_pieces(big, len, NULL, 0, p, &whole);
	cr_assert(
	    whole.status == -413 && whole.consumed == HTTP_REQ_MAX_HEAD + 1,
	    "a %zu-byte head fed whole: expected -413 after %d bytes, got %s after %zu" ASL_HINT(8),
	    len, HTTP_REQ_MAX_HEAD + 1, asl_test_rc(whole.status), whole.consumed);
	parse_in_pieces(big, len, ones, len, p, &got);
	cr_assert(got.status == -413 && got.consumed == whole.consumed,
		  "fed one byte at a time: "
		  "expected -413 after %zu bytes, got %s after %zu" ASL_HINT(8),
		  whole.consumed, asl_test_rc(got.status), got.consumed);
	/* exactly at the limit is fine */
	size_t head = HTTP_REQ_MAX_HEAD;
	memcpy(big + head - 4, "\r\n\r\n", 4);
	parse_in_pieces(big, head, NULL, 0, p, &got);
	cr_assert_eq(got.status, HTTP_REQ_DONE,
		     "a head of exactly HTTP_REQ_MAX_HEAD bytes: "
		     "expected HTTP_REQ_DONE, got %s" ASL_HINT(8),
		     asl_test_rc(got.status));
	free(big);
	free(p);
}

Test(http_req, nul_byte_is_400)
{
	struct http_req_parser *p = malloc(sizeof *p);
	static const char t[] = "GET /a\0b HTTP/1.1\r\nHost: h\r\n\r\n";
	struct outcome o;
	parse_in_pieces(t, sizeof t - 1, NULL, 0, p, &o);
	cr_assert(o.status == -400 && o.consumed == 7,
		  "a NUL in the request line: expected -400 "
		  "at byte 7, got %s after %zu bytes" ASL_HINT(8),
		  asl_test_rc(o.status), o.consumed);
	free(p);
}
