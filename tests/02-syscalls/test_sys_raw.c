/* Step 1: the raw instruction with 0, 1, 2, 3, 4, 5 and 6 arguments, results as -errno. */
#include "asl_test.h"
#include "syscalls.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

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
	cr_assert_eq(got, (long)getpid(), "sys_raw0(SYS_getpid) returned %ld, getpid() says %ld"
		     ASL_HINT(1), got, (long)getpid());
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
	cr_assert_eq(got, 0, "sys_raw2(SYS_clock_gettime, ...) returned %s, expected 0"
		     ASL_HINT(1), asl_test_rc((int)got));
	cr_assert(ts.tv_sec >= 0 && ts.tv_sec <= now.tv_sec && ts.tv_nsec >= 0 &&
		  ts.tv_nsec < 1000000000L,
		  "sys_raw2(SYS_clock_gettime, CLOCK_MONOTONIC, &ts) left ts = {%lld, %ld}, "
		  "not a time at or before {%lld, ...}" ASL_HINT(1), (long long)ts.tv_sec,
		  ts.tv_nsec, (long long)now.tv_sec);
}

Test(sys_raw, three_args_write_read)
{
	int p[2];
	char back[16] = { 0 };
	cr_assert_eq(pipe(p), 0);
	long got = sys_raw3(SYS_write, p[1], (long)"raw bytes", 9);
	cr_assert_eq(got, 9, "sys_raw3(SYS_write, pipe, \"raw bytes\", 9) returned %s, expected 9"
		     ASL_HINT(1), asl_test_rc((int)got));
	got = sys_raw3(SYS_read, p[0], (long)back, sizeof back);
	cr_assert(got == 9 && !memcmp(back, "raw bytes", 9),
		  "sys_raw3(SYS_read, pipe, buf, 16) returned %s with \"%.16s\", expected 9 "
		  "with \"raw bytes\"" ASL_HINT(1), asl_test_rc((int)got), back);
	close(p[0]);
	close(p[1]);
}

Test(sys_raw, errors_are_negative_errno)
{
	int p[2];
	cr_assert_eq(pipe(p), 0);
	long got = sys_raw1(SYS_close, -1);
	cr_assert_eq(got, -EBADF, "sys_raw1(SYS_close, -1) returned %s, expected -9 (EBADF)"
		     ASL_HINT(1), asl_test_rc((int)got));
	got = sys_raw3(SYS_write, p[1], 16, 8); /* address 16: never mapped */
	cr_assert_eq(got, -EFAULT, "write from address 16 returned %s, expected -14 (EFAULT)"
		     ASL_HINT(1), asl_test_rc((int)got));
	/* a number the kernel does not know: the kernel itself answers -ENOSYS */
	got = sys_raw0(100000);
	cr_assert_eq(got, -ENOSYS, "sys_raw0(100000) returned %s, expected -38 (ENOSYS)"
		     ASL_HINT(1), asl_test_rc((int)got));
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
	cr_assert(got == 4 && buf[0] == 'C' && buf[3] == 'C',
		  "pread(fd, buf, 4, offset in page 2) via sys_raw4 returned %s with '%c', expected "
		  "4 with 'C' (is argument 4 in r10 / x3?)" ASL_HINT(1), asl_test_rc((int)got),
		  buf[0] ? buf[0] : '0');
	close(fd);
}

Test(sys_raw, five_args_mremap_fixed)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *a = mmap(NULL, (size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *b = mmap(NULL, (size_t)pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert(a != MAP_FAILED && b != MAP_FAILED);
	strcpy(a, "moved");
	/* argument 5 is the destination address, used because of MREMAP_FIXED */
	long got = sys_raw5(SYS_mremap, (long)a, pg, pg, MREMAP_MAYMOVE | MREMAP_FIXED, (long)b);
	cr_assert_eq(got, (long)b, "mremap(a, pg, pg, MAYMOVE|FIXED, b) via sys_raw5 returned "
		     "%#lx, expected b = %p (is argument 5 in r8 / x4?)" ASL_HINT(1), got,
		     (void *)b);
	cr_assert_str_eq(b, "moved", "the page did not arrive at b" ASL_HINT(1));
	munmap(b, (size_t)pg);
}

Test(sys_raw, six_args_mmap_offset)
{
	long pg = sysconf(_SC_PAGESIZE);
	int fd = pages_file(3);
	/* argument 6 is the file offset: map page 1 ('B') */
	long got = sys_raw6(SYS_mmap, 0, pg, PROT_READ, MAP_SHARED, fd, pg);
	cr_assert(got > 0 || got < -4095, "mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, pg) via "
		  "sys_raw6 returned %s" ASL_HINT(1), asl_test_rc((int)got));
	const char *p = (const char *)got;
	cr_assert(p[0] == 'B' && p[pg - 1] == 'B', "the mapping shows page '%c', expected page "
		  "'B' (is argument 6 in r9 / x5?)" ASL_HINT(1), p[0]);
	munmap((void *)p, (size_t)pg);
	close(fd);
}
