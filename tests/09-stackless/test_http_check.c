/* Step 7: the checks of complete lines (request line, header fields, the end of the head),
 * called directly on a fresh parser. */
#include "stackless_test.h"

#include "http_req.h"

#include <stdlib.h>
#include <string.h>

ASL_SUITE(http_check, 30);

static struct http_req_parser *fresh(void)
{
	struct http_req_parser *p = malloc(sizeof *p);
	cr_assert(p, "out of memory");
	http_req_parser_init(p);
	return p;
}

static int line_rc(int (*check)(struct http_req_parser *, char *), struct http_req_parser *p,
		   const char *text)
{
	char *copy = p->buf + p->used;
	strcpy(copy, text);
	p->used += strlen(text) + 1;
	return check(p, copy);
}

Test(http_check, request_line_valid)
{
	struct http_req_parser *p = fresh();
	int rc = line_rc(http_req_check_request_line, p, "DELETE /items/7?x=1#f HTTP/1.0");
	cr_assert(rc == 0 && p->req.method && !strcmp(p->req.method, "DELETE") && p->req.target &&
		      !strcmp(p->req.target, "/items/7?x=1#f") && p->req.minor == 0,
		  "\"DELETE /items/7?x=1#f HTTP/1.0\": expected 0 with DELETE, the target and "
		  "minor 0; got %s, %s, %s, %d" ASL_HINT(7),
		  asl_test_rc(rc), p->req.method ? p->req.method : "(null)",
		  p->req.target ? p->req.target : "(null)", p->req.minor);
	free(p);
}

Test(http_check, request_line_malformed)
{
	static const char *bad[] = { "",
				     "GET",
				     "GET /",
				     "GET / ",
				     " GET / HTTP/1.1",
				     "GET / HTTP/1.1 ",
				     "GET / HTTP/1.2",
				     "GET / HTTP/11",
				     "GE@T / HTTP/1.1",
				     "GET /\x80 HTTP/1.1",
				     "GET  / HTTP/1.1",
				     "GET / x HTTP/1.1" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct http_req_parser *p = fresh();
		int rc = line_rc(http_req_check_request_line, p, bad[i]);
		cr_assert_eq(rc, -400, "request line \"%s\": expected -400, got %s" ASL_HINT(7),
			     bad[i], asl_test_rc(rc));
		free(p);
	}
}

Test(http_check, field_values_and_meaning)
{
	struct http_req_parser *p = fresh();
	int rc = line_rc(http_req_check_field, p, "Content-LENGTH:  0042  ");
	cr_assert(rc == 0 && p->req.content_length == 42 && p->req.n_headers == 1 &&
		      !strcmp(p->req.headers[0].value, "0042"),
		  "\"Content-LENGTH:  0042  \": expected "
		  "0, length 42, value \"0042\"; got %s, %ld" ASL_HINT(7),
		  asl_test_rc(rc), p->req.content_length);
	rc = line_rc(http_req_check_field, p, "X-Empty:");
	cr_assert(rc == 0 && !strcmp(p->req.headers[1].name, "X-Empty") &&
		      !strcmp(p->req.headers[1].value, ""),
		  "an empty value is allowed: got %s" ASL_HINT(7), asl_test_rc(rc));
	cr_assert_eq(line_rc(http_req_check_field, p, "Content-Length: 42"), 0,
		     "the same Content-Length again is allowed" ASL_HINT(7));
	cr_assert_eq(line_rc(http_req_check_field, p, "Content-Length: 43"), -400,
		     "a conflicting Content-Length: expected -400" ASL_HINT(7));
	free(p);
	p = fresh();
	cr_assert_eq(line_rc(http_req_check_field, p, "Content-Length: 1048577"), -413,
		     "Content-Length above HTTP_REQ_MAX_BODY: expected -413" ASL_HINT(7));
	free(p);
	p = fresh();
	cr_assert_eq(line_rc(http_req_check_field, p, "Content-Length: 1048576"), 0,
		     "Content-Length of exactly HTTP_REQ_MAX_BODY: expected 0" ASL_HINT(7));
	cr_assert_eq(line_rc(http_req_check_field, p, "transfer-encoding: gzip"), -501,
		     "any Transfer-Encoding: expected -501" ASL_HINT(7));
	free(p);
}

Test(http_check, field_malformed)
{
	static const char *bad[] = { ": v",
				     "Na me: v",
				     "Name : v",
				     "Name",
				     "N\x01: v",
				     "Name: a\x01"
				     "b",
				     "Content-Length:",
				     "Content-Length: 1 2",
				     "Content-Length: +5" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct http_req_parser *p = fresh();
		int rc = line_rc(http_req_check_field, p, bad[i]);
		cr_assert_eq(rc, -400, "header line \"%s\": expected -400, got %s" ASL_HINT(7),
			     bad[i], asl_test_rc(rc));
		free(p);
	}
}

Test(http_check, field_too_many_is_413)
{
	struct http_req_parser *p = fresh();
	char line[32];
	for (int i = 0; i < HTTP_REQ_MAX_HEADERS; i++) {
		snprintf(line, sizeof line, "X-%d: %d", i, i);
		int rc = line_rc(http_req_check_field, p, line);
		cr_assert_eq(rc, 0, "header %d of %d: expected 0, got %s" ASL_HINT(7), i + 1,
			     HTTP_REQ_MAX_HEADERS, asl_test_rc(rc));
	}
	int rc = line_rc(http_req_check_field, p, "One-More: x");
	cr_assert_eq(rc, -413, "header %d: expected -413, got %s" ASL_HINT(7),
		     HTTP_REQ_MAX_HEADERS + 1, asl_test_rc(rc));
	free(p);
}

Test(http_check, end_host_and_keep_alive)
{
	static const struct {
		const char *line, *f1, *f2;
		int rc;
		bool ka;
	} cases[] = {
		{ "GET / HTTP/1.1", "Host: h", NULL, 0, true },
		{ "GET / HTTP/1.1", "Host: h", "Connection: close", 0, false },
		{ "GET / HTTP/1.1", "Accept: x", NULL, -400, false },
		{ "GET / HTTP/1.0", NULL, NULL, 0, false },
		{ "GET / HTTP/1.0", "Connection: keep-alive", NULL, 0, true },
		{ "GET / HTTP/1.0", "Connection: keep-alive, close", NULL, 0, false },
		{ "GET / HTTP/1.1", "Host: h", "Connection: keep-alive-ish", 0, true },
		{ "GET / HTTP/1.1", "Host: h", "Host: h", -400, false },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct http_req_parser *p = fresh();
		int rc = line_rc(http_req_check_request_line, p, cases[i].line);
		if (rc == 0 && cases[i].f1)
			rc = line_rc(http_req_check_field, p, cases[i].f1);
		if (rc == 0 && cases[i].f2)
			rc = line_rc(http_req_check_field, p, cases[i].f2);
		if (rc == 0)
			rc = http_req_check_end(p);
		cr_assert(rc == cases[i].rc && (rc != 0 || p->req.keep_alive == cases[i].ka),
			  "%s + %s + %s: expected %d with "
			  "keep-alive %d, got %s with %d" ASL_HINT(7),
			  cases[i].line, cases[i].f1 ? cases[i].f1 : "-",
			  cases[i].f2 ? cases[i].f2 : "-", cases[i].rc, cases[i].ka,
			  asl_test_rc(rc), p->req.keep_alive);
		free(p);
	}
}

/* 2^64 + 5: a length accumulated in 64 bits without a bound wraps around to 5. */
Test(http_check, content_length_that_overflows_is_413)
{
	struct http_req_parser *p = fresh();
	int rc = line_rc(http_req_check_field, p, "Content-Length: 18446744073709551621");
	cr_assert_eq(rc, -413,
		     "Content-Length: 18446744073709551621 (2^64 + 5): expected -413, "
		     "got %s (length %ld): stop accumulating digits once the value is past "
		     "HTTP_REQ_MAX_BODY, or it overflows and wraps to a small length" ASL_HINT(7),
		     asl_test_rc(rc), p->req.content_length);
	free(p);
}
