/* util.c - program helpers shared by every lab; see asl/util.h. */
#include "asl/util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

extern char *program_invocation_short_name; /* glibc; avoids threading argv[0] everywhere */

_Noreturn void asl_die(int errno_val, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", program_invocation_short_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (errno_val)
		fprintf(stderr, ": %s", strerror(errno_val));
	fputc('\n', stderr);
	exit(1);
}

_Noreturn void asl_usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", program_invocation_short_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: %s\n", usage);
	exit(ASL_EXIT_USAGE);
}

void asl_no_options(int argc, char **argv, const char *usage)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("usage: %s\n", usage);
			exit(0);
		}
		if (argv[i][0] == '-' && argv[i][1] != '\0')
			asl_usage_error(usage, "unknown option '%s'", argv[i]);
	}
}

void asl_no_arguments(int argc, char **argv, const char *usage)
{
	asl_no_options(argc, argv, usage);
	if (argc > 1)
		asl_usage_error(usage, "unexpected argument '%s'", argv[1]);
}

bool asl_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;
	if (!s || !*s)
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

bool asl_parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	uint64_t v, mul = 1;
	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return false;
	switch (*end) {
	/* one line per unit */
	/* clang-format off */
	case 'K': case 'k': mul = 1ull << 10; end++; break;
	case 'M': case 'm': mul = 1ull << 20; end++; break;
	case 'G': case 'g': mul = 1ull << 30; end++; break;
	default: break;
	}
	/* clang-format on */
	if (*end == 'i' || *end == 'B')
		end += (*end == 'i' && end[1] == 'B') ? 2 : 1;
	if (*end || (v && mul > UINT64_MAX / v))
		return false;
	v *= mul;
	if (v < min || v > max)
		return false;
	*out = v;
	return true;
}

uint64_t asl_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t asl_now_ms(void)
{
	return asl_now_ns() / 1000000u;
}

long asl_raise_fd_limit(long want)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -errno;
	if (rl.rlim_cur != RLIM_INFINITY && (long)rl.rlim_cur < want) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || (long)rl.rlim_max > want
				  ? (rlim_t)want
				  : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			return -errno;
	}
	return rl.rlim_cur == RLIM_INFINITY ? want : (long)rl.rlim_cur;
}

const char *asl_errname(int err)
{
	if (err < 0)
		err = -err;
	const char *name = strerrorname_np(err);
	return name ? name : "E?";
}
