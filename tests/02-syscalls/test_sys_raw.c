/* Step 1: the raw instruction with 0, 1, 2, 3, 4, 5 and 6 arguments, results as -errno. */
#include "asl_test.h"
#include "syscalls.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

/* A second copy of the student's sys_raw.c, compiled into this file under other names, so
 * that the compiler can inline it here and optimise around it: the only way to see whether
 * each asm statement declares what the instruction destroys (rcx, r11) and that the kernel
 * reads and writes memory (the "memory" clobber).  Through liblab.a every sys_rawN is a real
 * call, after which the caller assumes those registers and memory changed anyway. */
#define sys_raw0 inlined_sys_raw0
#define sys_raw1 inlined_sys_raw1
#define sys_raw2 inlined_sys_raw2
#define sys_raw3 inlined_sys_raw3
#define sys_raw4 inlined_sys_raw4
#define sys_raw5 inlined_sys_raw5
#define sys_raw6 inlined_sys_raw6
#include "sys_raw.c"
#undef sys_raw0
#undef sys_raw1
#undef sys_raw2
#undef sys_raw3
#undef sys_raw4
#undef sys_raw5
#undef sys_raw6

ASL_SUITE(sys_raw, 10);

/* A memory file of `pages` pages, page i filled with the byte 'A' + i. */
static int pages_file(int pages)
{
	long pg = sysconf(_SC_PAGESIZE);
	int fd = memfd_create("lab02", 0);
	cr_assert(fd >= 0, "memfd_create failed: %s", strerror(errno));
	char *buf = malloc((size_t)pg);
	cr_assert_not_null(buf);
	for (int i = 0; i < pages; i++) {
		memset(buf, 'A' + i, (size_t)pg);
		cr_assert_eq(write(fd, buf, (size_t)pg), pg);
	}
	free(buf);
	return fd;
}

Test(sys_raw, zero_args_getpid)
{
	long got = sys_raw0(SYS_getpid);
	cr_assert_eq(got, (long)getpid(),
		     "sys_raw0(SYS_getpid) returned %ld, getpid() says %ld" ASL_HINT(1), got,
		     (long)getpid());
	got = sys_raw0(SYS_sched_yield);
	cr_assert_eq(got, 0, "sys_raw0(SYS_sched_yield) returned %s, expected 0" ASL_HINT(1),
		     asl_test_rc((int)got));
}

Test(sys_raw, one_and_two_args)
{
	int fd = dup(0);
	cr_assert(fd >= 0);
	long got = sys_raw1(SYS_close, fd);
	cr_assert_eq(got, 0, "sys_raw1(SYS_close, fd) returned %s, expected 0" ASL_HINT(1),
		     asl_test_rc((int)got));
	cr_assert(fcntl(fd, F_GETFD) < 0 && errno == EBADF,
		  "after sys_raw1(SYS_close, %d) the descriptor is still open" ASL_HINT(1), fd);

	struct timespec ts = { -1, -1 }, now;
	got = sys_raw2(SYS_clock_gettime, CLOCK_MONOTONIC, (long)&ts);
	clock_gettime(CLOCK_MONOTONIC, &now);
	cr_assert_eq(got, 0, "sys_raw2(SYS_clock_gettime, ...) returned %s, expected 0" ASL_HINT(1),
		     asl_test_rc((int)got));
	cr_assert(ts.tv_sec >= 0 && ts.tv_sec <= now.tv_sec && ts.tv_nsec >= 0 &&
		      ts.tv_nsec < 1000000000L,
		  "sys_raw2(SYS_clock_gettime, CLOCK_MONOTONIC, &ts) left ts = {%lld, %ld}, "
		  "not a time at or before {%lld, ...}" ASL_HINT(1),
		  (long long)ts.tv_sec, ts.tv_nsec, (long long)now.tv_sec);
}

Test(sys_raw, three_args_write_read)
{
	int p[2];
	char back[16] = { 0 };
	cr_assert_eq(pipe(p), 0);
	long got = sys_raw3(SYS_write, p[1], (long)"raw bytes", 9);
	cr_assert_eq(got, 9,
		     "sys_raw3(SYS_write, pipe, \"raw "
		     "bytes\", 9) returned %s, expected 9" ASL_HINT(1),
		     asl_test_rc((int)got));
	got = sys_raw3(SYS_read, p[0], (long)back, sizeof back);
	cr_assert(got == 9 && !memcmp(back, "raw bytes", 9),
		  "sys_raw3(SYS_read, pipe, buf, 16) returned %s with \"%.16s\", expected 9 "
		  "with \"raw bytes\"" ASL_HINT(1),
		  asl_test_rc((int)got), back);
	close(p[0]);
	close(p[1]);
}

Test(sys_raw, errors_are_negative_errno)
{
	int p[2];
	cr_assert_eq(pipe(p), 0);
	long got = sys_raw1(SYS_close, -1);
	cr_assert_eq(got, -EBADF,
		     "sys_raw1(SYS_close, -1) returned %s, expected -9 (EBADF)" ASL_HINT(1),
		     asl_test_rc((int)got));
	got = sys_raw3(SYS_write, p[1], 16, 8); /* address 16: never mapped */
	cr_assert_eq(got, -EFAULT,
		     "write from address 16 returned %s, expected -14 (EFAULT)" ASL_HINT(1),
		     asl_test_rc((int)got));
	/* a number the kernel does not know: the kernel itself answers -ENOSYS */
	got = sys_raw0(100000);
	cr_assert_eq(got, -ENOSYS,
		     "sys_raw0(100000) returned %s, expected -38 (ENOSYS)" ASL_HINT(1),
		     asl_test_rc((int)got));
	close(p[0]);
	close(p[1]);
}

Test(sys_raw, four_args_pread_offset)
{
	long pg = sysconf(_SC_PAGESIZE);
	int fd = pages_file(3);
	char buf[4] = { 0 };
	/* argument 4 is the file offset: it lands in page 2, full of 'C' */
	long got = sys_raw4(SYS_pread64, fd, (long)buf, sizeof buf, 2 * pg + 5);
	cr_assert(
	    got == 4 && buf[0] == 'C' && buf[3] == 'C',
	    "pread(fd, buf, 4, offset in page 2) via sys_raw4 returned %s with '%c', expected "
	    "4 with 'C' (is argument 4 in r10 / x3?)" ASL_HINT(1),
	    asl_test_rc((int)got), buf[0] ? buf[0] : '0');
	close(fd);
}

Test(sys_raw, five_args_mremap_fixed)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *a = mmap(NULL, (size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		       0);
	char *b = mmap(NULL, (size_t)pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert(a != MAP_FAILED && b != MAP_FAILED);
	strcpy(a, "moved");
	/* argument 5 is the destination address, used because of MREMAP_FIXED */
	long got = sys_raw5(SYS_mremap, (long)a, pg, pg, MREMAP_MAYMOVE | MREMAP_FIXED, (long)b);
	cr_assert_eq(got, (long)b,
		     "mremap(a, pg, pg, MAYMOVE|FIXED, b) via sys_raw5 returned "
		     "%#lx, expected b = %p (is argument 5 in r8 / x4?)" ASL_HINT(1),
		     got, (void *)b);
	cr_assert_str_eq(b, "moved", "the page did not arrive at b" ASL_HINT(1));
	munmap(b, (size_t)pg);
}

Test(sys_raw, six_args_mmap_offset)
{
	long pg = sysconf(_SC_PAGESIZE);
	int fd = pages_file(3);
	/* argument 6 is the file offset: map page 1 ('B') */
	long got = sys_raw6(SYS_mmap, 0, pg, PROT_READ, MAP_SHARED, fd, pg);
	cr_assert(got > 0 || got < -4095,
		  "mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, pg) via "
		  "sys_raw6 returned %s" ASL_HINT(1),
		  asl_test_rc((int)got));
	const char *p = (const char *)got;
	cr_assert(p[0] == 'B' && p[pg - 1] == 'B',
		  "the mapping shows page '%c', expected page "
		  "'B' (is argument 6 in r9 / x5?)" ASL_HINT(1),
		  p[0]);
	munmap((void *)p, (size_t)pg);
	close(fd);
}

/* Fourteen values live across one inlined system call: the compiler needs every free
 * register to hold them, rcx and r11 included - unless the asm says `syscall` destroys them. */
#define LIVE14(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13)
#define LOAD(i) long v##i = in[i];
#define MIX(i) sum = sum * 31 + (unsigned long)v##i;

static __attribute__((noinline)) unsigned long pressure0(const volatile long *in, long *sys)
{
	LIVE14(LOAD)
	*sys = inlined_sys_raw0(SYS_getpid);
	unsigned long sum = 0;
	LIVE14(MIX)
	return sum;
}

static __attribute__((noinline)) unsigned long pressure3(const volatile long *in, long *sys)
{
	LIVE14(LOAD)
	*sys = inlined_sys_raw3(SYS_getpid, 1, 2, 3);
	unsigned long sum = 0;
	LIVE14(MIX)
	return sum;
}

static __attribute__((noinline)) unsigned long pressure6(const volatile long *in, long *sys)
{
	LIVE14(LOAD)
	*sys = inlined_sys_raw6(SYS_getpid, 1, 2, 3, 4, 5, 6);
	unsigned long sum = 0;
	LIVE14(MIX)
	return sum;
}

Test(sys_raw, clobbers_keep_the_callers_registers)
{
	static volatile long in[14];
	unsigned long want = 0, got;
	long sys = 0;
	for (int i = 0; i < 14; i++) {
		in[i] = 0x1000 + i * 0x111;
		want = want * 31 + (unsigned long)in[i];
	}
	unsigned long (*const fns[])(const volatile long *, long *) = { pressure0, pressure3,
									pressure6 };
	static const int nargs[] = { 0, 3, 6 };
	for (int f = 0; f < 3; f++) {
		got = fns[f](in, &sys);
		cr_assert(
		    got == want && sys == (long)getpid(),
		    "inlined sys_raw%d(SYS_getpid) with "
		    "14 values live around it: the values came back changed (checksum %#lx, "
		    "expected %#lx; pid %ld): does the asm list what `syscall` destroys (rcx, "
		    "r11)?" ASL_HINT(1),
		    nargs[f], got, want, sys);
	}
}

/* The kernel reads and writes memory the compiler cannot see: a buffer filled in C right
 * before write(2), a buffer read in C right after read(2). */
static __attribute__((noinline)) long write_local(int fd, long word)
{
	long buf = word;
	return inlined_sys_raw3(SYS_write, fd, (long)&buf, sizeof buf);
}

static __attribute__((noinline)) long read_local(int fd, long *got)
{
	long buf = 0;
	long n = inlined_sys_raw3(SYS_read, fd, (long)&buf, sizeof buf);
	*got = buf;
	return n;
}

/* The same for the other arities: the kernel fills a local the compiler saw set just before. */
static __attribute__((noinline)) char uname_local(void)
{
	struct utsname u;
	u.sysname[0] = '?';
	inlined_sys_raw1(SYS_uname, (long)&u);
	return u.sysname[0];
}

static __attribute__((noinline)) long clock_local(void)
{
	struct timespec ts = { 0, 0 };
	inlined_sys_raw2(SYS_clock_gettime, CLOCK_MONOTONIC, (long)&ts);
	return (long)ts.tv_sec | ts.tv_nsec;
}

static __attribute__((noinline)) long pread_local(int fd)
{
	long buf = 0;
	inlined_sys_raw4(SYS_pread64, fd, (long)&buf, sizeof buf, 0);
	return buf;
}

Test(sys_raw, memory_clobber_orders_buffers)
{
	cr_assert_eq(
	    uname_local(), 'L',
	    "inlined: sys_raw1(SYS_uname, &local) and C then saw "
	    "sysname[0] as '%c', expected 'L': without the \"memory\" clobber the compiler "
	    "may keep the old value" ASL_HINT(1),
	    uname_local());
	cr_assert_neq(clock_local(), 0,
		      "inlined: sys_raw2(SYS_clock_gettime, &local) and C then "
		      "saw the local still zero: without the \"memory\" clobber the compiler may "
		      "keep the old value" ASL_HINT(1));
	int fd = memfd_create("lab02-clobber", 0);
	long word4 = 0x3461726f6d656d21L;
	cr_assert(fd >= 0 && write(fd, &word4, sizeof word4) == 8);
	long back4 = pread_local(fd);
	close(fd);
	cr_assert_eq(back4, word4,
		     "inlined: sys_raw4(SYS_pread64, fd, &local, 8, 0) and C then "
		     "saw the local as %#lx, expected %#lx: without the \"memory\" clobber the "
		     "compiler may keep the old value" ASL_HINT(1),
		     back4, word4);

	int p[2];
	long back = 0, word = 0x6d656d6f72792121L; /* "!!yromem" */
	cr_assert_eq(pipe(p), 0);
	long n = write_local(p[1], word);
	cr_assert_eq(n, 8, "inlined sys_raw3(SYS_write, pipe, &local, 8) returned %s" ASL_HINT(1),
		     asl_test_rc((int)n));
	cr_assert_eq(read(p[0], &back, sizeof back), 8);
	cr_assert_eq(back, word,
		     "inlined: a local set to %#lx just before sys_raw3(SYS_write) "
		     "reached the pipe as %#lx: without the \"memory\" clobber the compiler may "
		     "drop or delay the store" ASL_HINT(1),
		     word, back);
	cr_assert_eq(write(p[1], &word, sizeof word), 8);
	n = read_local(p[0], &back);
	cr_assert(n == 8 && back == word,
		  "inlined: sys_raw3(SYS_read, pipe, &local, 8) returned "
		  "%s and C then saw the local as %#lx, expected %#lx: without the \"memory\" "
		  "clobber the compiler may keep the old value" ASL_HINT(1),
		  asl_test_rc((int)n), back, word);
	close(p[0]);
	close(p[1]);
}
