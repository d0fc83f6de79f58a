/*
 * demo_maps.c - an annotated /proc/self/maps: where text, data, bss, heap, stacks, vDSO and
 * our own mmap land in the virtual address space, and what lies in the gaps between them.
 *
 * Each line of /proc/self/maps is one mapping (VMA): a range of virtual addresses the kernel
 * has promised, with permissions.  Everything between two lines is unmapped.  The demo labels
 * each mapping by looking up the address of something it owns, then uses the fault probe
 * (step 2) to ask the hardware about the interesting places: gaps and guard pages.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "asl/util.h"
#include "memory.h"

#define USAGE "demo_maps\n  print this process's memory map, annotated, and probe its gaps"

int initialised_global = 42;            /* .data: the value is stored in the executable */
static char zeroed_global[256 << 10];   /* .bss: only its size is stored; zero pages at run */
const char read_only_text[] = "rodata"; /* .rodata: constants, mapped read-only */

struct vma {
	uintptr_t start, end;
	char perms[5];
	char path[256];
};

static struct vma maps[512];
static int nmaps;

static void maps_read(void)
{
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");
	if (!f)
		asl_die(errno, "/proc/self/maps");
	nmaps = 0;
	while (nmaps < (int)(sizeof maps / sizeof maps[0]) && fgets(line, sizeof line, f)) {
		struct vma *m = &maps[nmaps];
		int off = 0;
		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %4s %*s %*s %*s %n", &m->start, &m->end,
			   m->perms, &off) < 3)
			continue;
		snprintf(m->path, sizeof m->path, "%s", off ? line + off : "");
		m->path[strcspn(m->path, "\n")] = '\0';
		nmaps++;
	}
	fclose(f);
}

static struct vma *maps_find(uintptr_t a)
{
	for (int i = 0; i < nmaps; i++)
		if (a >= maps[i].start && a < maps[i].end)
			return &maps[i];
	return NULL;
}

/* What the demo knows about: an address it owns, and what to call the mapping holding it. */
struct mark {
	uintptr_t addr;
	const char *label;
};

static struct mark marks[16];
static int nmarks;
static uintptr_t thread_stack_lo; /* lowest usable address of the extra thread's stack */
static char exe_path[256];

static void mark(const void *p, const char *label)
{
	marks[nmarks++] = (struct mark){ (uintptr_t)p, label };
}

static const char *label_of(const struct vma *m, const struct vma *next)
{
	for (int i = 0; i < nmarks; i++)
		if (marks[i].addr >= m->start && marks[i].addr < m->end)
			return marks[i].label;
	if (!strcmp(m->path, "[vdso]"))
		return "vDSO: kernel code run in user mode (clock_gettime without a syscall)";
	if (!strncmp(m->path, "[vvar", 5))
		return "vvar: kernel data the vDSO reads (clock values)";
	if (!strcmp(m->path, "[vsyscall]"))
		return "vsyscall: legacy fixed-address page (kernel half)";
	if (!strcmp(m->perms, "---p") && next && next->start == m->end &&
	    thread_stack_lo >= next->start && thread_stack_lo < next->end)
		return "GUARD page of the thread stack (PROT_NONE)";
	if (!strcmp(m->perms, "---p"))
		return "PROT_NONE: reserved, every access faults";
	if (strstr(m->path, "/ld-linux") || strstr(m->path, "/ld-"))
		return "the dynamic loader (ld.so)";
	if (strstr(m->path, ".so"))
		return "shared library";
	if (!m->path[0])
		return "anonymous memory (libc/loader data, or a malloc arena)";
	if (exe_path[0] && !strcmp(m->path, exe_path))
		return "our executable: ELF headers, relocation data";
	return "";
}

static void print_gap(uintptr_t from, uintptr_t to)
{
	static const char *units[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double size = (double)(to - from) / 1024;
	int u = 0;
	while (size >= 1024 && u < 5) {
		size /= 1024;
		u++;
	}
	printf("%37s  ~~ gap: %.4g %s unmapped%s ~~\n", "", size, units[u],
	       from < ((uintptr_t)1 << 47) && to > ((uintptr_t)1 << 47)
		   ? " (user space ends at 0x7fffffffffff; beyond: non-canonical, then kernel)"
		   : "");
}

static void maps_print(void)
{
	printf("%-33s %-4s  %s\n", "address range", "perm", "what it is");
	for (int i = 0; i < nmaps; i++) {
		const struct vma *m = &maps[i], *next = i + 1 < nmaps ? &maps[i + 1] : NULL;
		const char *base = strrchr(m->path, '/');
		printf("%016" PRIxPTR "-%016" PRIxPTR " %s  %-8s %s\n", m->start, m->end, m->perms,
		       base ? base + 1 : m->path, label_of(m, next));
		if (next && next->start > m->end)
			print_gap(m->end, next->start);
	}
}

static void probe(const char *what, uintptr_t a, enum fault_probe_access how)
{
	struct fault_info f;
	int rc = fault_probe((const void *)a, how, &f);
	printf("  %-48s %#14" PRIxPTR " %-5s probe: %s", what, a,
	       how == FAULT_PROBE_READ ? "read" : "write",
	       rc < 0 ? strerror(-rc) : fault_probe_result_name(rc));
	if (rc > 0)
		printf(" (SIG%s %s at %p)", sigabbrev_np(f.signo),
		       fault_probe_code_name(f.signo, f.code), f.addr);
	printf("\n");
	if (rc < 0) {
		printf("The fault probe does not work yet: finish step 2.\n");
		exit(1);
	}
}

static pthread_barrier_t barrier;
static void *thread_heap;

static void *thread_main(void *arg)
{
	pthread_attr_t attr;
	void *lo;
	size_t size;
	(void)arg;
	pthread_getattr_np(pthread_self(), &attr);
	pthread_attr_getstack(&attr, &lo, &size);
	pthread_attr_destroy(&attr);
	thread_stack_lo = (uintptr_t)lo;
	mark(&attr, "STACK of a second thread (mmap'd by pthread_create)");
	/* A thread's first malloc gets its own arena: a 64 MiB reservation, mostly PROT_NONE. */
	thread_heap = malloc(100);
	mark(thread_heap, "HEAP of the second thread (its malloc arena)");
	pthread_barrier_wait(&barrier); /* main reads the map while we are alive */
	pthread_barrier_wait(&barrier);
	return NULL;
}

int main(int argc, char **argv)
{
	int on_stack = 0;
	struct rlimit rl;
	pthread_t t;
	asl_no_options(argc, argv, USAGE);
	if (argc > 1)
		asl_usage_error(USAGE, "no arguments expected");

	size_t ps = (size_t)getpagesize();
	char *heap = malloc(100);
	char *region = mmap(NULL, 16 * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			    0);
	if (!heap || region == MAP_FAILED)
		asl_die(errno, "allocating");
	zeroed_global[0] = 1;
	marks[nmarks++] = (struct mark){ (uintptr_t)main, "TEXT: our machine code (r-x)" };
	mark(read_only_text, "RODATA: constants of our program");
	mark(&initialised_global, "DATA: initialised globals");
	mark(zeroed_global + sizeof zeroed_global - 1, "BSS: zero-initialised globals");
	mark(heap, "HEAP: malloc's small blocks (grown with brk)");
	mark(region, "our mmap(16 pages)");
	mark(&on_stack, "STACK of the main thread (grows down)");

	ssize_t len = readlink("/proc/self/exe", exe_path, sizeof exe_path - 1);
	exe_path[len > 0 ? len : 0] = '\0';
	pthread_barrier_init(&barrier, NULL, 2);
	if (pthread_create(&t, NULL, thread_main, NULL))
		asl_die(0, "pthread_create failed");
	pthread_barrier_wait(&barrier);
	maps_read();
	printf("== /proc/self/maps, annotated (low addresses first)\n");
	maps_print();

	printf("\n== asking the hardware (fault probe, step 2)\n");
	probe("a global variable (data)", (uintptr_t)&initialised_global, FAULT_PROBE_WRITE);
	probe("our own code (text) - write", (uintptr_t)main & ~(uintptr_t)7, FAULT_PROBE_WRITE);
	probe("guard page below the thread stack", thread_stack_lo - ps, FAULT_PROBE_READ);
	uintptr_t brk_end = ((uintptr_t)sbrk(0) + ps - 1) & ~(uintptr_t)(ps - 1);
	if (!maps_find(brk_end))
		probe("just above the heap's end (brk)", brk_end, FAULT_PROBE_READ);
	struct vma *stack = maps_find((uintptr_t)&on_stack);
	if (stack && !getrlimit(RLIMIT_STACK, &rl) && rl.rlim_cur != RLIM_INFINITY) {
		uintptr_t top = stack->end, low = stack->start;
		uintptr_t beyond = top - (uintptr_t)rl.rlim_cur - 16 * ps;
		if (!maps_find(beyond))
			probe("below the stack, past RLIMIT_STACK", beyond, FAULT_PROBE_READ);
		probe("just below the main stack's mapping", low - 8, FAULT_PROBE_READ);
		maps_read();
		stack = maps_find((uintptr_t)&on_stack);
		printf(
		    "  ...the [stack] mapping now starts at %#" PRIxPTR " instead of %#" PRIxPTR
		    ":\n  the kernel GREW the stack on that fault (up to RLIMIT_STACK = %llu KiB)."
		    "\n",
		    stack ? stack->start : 0, low, (unsigned long long)rl.rlim_cur >> 10);
	}
#if defined(__x86_64__)
	probe("the kernel's half (0xffffffff81000000)", (uintptr_t)0xffffffff81000000ull,
	      FAULT_PROBE_READ);
#elif defined(__aarch64__)
	probe("the kernel's half (0xffff800080000000)", (uintptr_t)0xffff800080000000ull,
	      FAULT_PROBE_READ);
#endif
	printf("\nunmapped = no mapping there (SEGV_MAPERR); protected = mapped without that "
	       "permission (SEGV_ACCERR).\n");
	pthread_barrier_wait(&barrier);
	pthread_join(t, NULL);
	free(thread_heap);
	pthread_barrier_destroy(&barrier);
	munmap(region, 16 * ps);
	free(heap);
	return 0;
}
