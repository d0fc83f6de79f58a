/* Step 3: one minor fault per page on first touch, none on the second. */
#include "asl_test.h"
#include "memory.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <unistd.h>

ASL_SUITE(page_faults, 20);

static void first_touch(size_t bytes, enum page_faults_pages kind, struct page_faults_result *r)
{
	int rc = page_faults_first_touch(bytes, kind, r);
	if (rc == -ENOTSUP && kind == PAGE_FAULTS_HUGE)
		cr_skip_test("this kernel has no transparent huge pages (madvise: ENOTSUP)");
	cr_assert_eq(rc, 0, "page_faults_first_touch(%zu bytes): expected 0, got %s" ASL_HINT(3),
		     bytes, asl_test_rc(rc));
}

Test(page_faults, count_matches_pages)
{
	size_t ps = (size_t)getpagesize();
	static const size_t sizes[] = { 1u << 20, 8u << 20, 32u << 20 };
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		struct page_faults_result r;
		first_touch(sizes[i], PAGE_FAULTS_SMALL, &r);
		cr_assert_eq(r.pages, sizes[i] / ps,
			     "%zu bytes are %zu pages of %zu, reported %zu" ASL_HINT(3), sizes[i],
			     sizes[i] / ps, ps, r.pages);
		cr_assert(r.first_faults >= (long)(r.pages * 9 / 10) &&
			      r.first_faults <= (long)(r.pages * 11 / 10),
			  "first touch of %zu pages: expected %zu minor faults (+-10%%), got %ld "
			  "(MADV_NOHUGEPAGE? one store per page? RUSAGE_THREAD?)" ASL_HINT(3),
			  r.pages, r.pages, r.first_faults);
		cr_assert_eq(r.major_faults, 0,
			     "fresh anonymous memory needs no disk: got %ld "
			     "major faults" ASL_HINT(3),
			     r.major_faults);
	}
}

Test(page_faults, resident_pages_do_not_fault)
{
	struct page_faults_result r;
	first_touch(8u << 20, PAGE_FAULTS_SMALL, &r);
	cr_assert(r.again_faults <= (long)r.pages / 100 + 2,
		  "second pass over %zu resident "
		  "pages: expected ~0 faults, got %ld" ASL_HINT(3),
		  r.pages, r.again_faults);
	cr_assert(r.first_ns > 0 && r.again_ns > 0,
		  "both passes must be timed (got %llu and "
		  "%llu ns)" ASL_HINT(3),
		  (unsigned long long)r.first_ns, (unsigned long long)r.again_ns);
}

Test(page_faults, partial_page_counts_as_a_page)
{
	size_t ps = (size_t)getpagesize();
	struct page_faults_result r;
	first_touch(3 * ps + 1, PAGE_FAULTS_SMALL, &r);
	cr_assert(r.pages == 4 && r.page_size == ps,
		  "3 pages + 1 byte: expected 4 pages of %zu, "
		  "got %zu of %zu" ASL_HINT(3),
		  ps, r.pages, r.page_size);
	cr_assert(r.first_faults >= 4 && r.first_faults <= 6,
		  "4 fresh pages: expected 4 faults, "
		  "got %ld" ASL_HINT(3),
		  r.first_faults);
}

Test(page_faults, bad_arguments_are_einval)
{
	struct page_faults_result r;
	int rc = page_faults_first_touch(0, PAGE_FAULTS_SMALL, &r);
	cr_assert_eq(rc, -EINVAL, "0 bytes: expected -22 (EINVAL), got %s" ASL_HINT(3),
		     asl_test_rc(rc));
	rc = page_faults_first_touch(4096, (enum page_faults_pages)7, &r);
	cr_assert_eq(rc, -EINVAL, "unknown page kind: expected -22 (EINVAL), got %s" ASL_HINT(3),
		     asl_test_rc(rc));
}

Test(page_faults, huge_pages_never_fault_more)
{
	/* Whether the kernel grants 2 MiB pages depends on its settings and on free memory, so
	 * only bounds are asserted: between one fault per huge page and one per base page. */
	size_t ps = (size_t)getpagesize();
	struct page_faults_result r;
	first_touch(16u << 20, PAGE_FAULTS_HUGE, &r);
	cr_assert_eq(r.pages, (16u << 20) / ps,
		     "16 MiB are %zu base pages, reported %zu" ASL_HINT(3), (16u << 20) / ps,
		     r.pages);
	cr_assert(
	    r.first_faults >= 1 && r.first_faults <= (long)(r.pages * 11 / 10),
	    "first touch of 16 MiB with MADV_HUGEPAGE: expected 8..%zu faults, got %ld" ASL_HINT(3),
	    r.pages, r.first_faults);
	cr_log_info("MADV_HUGEPAGE: %ld faults for %zu base pages (%s)", r.first_faults, r.pages,
		    r.first_faults < (long)r.pages / 8 ? "huge pages granted" : "not granted");
}

/* Another thread taking page faults all the time: they are the process's faults, not this
 * thread's, and must not show in page_faults_first_touch's count (RUSAGE_THREAD, not
 * RUSAGE_SELF). */
struct churn {
	atomic_int rounds; /* regions the churning thread has faulted in so far */
	atomic_int stop;
};

static void *churn_faults(void *arg)
{
	struct churn *c = arg;
	size_t ps = (size_t)getpagesize(), len = 256 * ps;
	while (!atomic_load(&c->stop)) {
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			       0);
		if (p == MAP_FAILED)
			break;
		madvise(p, len, MADV_NOHUGEPAGE);
		for (size_t off = 0; off < len; off += ps)
			((volatile char *)p)[off] = 1;
		munmap(p, len);
		atomic_fetch_add(&c->rounds, 1);
	}
	return NULL;
}

Test(page_faults, other_threads_faults_do_not_count)
{
	struct churn c = { 0 };
	struct page_faults_result r = { 0 };
	pthread_t t;
	int rc = 0, during = 0;
	cr_assert_eq(pthread_create(&t, NULL, churn_faults, &c), 0, "test setup: thread");
	for (int i = 0; i < 3 && rc == 0; i++) {
		/* the churning thread is running: it finished a region since the last round */
		int seen = atomic_load(&c.rounds);
		while (atomic_load(&c.rounds) < seen + 1)
			sched_yield();
		rc = page_faults_first_touch(32u << 20, PAGE_FAULTS_SMALL, &r);
		during = atomic_load(&c.rounds) - seen - 1;
		if (rc == 0 && (r.first_faults < (long)(r.pages * 9 / 10) ||
				r.first_faults > (long)(r.pages * 11 / 10)))
			break;
	}
	atomic_store(&c.stop, 1);
	pthread_join(t, NULL);
	cr_assert_eq(rc, 0, "page_faults_first_touch(32 MiB): expected 0, got %s" ASL_HINT(3),
		     asl_test_rc(rc));
	cr_assert(r.first_faults >= (long)(r.pages * 9 / 10) &&
		      r.first_faults <= (long)(r.pages * 11 / 10),
		  "first touch of %zu pages while another thread took about %d x 256 faults: "
		  "expected %zu minor faults (+-10%%), got %ld (count this thread's faults only: "
		  "RUSAGE_THREAD)" ASL_HINT(3),
		  r.pages, during, r.pages, r.first_faults);
}
