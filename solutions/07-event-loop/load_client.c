/*
 * load_client.c - drive an echo or HTTP server with N closed-loop connections (loadgen.h) and
 * report requests/s and latency percentiles.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asl/util.h"
#include "loadgen.h"

static const char usage[] =
    "load_client --port N [--conns N] [--size BYTES] [--duration S] [--pin CPU] [--http]\n"
    "  closed-loop load on 127.0.0.1:PORT: each connection sends a request and waits for\n"
    "  the whole answer before the next one\n"
    "  --conns N      concurrent connections (default 10)\n"
    "  --size BYTES   echo message size (default 64)\n"
    "  --duration S   measured seconds, after every connection got one answer (default 2)\n"
    "  --pin CPU      pin the client to one CPU\n"
    "  --http         send HTTP/1.1 keep-alive GET requests instead of echo messages";

int main(int argc, char **argv)
{
	struct loadgen_opts o = { .port = -1,
				  .conns = 10,
				  .size = 64,
				  .duration_s = 2,
				  .proto = LOADGEN_ECHO,
				  .pin_cpu = -1 };
	long v;
	uint64_t size;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			printf("usage: %s\n", usage);
			return 0;
		} else if (!strcmp(a, "--http")) {
			o.proto = LOADGEN_HTTP;
			continue;
		} else if (!strcmp(a, "--port") && val && asl_parse_long(val, 1, 65535, &v)) {
			o.port = (int)v;
		} else if (!strcmp(a, "--conns") && val && asl_parse_long(val, 1, 1000000, &v)) {
			o.conns = (int)v;
		} else if (!strcmp(a, "--size") && val && asl_parse_size(val, 1, 1 << 26, &size)) {
			o.size = size;
		} else if (!strcmp(a, "--duration") && val && asl_parse_long(val, 1, 3600, &v)) {
			o.duration_s = (double)v;
		} else if (!strcmp(a, "--pin") && val && asl_parse_long(val, 0, 1023, &v)) {
			o.pin_cpu = (int)v;
		} else {
			asl_usage_error(usage, "bad argument '%s'", a);
		}
		i++;
	}
	if (o.port < 0)
		asl_usage_error(usage, "--port is required");
	struct loadgen_result r;
	int rc = loadgen_run(&o, &r);
	if (rc < 0)
		asl_die(-rc, "loadgen_run");
	printf("%d connections (%d connected), %s, %.1f s: %.0f requests/s, latency p50 %.1f us, "
	       "p99 %.1f us, max %.1f us, errors %llu%s%s\n",
	       o.conns, r.connected, o.proto == LOADGEN_HTTP ? "http" : "echo", r.seconds, r.rps,
	       r.p50_us, r.p99_us, r.max_us, (unsigned long long)r.errors,
	       r.errors ? ": first " : "", r.first_error);
	return r.errors ? 1 : 0;
}
