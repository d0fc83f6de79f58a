/*
 * demo_http_chunks.c - the resumable parser at work: a request arrives in pieces, the
 * parser suspends at the end of each piece and resumes at the very next byte.
 *
 * Each line shows one feed: the piece, what the parser said, and where its coroutine is
 * suspended (the source line of http_req.c that PTL_AWAIT saved in p->pt.lc).  The second
 * request starts in the same piece that ends the first: the parser reports how many bytes
 * were its own, and the rest is fed to a fresh parser.
 */
#include "http_req.h"

#include <stdio.h>
#include <string.h>

#include "asl/util.h"

static const char usage[] = "demo_http_chunks [-h]\n"
			    "  feeds two pipelined requests to the parser in 9-byte pieces";

static const char stream[] = "GET /index.html HTTP/1.1\r\nHost: example.org\r\nAccept: */*\r\n\r\n"
			     "POST /f HTTP/1.0\r\nContent-Length: 2\r\n\r\nhi";

static void show(const struct http_req *r)
{
	printf("  => %s %s HTTP/1.%d, %zu header(s), Content-Length %ld, keep-alive %s, head %zu "
	       "bytes\n",
	       r->method, r->target, r->minor, r->n_headers, r->content_length,
	       r->keep_alive ? "yes" : "no", r->head_len);
	for (size_t i = 0; i < r->n_headers; i++)
		printf("       %s: %s\n", r->headers[i].name, r->headers[i].value);
}

int main(int argc, char **argv)
{
	static struct http_req_parser p; /* 8 KiB of buffer: not on the stack */
	const size_t piece = 9, len = sizeof stream - 1;
	size_t at = 0;
	int requests = 0;

	asl_no_arguments(argc, argv, usage);
	http_req_parser_init(&p);
	while (at < len && requests < 2) {
		size_t n = len - at < piece ? len - at : piece, used = 0;
		int rc = http_req_parser_feed(&p, stream + at, n, &used);
		char shown[4 * 16] = "\"";
		for (size_t i = 0; i < n; i++)
			strcat(shown, stream[at + i] == '\r'   ? "\\r"
				      : stream[at + i] == '\n' ? "\\n"
							       : (char[2]){ stream[at + i], 0 });
		strcat(shown, "\"");
		printf("feed %-24s -> ", shown);
		at += used;
		if (rc == HTTP_REQ_MORE) {
			printf("MORE (suspended at http_req.c:%d)\n", p.pt.lc);
			continue;
		}
		if (rc < 0) {
			printf("error %d\n", -rc);
			return 1;
		}
		printf("DONE after %zu of these %zu bytes\n", used, n);
		show(&p.req);
		requests++;
		http_req_parser_init(&p);
	}
	printf("left for the caller (the second request's body): \"%s\"\n", stream + at);
	return 0;
}
