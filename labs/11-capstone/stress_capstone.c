/*
 * stress_capstone - every model, every workload, a few rounds: for ThreadSanitizer (`make
 * tsan`: the pool, the offload model's posts and cap_finish's counters race-free) and valgrind
 * (`make valgrind`: nothing leaks).  Exits 1 on the first wrong result.
 *   stress_capstone [--quick]
 */
#include <stdio.h>
#include <string.h>

#include "asl/util.h"
#include "capstone.h"

int main(int argc, char **argv)
{
	const char *usage = "stress_capstone [--quick]\n  every model, every workload: identical "
			    "checksums, nothing left behind";
	bool quick = argc == 2 && !strcmp(argv[1], "--quick");
	if (!quick)
		asl_no_arguments(argc, argv, usage);
	struct cap_env e;
	int rc = cap_env_open(&e);
	if (rc < 0) {
		fprintf(stderr, "stress_capstone: the injector did not start: %s\n",
			asl_errname(-rc));
		return 1;
	}
	static const enum cap_kind kinds[] = { CAP_IO, CAP_CPU, CAP_MIXED };
	uint64_t sums[3] = { 0 };
	for (int round = 0; round < (quick ? 1 : 5); round++)
		for (int j = 0; j < cap_nmodels; j++)
			for (int k = 0; k < 3; k++) {
				struct cap_opts o = { .kind = kinds[k],
						      .n = quick ? 16 : 64,
						      .delay_ms = 1,
						      .rounds = 200,
						      .threads = 3 };
				struct cap_stats st;
				rc = cap_run(&e, &cap_models[j], &o, NULL, NULL, &st);
				if (rc < 0 || st.wrong) {
					fprintf(stderr, "stress_capstone: %s %s: %s, %d wrong\n",
						cap_models[j].name, cap_kind_name(o.kind),
						asl_errname(-rc), st.wrong);
					cap_env_close(&e);
					return 1;
				}
				if (j == 0 && round == 0)
					sums[k] = st.checksum;
				else if (st.checksum != sums[k]) {
					fprintf(stderr,
						"stress_capstone: %s %s: "
						"checksum differs\n",
						cap_models[j].name, cap_kind_name(o.kind));
					cap_env_close(&e);
					return 1;
				}
			}
	rc = cap_env_close(&e);
	printf("stress_capstone: %d models x 3 workloads, identical checksums (io %#llx, cpu "
	       "%#llx, mixed %#llx)\n",
	       cap_nmodels, (unsigned long long)sums[0], (unsigned long long)sums[1],
	       (unsigned long long)sums[2]);
	return rc < 0;
}
