/*
 * stress_counter - the three correct counters under contention, for `make tsan` and
 * `make valgrind`.  Exits 1 on a wrong count; ThreadSanitizer fails it on any race.
 */
#include "sync.h"

#include "asl/util.h"

#include <stdio.h>
#include <string.h>

static const char *usage = "stress_counter [--quick]\n"
			   "  mutex, atomic and spinlock counters under contention; exact counts";

int main(int argc, char **argv)
{
	bool quick = argc == 2 && !strcmp(argv[1], "--quick");
	if (!quick)
		asl_no_arguments(argc, argv, usage);
	static const struct {
		const char *name;
		counter_add_fn add;
		bool atomic_part;
	} kinds[] = {
		{ "mutex", counter_mutex_add, false },
		{ "atomic", counter_atomic_add, true },
		{ "spinlock", counter_spin_add, false },
	};
	static const int threads[] = { 2, 3, 4 };
	long iters = quick ? 500 : 10000;
	int bad = 0;

	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
			struct counter c;
			int rc = counter_init(&c);
			if (!rc)
				rc = counter_hammer(kinds[k].add, &c, threads[t], iters, NULL);
			long got = counter_read(&c, kinds[k].atomic_part);
			counter_destroy(&c);
			if (rc || got != threads[t] * iters) {
				printf("stress_counter: %s, %d threads x %ld: rc %d, expected %ld, "
				       "got %ld\n",
				       kinds[k].name, threads[t], iters, rc, threads[t] * iters,
				       got);
				bad++;
			}
		}
	}
	printf("stress_counter: %s\n", bad ? "WRONG COUNTS" : "all counts exact");
	return bad ? 1 : 0;
}
