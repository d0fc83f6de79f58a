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
	/* TODO step 3: Count first-touch page faults: the huge page size, from sysfs.
	 * Read the size from /sys/kernel/mm/transparent_hugepage/hpage_pmd_size; 2 MiB if the file
	 * is missing or unreadable.
	 * Checked by: page_faults::huge_pages_never_fault_more
	 */
	LAB_TODO_ABORT(3);
}

/* This thread's minor and major fault counts so far; 0 or -errno. */
__attribute__((unused)) static int page_faults_counters(long *minor, long *major)
{
	/* TODO step 3: Count first-touch page faults: this thread's fault counters.
	 * getrusage(RUSAGE_THREAD), not RUSAGE_SELF: faults taken by other threads must not count.
	 * Checked by: page_faults::count_matches_pages, page_faults::resident_pages_do_not_fault,
	 * page_faults::other_threads_faults_do_not_count
	 */
	LAB_UNUSED(minor, major); return LAB_TODO(3);
}

/* One pass over `pages` pages of page_size bytes from base: one store per page. */
__attribute__((unused)) static void page_faults_touch(char *base, size_t pages, size_t page_size,
						      uint64_t value)
{
	/* TODO step 3: Count first-touch page faults: one store per page.
	 * Store value + i into page i with mem_store: touching one byte or the whole page costs the
	 * same single fault.
	 * Checked by: page_faults::count_matches_pages, page_faults::resident_pages_do_not_fault,
	 * page_faults::partial_page_counts_as_a_page
	 */
	LAB_UNUSED(base, pages, page_size, value); LAB_TODO_ABORT(3);
}

int page_faults_first_touch(size_t bytes, enum page_faults_pages kind,
			    struct page_faults_result *out)
{
	/* TODO step 3: Count the faults of first-touching `bytes` of fresh anonymous memory.
	 * mmap it, madvise NOHUGEPAGE (PAGE_FAULTS_SMALL) or HUGEPAGE on a huge-page-aligned start
	 * (PAGE_FAULTS_HUGE; madvise failing means -ENOTSUP), store once per base page with
	 * mem_store (a plain C store is instrumented under `make asan`, whose shadow memory faults
	 * in pages of its own) between two getrusage(RUSAGE_THREAD) readings, then do the same
	 * again (now resident); time both passes; munmap.  Checked by: page_faults::*
	 */
	LAB_UNUSED(bytes, kind, out); return LAB_TODO(3);
}
