/* Step 10: the incremental HTTP request parser, fed whole, byte by byte and pipelined. */
#include "asl_test.h"
#include "http.h"

#include <stdio.h>

ASL_SUITE(http_parse, 20);

static long feed_all(const char *s, struct http_request *req)
{
	struct http_parser p;
	http_parser_init(&p, 0, 0);
	return http_parser_feed(&p, s, strlen(s), req);
}

#define SLICE_IS(ptr, len, want) ((len) == strlen(want) && memcmp((ptr), (want), (len)) == 0)

Test(http_parse, whole_request)
{
	const char *s = "GET /index.html HTTP/1.1\r\nHost: example\r\nUser-Agent: t\r\n\r\n";
	struct http_request r;
	long n = feed_all(s, &r);
	cr_assert_eq(n, (long)strlen(s),
		     "a complete %zu-byte GET: expected %zu, got %ld" ASL_HINT(10), strlen(s),
		     strlen(s), n);
	cr_assert(SLICE_IS(r.method, r.method_len, "GET") &&
		      SLICE_IS(r.target, r.target_len, "/index.html"),
		  "method/target: expected GET /index.html, got \"%.*s\" \"%.*s\"" ASL_HINT(10),
		  (int)r.method_len, r.method, (int)r.target_len, r.target);
	cr_assert(r.minor == 1 && r.keep_alive && r.body_len == 0 && r.head_len == strlen(s),
		  "HTTP/1.1 without Connection: expected minor 1, keep-alive, no body; got minor "
		  "%d, keep_alive %d, body %zu" ASL_HINT(10),
		  r.minor, r.keep_alive, r.body_len);
}

Test(http_parse, byte_at_a_time_with_body)
{
	const char *s = "POST /form HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello world"
			"GET /next HTTP/1.1\r\nHost: h\r\n\r\n";
	size_t first = strlen(s) - strlen("GET /next HTTP/1.1\r\nHost: h\r\n\r\n");
	struct http_parser p;
	struct http_request r;
	http_parser_init(&p, 0, 0);
	/* the same buffer, one byte longer each call, as bytes trickle in */
	for (size_t len = 1; len < first; len++) {
		long n = http_parser_feed(&p, s, len, &r);
		cr_assert_eq(n, 0,
			     "after %zu of the request's %zu bytes: expected 0 (incomplete), "
			     "got %ld" ASL_HINT(10),
			     len, first, n);
	}
	long n = http_parser_feed(&p, s, first, &r);
	cr_assert_eq(n, (long)first,
		     "with the whole request (head + 11-byte body): expected %zu, "
		     "got %ld" ASL_HINT(10),
		     first, n);
	cr_assert(r.body_len == 11 && !memcmp(r.body, "hello world", 11),
		  "body: expected the 11 bytes \"hello world\", got %zu bytes" ASL_HINT(10),
		  r.body_len);
	/* the parser is ready for the next request, which starts right after */
	const char *next = s + first;
	n = http_parser_feed(&p, next, strlen(next), &r);
	cr_assert(n == (long)strlen(next) && SLICE_IS(r.target, r.target_len, "/next"),
		  "the pipelined request after the body: expected %zu bytes with target /next, "
		  "got %ld" ASL_HINT(10),
		  strlen(next), n);
}

Test(http_parse, pipelined_in_one_buffer)
{
	char buf[4096];
	size_t len = 0;
	for (int i = 0; i < 20; i++)
		len += (size_t)snprintf(buf + len, sizeof buf - len,
					"GET /%d HTTP/1.1\r\nHost: h\r\n\r\n", i);
	struct http_parser p;
	struct http_request r;
	http_parser_init(&p, 0, 0);
	size_t off = 0;
	for (int i = 0; i < 20; i++) {
		long n = http_parser_feed(&p, buf + off, len - off, &r);
		char want[16];
		snprintf(want, sizeof want, "/%d", i);
		cr_assert(n > 0 && SLICE_IS(r.target, r.target_len, want),
			  "request %d of 20 pipelined: expected "
			  "target %s, got %ld / \"%.*s\"" ASL_HINT(10),
			  i, want, n, n > 0 ? (int)r.target_len : 0, n > 0 ? r.target : "");
		off += (size_t)n;
	}
	cr_assert_eq(off, len,
		     "the 20 requests are %zu bytes, the parser consumed %zu" ASL_HINT(10), len,
		     off);
}

Test(http_parse, malformed_is_400)
{
	static const char *bad[] = {
		"GET\r\n\r\n",                          /* no target, no version */
		" / HTTP/1.1\r\nHost: h\r\n\r\n",       /* empty method */
		"G(T / HTTP/1.1\r\nHost: h\r\n\r\n",    /* method not a token */
		"GET /a b HTTP/1.1\r\nHost: h\r\n\r\n", /* space in target */
		"GET / HTTP/2.0\r\nHost: h\r\n\r\n",    /* another version */
		"GET / HTTP/1.1\r\n\r\n",               /* 1.1 without Host */
		"GET / HTTP/1.1\r\nHost h\r\n\r\n",     /* header without colon */
		"GET / HTTP/1.1\r\nHost : h\r\n\r\n",   /* space before colon */
		"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1x\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n",
		"GET / HTTP/1.1\nHost: h\r\n\r\n",         /* bare LF */
		"GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n", /* bare CR */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct http_request r;
		long n = feed_all(bad[i], &r);
		cr_assert_eq(n, -400L,
			     "malformed request %zu (\"%s\"): expected -400, got %ld" ASL_HINT(10),
			     i, bad[i], n);
	}
}

Test(http_parse, oversized_is_413_and_chunked_is_501)
{
	struct http_parser p;
	struct http_request r;
	size_t big = HTTP_MAX_HEAD + 100;
	char *s = malloc(big);
	cr_assert_not_null(s);
	memset(s, 'a', big);
	memcpy(s, "GET / HTTP/1.1\r\nHost: h\r\nX: ", 28);
	http_parser_init(&p, 0, 0);
	long n = http_parser_feed(&p, s, big, &r);
	cr_assert_eq(n, -413L,
		     "a head of %zu bytes without its end (limit %d): expected -413, got "
		     "%ld" ASL_HINT(10),
		     big, HTTP_MAX_HEAD, n);
	free(s);
	char hdr[128];
	snprintf(hdr, sizeof hdr, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: %d\r\n\r\n",
		 HTTP_MAX_BODY + 1);
	n = feed_all(hdr, &r);
	cr_assert_eq(n, -413L,
		     "Content-Length %d (limit %d): expected -413 at once, without "
		     "waiting for the body, got %ld" ASL_HINT(10),
		     HTTP_MAX_BODY + 1, HTTP_MAX_BODY, n);
	n = feed_all("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n", &r);
	cr_assert_eq(n, -501L, "Transfer-Encoding: expected -501, got %ld" ASL_HINT(10), n);
}

Test(http_parse, keep_alive_rules)
{
	static const struct {
		const char *req;
		bool keep;
	} cases[] = {
		{ "GET / HTTP/1.1\r\nHost: h\r\n\r\n", true },
		{ "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", false },
		{ "GET / HTTP/1.1\r\nHost: h\r\nconnection: Keep-Alive, CLOSE\r\n\r\n", false },
		{ "GET / HTTP/1.0\r\n\r\n", false },
		{ "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct http_request r;
		long n = feed_all(cases[i].req, &r);
		cr_assert(n > 0 && r.keep_alive == cases[i].keep,
			  "\"%s\": expected keep_alive %d, got %d (rc %ld)" ASL_HINT(10),
			  cases[i].req, cases[i].keep, r.keep_alive, n);
	}
}
