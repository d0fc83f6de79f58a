/*
 * bench_parser.c - parser throughput: the request fed whole vs in small pieces.
 *
 * usage: bench_parser [bench options]
 *
 * A typical browser request head (~480 bytes) is parsed again and again, fed in pieces of
 * 1, 2, 4, ... bytes and whole.  Each sample parses enough copies to take --min-time and
 * reports MB/s (10^6 bytes of head per second).  The default run takes a few seconds;
 * --full samples each piece size for longer.  Dataset "parser", x = piece size in bytes
 * (the largest x is the whole head).  The cost of a piece is one resume and one suspension
 * of the parser's coroutine; at one byte per feed that is paid on every byte, which is what
 * a slow client (or an attacker trickling bytes) makes a server pay.
 */
#include <stdio.h>
#include <string.h>

#include "asl/bench.h"
#include "asl/util.h"
#include "http_req.h"

static const char request[] =
    "GET /articles/2026/11/stackless-coroutines.html?ref=home HTTP/1.1\r\n"
    "Host: www.example.org\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
    "Accept-Language: en-GB,en;q=0.5\r\n"
    "Accept-Encoding: gzip, deflate, br\r\n"
    "Referer: https://www.example.org/\r\n"
    "Connection: keep-alive\r\n"
    "Cookie: session=4f3c2b1a; theme=dark\r\n"
    "Upgrade-Insecure-Requests: 1\r\n"
    "\r\n";

struct run {
	size_t piece;
	double min_time;
};

static struct http_req_parser parser;

static void parse_once(size_t piece, size_t len)
{
	size_t at = 0, used;
	int rc = HTTP_REQ_MORE;
	http_req_parser_init(&parser);
	while (rc == HTTP_REQ_MORE && at < len) {
		size_t n = len - at < piece ? len - at : piece;
		rc = http_req_parser_feed(&parser, request + at, n, &used);
		at += used;
	}
	if (rc != HTTP_REQ_DONE)
		asl_die(0, "the benchmark request did not parse (%d)", rc);
	bench_keep(parser.req.n_headers);
}

static double shot_parse(void *arg)
{
	struct run *r = arg;
	size_t len = sizeof request - 1, reps = 0;
	uint64_t t0 = asl_now_ns(), t;
	do {
		for (int k = 0; k < 16; k++)
			parse_once(r->piece, len);
		reps += 16;
		t = asl_now_ns();
	} while ((double)(t - t0) < r->min_time * 1e9);
	return (double)(reps * len) / ((double)(t - t0) / 1e9) / 1e6;
}

int main(int argc, char **argv)
{
	struct bench b;
	bench_init(&b, argc, argv, "09-stackless",
		   "HTTP request-head parser throughput (MB/s) vs the size of the pieces fed");
	size_t len = sizeof request - 1;
	char note[160];
	snprintf(note, sizeof note,
		 "a %zu-byte request head fed in pieces of x bytes; x = %zu is "
		 "the whole head in one feed",
		 len, len);
	bench_open(&b, "parser", "piece_bytes", "MB/s", note);
	/* a sample parses for 2x --min-time (40 ms by default: thousands of heads); --full
	 * for 5x, steadier on a busy machine */
	struct run r = { .min_time = b.min_time_s * (b.full ? 5 : 2) };
	for (size_t piece = 1; piece < len; piece *= 2) {
		r.piece = piece;
		bench_shot(&b, "http_req", (double)piece, shot_parse, &r, NULL);
	}
	r.piece = len;
	bench_shot(&b, "http_req", (double)len, shot_parse, &r, NULL);
	bench_close(&b);
	return 0;
}
