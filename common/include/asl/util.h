/*
 * asl/util.h - small helpers for the *programs* of every lab (demos, harnesses, drivers).
 *
 * Library code in a lab never prints or exits; programs do, through these, so that every bad
 * argument gets a usage message and exit status 2, and every failed call names itself.
 */
#ifndef ASL_UTIL_H
#define ASL_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ASL_EXIT_USAGE 2 /* bad command line: the convention of every asynclabs program */

/* Print "prog: message: strerror(errno)" (when errno_val != 0) and exit(1). */
_Noreturn void asl_die(int errno_val, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print "prog: message" then the usage text to stderr and exit(ASL_EXIT_USAGE). */
_Noreturn void asl_usage_error(const char *usage, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* For programs that take no options (positional arguments are the caller's to check):
 * "-h/--help" prints the usage to stdout and exits 0; any other "-..." is a usage error. */
void asl_no_options(int argc, char **argv, const char *usage);
/* For programs that take no arguments at all: as above, and any argument is a usage error. */
void asl_no_arguments(int argc, char **argv, const char *usage);

/* Parse a whole decimal integer in [min, max]; false on junk, overflow or out of range. */
bool asl_parse_long(const char *s, long min, long max, long *out);
/* Parse a size with an optional K/M/G suffix (powers of 1024) in [min, max]. */
bool asl_parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* Monotonic clock in nanoseconds. */
uint64_t asl_now_ns(void);
/* The same clock in whole milliseconds (deadlines for poll/epoll timeouts, coarse reports). */
uint64_t asl_now_ms(void);

/* The struct of type `type` whose member `member` is at p: how an intrusive item (a timer, a
 * queue entry, a registration embedded in a bigger object) finds the object around it. */
/* (clang-format 14 would take (p) for a cast and write (p)-offsetof) */
/* clang-format off */
#define container_of(p, type, member) ((type *)(void *)((char *)(p) - offsetof(type, member)))
/* clang-format on */

/* Make room for `want` descriptors: raise the soft RLIMIT_NOFILE towards want, never above the
 * hard limit and never lowering it.  Returns the soft limit now in force (want when unlimited;
 * below want when the hard limit is lower), or -errno. */
long asl_raise_fd_limit(long want);

/* Name of an errno value ("EINVAL"), or "E?" for unknown ones. */
const char *asl_errname(int err);

#endif
