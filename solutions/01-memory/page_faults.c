/*
 * page_faults.c - step 3: fresh memory costs a page fault per page, on first touch.
 *
 * mmap() of anonymous memory only records a promise (a VMA: "these addresses may be used,
 * read-write").  No physical page is allocated and the page table holds nothing.  The first
 * store to each page faults; the kernel finds the VMA, takes a zeroed physical page, writes
 * the page-table entry and restarts the store.  Nothing was read from disk, so it is a
 * *minor* fault (a major one waits for I/O).  The second store to the same page finds the
 * entry and costs no fault.
 *
 * Transparent huge pages (THP) change the count: in a 2 MiB-aligned region the kernel may
 * answer one fault with one 2 MiB page (512 base pages at once), and recent kernels may also
 * use 16-64 KiB "mTHP" folios.  MADV_NOHUGEPAGE turns all of that off for the region, so the
 * PAGE_FAULTS_SMALL count is exactly one fault per base page; PAGE_FAULTS_HUGE asks for the
 * opposite.
 */
#include "memory.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "asl/todo.h"
#include "asl/util.h"

/* The PMD-level huge page size (2 MiB with 4 KiB base pages), from sysfs when available. */
__attribute__((unused)) static size_t page_faults_huge_size(void)
{
	/* BEGIN STEP 3: Count first-touch page faults: the huge page size, from sysfs.
	 * Read the size from /sys/kernel/mm/transparent_hugepage/hpage_pmd_size; 2 MiB if the file
	 * is missing or unreadable.
	 * Checked by: page_faults::huge_pages_never_fault_more
	 * stub: LAB_TODO_ABORT(3);
	 */
	unsigned long v = 0;
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", "r");
	if (f) {
		if (fscanf(f, "%lu", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v ? (size_t)v : (size_t)2 << 20;
	/* END STEP 3 */
}

/* This thread's minor and major fault counts so far; 0 or -errno. */
__attribute__((unused)) static int page_faults_counters(long *minor, long *major)
{
	/* BEGIN STEP 3: Count first-touch page faults: this thread's fault counters.
	 * getrusage(RUSAGE_THREAD), not RUSAGE_SELF: faults taken by other threads must not count.
	 * Checked by: page_faults::count_matches_pages, page_faults::resident_pages_do_not_fault,
	 * page_faults::other_threads_faults_do_not_count
	 * stub: LAB_UNUSED(minor, major); return LAB_TODO(3);
	 */
	struct rusage ru;
	if (getrusage(RUSAGE_THREAD, &ru))
		return -errno;
	*minor = ru.ru_minflt;
	*major = ru.ru_majflt;
	return 0;
	/* END STEP 3 */
}

/* One pass over `pages` pages of page_size bytes from base: one store per page. */
__attribute__((unused)) static void page_faults_touch(char *base, size_t pages, size_t page_size,
						      uint64_t value)
{
	/* BEGIN STEP 3: Count first-touch page faults: one store per page.
	 * Store value + i into page i with mem_store: touching one byte or the whole page costs the
	 * same single fault.
	 * Checked by: page_faults::count_matches_pages, page_faults::resident_pages_do_not_fault,
	 * page_faults::partial_page_counts_as_a_page
	 * stub: LAB_UNUSED(base, pages, page_size, value); LAB_TODO_ABORT(3);
	 */
	for (size_t i = 0; i < pages; i++)
		mem_store((uint64_t *)(void *)(base + i * page_size), value + i);
	/* END STEP 3 */
}

int page_faults_first_touch(size_t bytes, enum page_faults_pages kind,
			    struct page_faults_result *out)
{
	/* BEGIN STEP 3: Count the faults of first-touching `bytes` of fresh anonymous memory.
	 * mmap it, madvise NOHUGEPAGE (PAGE_FAULTS_SMALL) or HUGEPAGE on a huge-page-aligned start
	 * (PAGE_FAULTS_HUGE; madvise failing means -ENOTSUP), store once per base page with
	 * mem_store (a plain C store is instrumented under `make asan`, whose shadow memory faults
	 * in pages of its own) between two getrusage(RUSAGE_THREAD) readings, then do the same
	 * again (now resident); time both passes; munmap.  Checked by: page_faults::*
	 * stub: LAB_UNUSED(bytes, kind, out); return LAB_TODO(3);
	 */
	size_t ps = (size_t)sysconf(_SC_PAGESIZE);
	size_t align = kind == PAGE_FAULTS_HUGE ? page_faults_huge_size() : ps;
	size_t len, map_len;
	long min0 = 0, maj0 = 0, min1 = 0, maj1 = 0, min2 = 0, maj2 = 0;
	uint64_t t0, t1, t2;
	char *map, *base;
	int rc;

	if (!out || bytes == 0 || (kind != PAGE_FAULTS_SMALL && kind != PAGE_FAULTS_HUGE) ||
	    bytes > SIZE_MAX / 2)
		return -EINVAL;
	memset(out, 0, sizeof *out);
	len = (bytes + ps - 1) / ps * ps;
	map_len = len + align - ps; /* room to slide the start up to an `align` boundary */
	map = mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED)
		return -errno;
	base = map + (align - (uintptr_t)map % align) % align;
	if (madvise(base, len, kind == PAGE_FAULTS_HUGE ? MADV_HUGEPAGE : MADV_NOHUGEPAGE)) {
		rc = (kind == PAGE_FAULTS_HUGE && errno == EINVAL) ? -ENOTSUP : -errno;
		goto unmap;
	}
	out->page_size = ps;
	out->pages = len / ps;
	/* Warm the measuring path itself (getrusage, the vDSO clock) so its own first-time
	 * faults are not counted. */
	if ((rc = page_faults_counters(&min0, &maj0)) < 0)
		goto unmap;
	(void)asl_now_ns();
	page_faults_counters(&min0, &maj0);
	t0 = asl_now_ns();
	page_faults_touch(base, out->pages, ps, 1);
	t1 = asl_now_ns();
	page_faults_counters(&min1, &maj1);
	page_faults_touch(base, out->pages, ps, 2);
	t2 = asl_now_ns();
	page_faults_counters(&min2, &maj2);

	out->first_faults = min1 - min0;
	out->major_faults = maj1 - maj0;
	out->first_ns = t1 - t0;
	out->again_faults = min2 - min1;
	out->again_ns = t2 - t1;
	rc = 0;
unmap:
	munmap(map, map_len);
	return rc;
	/* END STEP 3 */
}
