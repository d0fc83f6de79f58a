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
 * PF_SMALL count is exactly one fault per base page; PF_HUGE asks for the opposite.
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

/* TODO step 3: Count first-touch page faults - helpers: huge page size, this thread's
 * fault counters, one pass of stores over the region.
 */

int pf_first_touch(size_t bytes, enum pf_pages kind, struct pf_result *out)
{
	/* TODO step 3: Count the faults of first-touching `bytes` of fresh anonymous memory.
	 * mmap it, madvise NOHUGEPAGE (PF_SMALL) or HUGEPAGE on a huge-page-aligned start
	 * (PF_HUGE; madvise failing means -ENOTSUP), store once per base page between two
	 * getrusage(RUSAGE_THREAD) readings, then do the same again (now resident); time both
	 * passes; munmap.  Checked by: page_faults::*
	 */
	(void)bytes; (void)kind; (void)out; return LAB_TODO(3);
}
