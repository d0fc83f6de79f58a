/*
 * demo_vdso.c - the kernel's code inside your process, and why clock_gettime is cheap.
 *
 * usage: demo_vdso
 *
 * At exec the kernel maps a tiny shared library, the vDSO ("virtual dynamic shared object"),
 * into every process and passes its address in the auxiliary vector (AT_SYSINFO_EHDR).  It
 * holds user-space versions of a few read-only system calls - clock_gettime, gettimeofday,
 * time, getcpu - that read a page of data the kernel keeps up to date (the current time base,
 * the clock's scaling factors) instead of entering the kernel.  glibc looks the functions up at
 * start-up and calls them; syscall(SYS_clock_gettime) bypasses them and pays for the trip.
 *
 * The demo (1) finds the vDSO, (2) lists the symbols it exports by walking its ELF dynamic
 * symbol table, the way a dynamic linker would, and (3) times both paths.
 */
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "asl/bench.h"
#include "asl/util.h"

static const char usage[] = "demo_vdso";

/* The parts of the vDSO's ELF image needed to list its symbols. */
struct vdso_syms {
	const Elf64_Sym *sym;
	const char *str;
	uint32_t count;
};

/* Number of symbols in the dynamic symbol table.  ELF does not store it in the dynamic
 * section; it is recovered from a hash table: DT_HASH states it (nchain), DT_GNU_HASH only
 * implies it (one past the last symbol reachable from any bucket). */
static uint32_t vdso_count(const uint32_t *hash, const uint32_t *gnu)
{
	if (hash)
		return hash[1];
	if (!gnu)
		return 0;
	uint32_t nbuckets = gnu[0], symoffset = gnu[1], bloom_size = gnu[2];
	const uint32_t *buckets = gnu + 4 + bloom_size * (sizeof(Elf64_Addr) / 4);
	const uint32_t *chain = buckets + nbuckets;
	uint32_t last = 0;
	for (uint32_t i = 0; i < nbuckets; i++)
		if (buckets[i] > last)
			last = buckets[i];
	if (last < symoffset)
		return symoffset;
	while (!(chain[last - symoffset] & 1)) /* the low bit ends a chain */
		last++;
	return last + 1;
}

static int vdso_find(const Elf64_Ehdr *eh, struct vdso_syms *out)
{
	const char *base = (const char *)eh;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(base + eh->e_phoff);
	const Elf64_Dyn *dyn = NULL;
	intptr_t bias = 0; /* where the image sits minus where it was linked to sit */
	const uint32_t *hash = NULL, *gnu = NULL;

	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64)
		return -ENOEXEC;
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD)
			bias = (intptr_t)base + (intptr_t)ph[i].p_offset - (intptr_t)ph[i].p_vaddr;
		else if (ph[i].p_type == PT_DYNAMIC)
			dyn = (const Elf64_Dyn *)(base + ph[i].p_offset);
	}
	if (!dyn)
		return -ENOEXEC;
	memset(out, 0, sizeof *out);
	for (; dyn->d_tag != DT_NULL; dyn++) {
		const void *p = (const void *)(bias + (intptr_t)dyn->d_un.d_ptr);
		switch (dyn->d_tag) {
		case DT_SYMTAB: out->sym = p; break;
		case DT_STRTAB: out->str = p; break;
		case DT_HASH: hash = p; break;
		case DT_GNU_HASH: gnu = p; break;
		}
	}
	out->count = vdso_count(hash, gnu);
	return out->sym && out->str && out->count ? 0 : -ENOEXEC;
}

/* ns per call of clock_gettime through the two paths. */
static double ns_per_call(bool via_syscall, clockid_t clk, int n)
{
	struct timespec ts;
	uint64_t t0 = asl_now_ns();
	for (int i = 0; i < n; i++) {
		if (via_syscall)
			syscall(SYS_clock_gettime, clk, &ts);
		else
			clock_gettime(clk, &ts);
		bench_keep(ts.tv_nsec);
	}
	return (double)(asl_now_ns() - t0) / n;
}

enum { ROUNDS = 5 };

static double min_of(double a, double b)
{
	return a < b ? a : b;
}

static double load_now(void)
{
	double load = 0;
	return getloadavg(&load, 1) == 1 ? load : 0;
}

static void show_clocksource(void)
{
	char cs[64] = "?";
	FILE *f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "r");
	if (f) {
		if (fgets(cs, sizeof cs, f))
			cs[strcspn(cs, "\n")] = '\0';
		fclose(f);
	}
	printf("clock source: %s  (the vDSO can read tsc, kvm-clock and arch_sys_counter in user\n"
	       "space; with others, e.g. hpet or acpi_pm, it falls back to the system call)\n\n",
	       cs);
}

int main(int argc, char **argv)
{
	struct vdso_syms v;
	asl_no_options(argc, argv, usage);
	if (argc > 1)
		asl_usage_error(usage, "no arguments expected");

	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)getauxval(AT_SYSINFO_EHDR);
	if (!eh) {
		printf("this process has no vDSO (AT_SYSINFO_EHDR is 0): every clock read is a "
		       "system call here\n");
		return 0;
	}
	printf("vDSO mapped at %p (from getauxval(AT_SYSINFO_EHDR); see also [vdso] in "
	       "/proc/self/maps)\n",
	       (const void *)eh);
	int rc = vdso_find(eh, &v);
	if (rc)
		asl_die(-rc, "cannot parse the vDSO's ELF image");

	printf("\nsymbols it exports (%" PRIu32 " entries in .dynsym):\n", v.count);
	for (uint32_t i = 1; i < v.count; i++) { /* entry 0 is always the null symbol */
		const Elf64_Sym *s = &v.sym[i];
		int type = ELF64_ST_TYPE(s->st_info);
		/* skip undefined and absolute entries (LINUX_2.6 there is a version name) */
		if (s->st_shndx == SHN_UNDEF || s->st_shndx == SHN_ABS)
			continue;
		printf("  %-28s %-6s at vDSO + %#" PRIx64 "\n", v.str + s->st_name,
		       type == STT_FUNC     ? "func"
		       : type == STT_OBJECT ? "object"
					    : "other",
		       (uint64_t)s->st_value);
	}

	printf("\n");
	show_clocksource();
	printf("ns per call (the best of %d loops of 200000 calls each):\n", ROUNDS);
	const int n = 200000;
	ns_per_call(false, CLOCK_MONOTONIC, n / 10); /* warm-up: page in the code, settle clocks */
	/* The best of a few loops: a loop in which this process lost the CPU to another one
	 * measures the other program, not the call (a busy machine inflates every loop it
	 * interrupts, never shrinks one). */
	double vdso = 1e300, sys = 1e300, cpu = 1e300;
	for (int r = 0; r < ROUNDS; r++) {
		vdso = min_of(vdso, ns_per_call(false, CLOCK_MONOTONIC, n));
		sys = min_of(sys, ns_per_call(true, CLOCK_MONOTONIC, n));
		cpu = min_of(cpu, ns_per_call(false, CLOCK_PROCESS_CPUTIME_ID, n));
	}
	printf(
	    "  clock_gettime(CLOCK_MONOTONIC)            %7.1f ns   libc -> vDSO, no kernel entry\n",
	    vdso);
	printf(
	    "  syscall(SYS_clock_gettime, MONOTONIC)     %7.1f ns   the same answer via the kernel\n",
	    sys);
	printf(
	    "  clock_gettime(CLOCK_PROCESS_CPUTIME_ID)   %7.1f ns   a clock the vDSO cannot serve:\n"
	    "%46s the vDSO makes the system call itself\n",
	    cpu, "");
	printf("\nthe vDSO path is %.0fx cheaper here.  Count the real system calls with\n"
	       "  strace -c -e trace=clock_gettime %s\n"
	       "it finds %d: the syscall() loops and the CPU-time loops; the %d calls through\n"
	       "the vDSO made none.\n",
	       sys / vdso, argv[0], 2 * ROUNDS * n, ROUNDS * n + n / 10);
	if (sys < 3 * vdso)
		printf(
		    "\nThe gap is smaller than it should be (usually 10x or more).  Either the clock\n"
		    "source above cannot be read from user space (then the vDSO makes the system\n"
		    "call itself), or the machine was too busy for clean timings (load %.2f on %ld\n"
		    "CPUs): rerun on an idle machine.\n",
		    load_now(), sysconf(_SC_NPROCESSORS_ONLN));
	return 0;
}
