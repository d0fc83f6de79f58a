/*
 * bench_memory.c - what a page fault costs: ns per access to fresh memory (every access is a
 * first touch, so a minor page fault) vs the same accesses once the pages are resident, for
 * base pages (MADV_NOHUGEPAGE) and transparent huge pages (MADV_HUGEPAGE), across sizes.
 *
 * One access = one 8-byte store into a distinct 4 KiB page (page_faults_first_touch, step 3).  The
 * "resident" pass touches the same pages again: no fault, but still one TLB entry per page
 * for base pages, which is why it grows with the size.
 *
 * Datasets: first-touch (ns per access) and faults (minor faults per MiB touched, which
 * shows whether the kernel really granted huge pages).  Figure: plots/01-memory-first-touch.gp
 */
#include <errno.h>
#include <stdlib.h>

#include "asl/bench.h"
#include "asl/util.h"
#include "memory.h"

struct kind {
	enum page_faults_pages kind;
	const char *name; /* series suffix */
};

/* One sample: enough calls to touch at least 1 MiB, so the tiny sizes are not just timer
 * noise.  Returns 0 or -errno; ns values are per base page touched. */
static int sample(size_t bytes, enum page_faults_pages kind, double *first_ns, double *again_ns,
		  double *faults_per_mib)
{
	size_t reps = bytes >= (1u << 20) ? 1 : (1u << 20) / bytes;
	double first = 0, again = 0, faults = 0, pages = 0;
	for (size_t r = 0; r < reps; r++) {
		struct page_faults_result res;
		int rc = page_faults_first_touch(bytes, kind, &res);
		if (rc < 0)
			return rc;
		first += (double)res.first_ns;
		again += (double)res.again_ns;
		faults += (double)res.first_faults;
		pages += (double)res.pages;
	}
	*first_ns = first / pages;
	*again_ns = again / pages;
	*faults_per_mib = faults / ((double)reps * (double)bytes / (1 << 20));
	return 0;
}

int main(int argc, char **argv)
{
	static const size_t full_sizes[] = { 64u << 10, 256u << 10, 1u << 20,  4u << 20,
					     16u << 20, 64u << 20,  256u << 20 };
	static const size_t quick_sizes[] = { 64u << 10, 1u << 20 };
	static const struct kind kinds[] = { { PAGE_FAULTS_SMALL, "4K" },
					     { PAGE_FAULTS_HUGE, "THP" } };
	static const char *what[3] = { "first-touch", "resident", "faults" };
	struct bench b;
	bench_init(&b, argc, argv, "01-memory",
		   "ns per access: first touch (page fault) vs resident, 4 KiB pages vs THP");
	const size_t *sizes = b.quick ? quick_sizes : full_sizes;
	size_t nsizes = b.quick ? 2 : sizeof full_sizes / sizeof full_sizes[0];
	size_t n = (size_t)b.samples;
	/* v[k][w][s*n + i]: kind k, quantity w (what[]), size s, sample i.  All samples are
	 * taken first and recorded afterwards, so that each series is one contiguous block of
	 * rows (gnuplot draws a line only through consecutive rows). */
	double *v[2][3];
	bool have[2] = { false, false };
	for (int k = 0; k < 2; k++)
		for (int w = 0; w < 3; w++)
			if (!(v[k][w] = calloc(nsizes * n, sizeof(double))))
				asl_die(ENOMEM, "allocating samples");

	printf("# measuring (each size: %zu samples of at least 1 MiB touched)...\n", n);
	for (int k = 0; k < 2; k++) {
		for (size_t s = 0; s < nsizes; s++) {
			double warm[3];
			int rc = sample(sizes[s], kinds[k].kind, &warm[0], &warm[1], &warm[2]);
			for (size_t i = 0; i < n && rc == 0; i++)
				rc = sample(sizes[s], kinds[k].kind, &v[k][0][s * n + i],
					    &v[k][1][s * n + i], &v[k][2][s * n + i]);
			if (rc == -ENOTSUP) {
				printf("# %s: transparent huge pages are not available on this "
				       "kernel (madvise MADV_HUGEPAGE refused); series skipped\n",
				       kinds[k].name);
				break;
			}
			if (rc < 0)
				asl_die(-rc, "page_faults_first_touch(%zu bytes)", sizes[s]);
			have[k] = true;
		}
	}
	bench_open(
	    &b, "first-touch", "bytes", "ns/access",
	    "one 8-byte store per 4 KiB page of fresh mmap memory; resident = same pages again");
	for (int w = 0; w < 2; w++)
		for (int k = 0; k < 2; k++)
			for (size_t s = 0; have[k] && s < nsizes; s++) {
				char series[64];
				snprintf(series, sizeof series, "%s-%s", what[w], kinds[k].name);
				bench_record(&b, series, (double)sizes[s], &v[k][w][s * n], (int)n,
					     1, NULL);
			}
	bench_open(
	    &b, "faults", "bytes", "faults/MiB",
	    "minor faults per MiB on first touch: 256 = one per 4 KiB page, 0.5 = one per 2 MiB");
	for (int k = 0; k < 2; k++)
		for (size_t s = 0; have[k] && s < nsizes; s++) {
			char series[64];
			snprintf(series, sizeof series, "faults-%s", kinds[k].name);
			bench_record(&b, series, (double)sizes[s], &v[k][2][s * n], (int)n, 1,
				     NULL);
		}
	bench_close(&b);
	for (int k = 0; k < 2; k++)
		for (int w = 0; w < 3; w++)
			free(v[k][w]);
	return 0;
}
