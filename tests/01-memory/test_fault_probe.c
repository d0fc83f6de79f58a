/* Step 2: the fault probe classifies addresses, reports what the kernel said, and leaves the
 * process - and its signal handlers - as they were. */
#include "asl_test.h"
#include "memory.h"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

ASL_SUITE(fault_probe, 10);

static const char *verdict(int rc)
{
	return rc < 0 ? asl_test_rc(rc) : probe_result_name(rc);
}

static char *map_pages(size_t n, int prot)
{
	char *p = mmap(NULL, n * (size_t)getpagesize(), prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert(p != MAP_FAILED, "test setup: mmap failed");
	return p;
}

static void expect(const void *addr, enum probe_access how, int want_rc, int want_code,
		   const char *what)
{
	struct fault_info f = { -1, -1, (void *)1 };
	int rc = fault_probe(addr, how, &f);
	cr_assert_eq(rc, want_rc, "%s of %s (%p): expected %s, got %s" ASL_HINT(2),
		     how == PROBE_READ ? "read" : "write", what, addr, verdict(want_rc), verdict(rc));
	if (want_rc == PROBE_OK) {
		cr_assert_eq(f.signo, 0, "%s: no fault, so fault->signo must be 0, got %d"
			     ASL_HINT(2), what, f.signo);
		return;
	}
	cr_assert_eq(f.signo, SIGSEGV, "%s: expected SIGSEGV, got signal %d" ASL_HINT(2), what,
		     f.signo);
	cr_assert_eq(f.code, want_code, "%s: expected si_code %s, got %s (%d)" ASL_HINT(2), what,
		     fault_code_name(SIGSEGV, want_code), fault_code_name(SIGSEGV, f.code), f.code);
	cr_assert_eq(f.addr, addr, "%s: the kernel reported si_addr %p, expected the probed "
		     "address %p" ASL_HINT(2), what, f.addr, addr);
}

Test(fault_probe, own_variable_is_accessible)
{
	uint64_t word = 0x1122334455667788ull;
	expect(&word, PROBE_READ, PROBE_OK, 0, "a local variable");
	expect(&word, PROBE_WRITE, PROBE_OK, 0, "a local variable");
	cr_assert_eq(word, 0x1122334455667788ull, "a write probe changed the word to %#llx "
		     "(it must write back the value it read)" ASL_HINT(2), (unsigned long long)word);
}

Test(fault_probe, null_is_unmapped)
{
	expect(NULL, PROBE_READ, PROBE_UNMAPPED, SEGV_MAPERR, "NULL");
	expect(NULL, PROBE_WRITE, PROBE_UNMAPPED, SEGV_MAPERR, "NULL");
}

Test(fault_probe, munmapped_region_is_unmapped)
{
	size_t ps = (size_t)getpagesize();
	char *p = map_pages(3, PROT_READ | PROT_WRITE);
	cr_assert_eq(munmap(p + ps, ps), 0, "test setup: munmap failed");
	expect(p, PROBE_WRITE, PROBE_OK, 0, "the page before the hole");
	expect(p + ps, PROBE_READ, PROBE_UNMAPPED, SEGV_MAPERR, "a page after munmap");
	expect(p + 2 * ps - 8, PROBE_WRITE, PROBE_UNMAPPED, SEGV_MAPERR, "a page after munmap");
	munmap(p, 3 * ps);
}

Test(fault_probe, readonly_page_write_is_protected)
{
	char *p = map_pages(1, PROT_READ);
	expect(p + 64, PROBE_READ, PROBE_OK, 0, "a PROT_READ page");
	expect(p + 64, PROBE_WRITE, PROBE_PROTECTED, SEGV_ACCERR, "a PROT_READ page");
	munmap(p, (size_t)getpagesize());
}

Test(fault_probe, prot_none_is_protected)
{
	char *p = map_pages(1, PROT_NONE);
	expect(p, PROBE_READ, PROBE_PROTECTED, SEGV_ACCERR, "a PROT_NONE page");
	expect(p, PROBE_WRITE, PROBE_PROTECTED, SEGV_ACCERR, "a PROT_NONE page");
	munmap(p, (size_t)getpagesize());
}

Test(fault_probe, si_addr_is_the_probed_address)
{
	size_t ps = (size_t)getpagesize();
	char *p = map_pages(2, PROT_NONE);
	/* not the start of a page: the kernel reports the byte, not the page */
	for (size_t off = 8; off < 2 * ps; off += ps / 3 + 8)
		expect(p + off, PROBE_READ, PROBE_PROTECTED, SEGV_ACCERR, "a word inside a PROT_NONE page");
	munmap(p, 2 * ps);
}

Test(fault_probe, file_past_its_end_has_no_backing)
{
	/* A file mapping longer than the (empty) file: the page exists in the mapping but has
	 * no data behind it, and the kernel answers with SIGBUS, not SIGSEGV. */
	struct fault_info f = { 0 };
	int fd = memfd_create("asl-probe", MFD_CLOEXEC);
	cr_assert(fd >= 0, "test setup: memfd_create failed");
	char *p = mmap(NULL, (size_t)getpagesize(), PROT_READ, MAP_SHARED, fd, 0);
	cr_assert(p != MAP_FAILED, "test setup: mmap failed");
	int rc = fault_probe(p, PROBE_READ, &f);
	cr_assert_eq(rc, PROBE_NO_BACKING, "read of a file mapping past the end of the file: "
		     "expected %s, got %s" ASL_HINT(2), verdict(PROBE_NO_BACKING), verdict(rc));
	cr_assert(f.signo == SIGBUS && f.addr == p, "expected SIGBUS at %p, got signal %d at %p"
		  ASL_HINT(2), (void *)p, f.signo, f.addr);
	munmap(p, (size_t)getpagesize());
	close(fd);
}

Test(fault_probe, survives_repeated_faults)
{
	/* The second fault only gets caught if the first catch unblocked SIGSEGV again. */
	uint64_t word = 7;
	for (int i = 0; i < 500; i++) {
		int rc = fault_probe(i % 2 ? (void *)&word : NULL, PROBE_READ, NULL);
		int want = i % 2 ? PROBE_OK : PROBE_UNMAPPED;
		cr_assert_eq(rc, want, "probe %d: expected %s, got %s (is the signal still "
			     "blocked after the first fault? siglongjmp restores the mask)"
			     ASL_HINT(2), i, verdict(want), verdict(rc));
	}
}

static volatile sig_atomic_t my_handler_calls;
static void my_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	(void)uc;
	my_handler_calls++;
}

Test(fault_probe, previous_handlers_are_restored)
{
	struct sigaction mine = { 0 }, now, fpe_before, fpe_now;
	mine.sa_sigaction = my_handler;
	mine.sa_flags = SA_SIGINFO;
	sigemptyset(&mine.sa_mask);
	cr_assert_eq(sigaction(SIGSEGV, &mine, NULL), 0, "test setup: sigaction");
	cr_assert_eq(sigaction(SIGBUS, &mine, NULL), 0, "test setup: sigaction");
	sigaction(SIGFPE, NULL, &fpe_before);

	int rc = fault_probe(NULL, PROBE_READ, NULL);
	cr_assert_eq(rc, PROBE_UNMAPPED, "probe of NULL: expected unmapped, got %s" ASL_HINT(2),
		     verdict(rc));
	cr_assert_eq(my_handler_calls, 0, "the fault went to the previous handler, not the "
		     "probe's" ASL_HINT(2));
	for (int s = 0; s < 2; s++) {
		int sig = s ? SIGBUS : SIGSEGV;
		sigaction(sig, NULL, &now);
		cr_assert(now.sa_sigaction == my_handler && (now.sa_flags & SA_SIGINFO),
			  "after a probe the %s handler is not the one installed before it"
			  ASL_HINT(2), s ? "SIGBUS" : "SIGSEGV");
	}
	sigaction(SIGFPE, NULL, &fpe_now);
	cr_assert(fpe_now.sa_handler == fpe_before.sa_handler, "the SIGFPE disposition changed"
		  ASL_HINT(2));
	raise(SIGSEGV);
	cr_assert_eq(my_handler_calls, 1, "a later SIGSEGV did not reach the restored handler"
		     ASL_HINT(2));
}
