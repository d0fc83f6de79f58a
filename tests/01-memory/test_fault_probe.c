/* Step 2: the fault probe classifies addresses, reports what the kernel said, and leaves the
 * process - and its signal handlers - as they were. */
#include "asl_test.h"
#include "memory.h"

#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <unistd.h>

ASL_SUITE(fault_probe, 10);

static const char *verdict(int rc)
{
	return rc < 0 ? asl_test_rc(rc) : fault_probe_result_name(rc);
}

static char *map_pages(size_t n, int prot)
{
	char *p = mmap(NULL, n * (size_t)getpagesize(), prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert(p != MAP_FAILED, "test setup: mmap failed");
	return p;
}

static void expect(const void *addr, enum fault_probe_access how, int want_rc, int want_code,
		   const char *what)
{
	struct fault_info f = { -1, -1, (void *)1 };
	int rc = fault_probe(addr, how, &f);
	cr_assert_eq(rc, want_rc, "%s of %s (%p): expected %s, got %s" ASL_HINT(2),
		     how == FAULT_PROBE_READ ? "read" : "write", what, addr, verdict(want_rc),
		     verdict(rc));
	if (want_rc == FAULT_PROBE_OK) {
		cr_assert_eq(f.signo, 0,
			     "%s: no fault, so fault->signo must be 0, got %d" ASL_HINT(2), what,
			     f.signo);
		return;
	}
	cr_assert_eq(f.signo, SIGSEGV, "%s: expected SIGSEGV, got signal %d" ASL_HINT(2), what,
		     f.signo);
	cr_assert_eq(f.code, want_code, "%s: expected si_code %s, got %s (%d)" ASL_HINT(2), what,
		     fault_probe_code_name(SIGSEGV, want_code),
		     fault_probe_code_name(SIGSEGV, f.code), f.code);
	cr_assert_eq(f.addr, addr,
		     "%s: the kernel reported si_addr %p, expected the probed "
		     "address %p" ASL_HINT(2),
		     what, f.addr, addr);
}

Test(fault_probe, own_variable_is_accessible)
{
	uint64_t word = 0x1122334455667788ull;
	expect(&word, FAULT_PROBE_READ, FAULT_PROBE_OK, 0, "a local variable");
	expect(&word, FAULT_PROBE_WRITE, FAULT_PROBE_OK, 0, "a local variable");
	cr_assert_eq(word, 0x1122334455667788ull,
		     "a write probe changed the word to %#llx "
		     "(it must write back the value it read)" ASL_HINT(2),
		     (unsigned long long)word);
}

Test(fault_probe, null_is_unmapped)
{
	expect(NULL, FAULT_PROBE_READ, FAULT_PROBE_UNMAPPED, SEGV_MAPERR, "NULL");
	expect(NULL, FAULT_PROBE_WRITE, FAULT_PROBE_UNMAPPED, SEGV_MAPERR, "NULL");
}

Test(fault_probe, munmapped_region_is_unmapped)
{
	size_t ps = (size_t)getpagesize();
	char *p = map_pages(3, PROT_READ | PROT_WRITE);
	cr_assert_eq(munmap(p + ps, ps), 0, "test setup: munmap failed");
	expect(p, FAULT_PROBE_WRITE, FAULT_PROBE_OK, 0, "the page before the hole");
	expect(p + ps, FAULT_PROBE_READ, FAULT_PROBE_UNMAPPED, SEGV_MAPERR, "a page after munmap");
	expect(p + 2 * ps - 8, FAULT_PROBE_WRITE, FAULT_PROBE_UNMAPPED, SEGV_MAPERR,
	       "a page after munmap");
	munmap(p, 3 * ps);
}

Test(fault_probe, readonly_page_write_is_protected)
{
	char *p = map_pages(1, PROT_READ);
	expect(p + 64, FAULT_PROBE_READ, FAULT_PROBE_OK, 0, "a PROT_READ page");
	expect(p + 64, FAULT_PROBE_WRITE, FAULT_PROBE_PROTECTED, SEGV_ACCERR, "a PROT_READ page");
	munmap(p, (size_t)getpagesize());
}

Test(fault_probe, prot_none_is_protected)
{
	char *p = map_pages(1, PROT_NONE);
	expect(p, FAULT_PROBE_READ, FAULT_PROBE_PROTECTED, SEGV_ACCERR, "a PROT_NONE page");
	expect(p, FAULT_PROBE_WRITE, FAULT_PROBE_PROTECTED, SEGV_ACCERR, "a PROT_NONE page");
	munmap(p, (size_t)getpagesize());
}

Test(fault_probe, si_addr_is_the_probed_address)
{
	size_t ps = (size_t)getpagesize();
	char *p = map_pages(2, PROT_NONE);
	/* not the start of a page: the kernel reports the byte, not the page */
	for (size_t off = 8; off < 2 * ps; off += ps / 3 + 8)
		expect(p + off, FAULT_PROBE_READ, FAULT_PROBE_PROTECTED, SEGV_ACCERR,
		       "a word inside a PROT_NONE page");
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
	int rc = fault_probe(p, FAULT_PROBE_READ, &f);
	cr_assert_eq(rc, FAULT_PROBE_NO_BACKING,
		     "read of a file mapping past the end of the file: "
		     "expected %s, got %s" ASL_HINT(2),
		     verdict(FAULT_PROBE_NO_BACKING), verdict(rc));
	cr_assert(f.signo == SIGBUS && f.addr == p,
		  "expected SIGBUS at %p, got signal %d at %p" ASL_HINT(2), (void *)p, f.signo,
		  f.addr);
	munmap(p, (size_t)getpagesize());
	close(fd);
}

Test(fault_probe, survives_repeated_faults)
{
	/* The second fault only gets caught if the first catch unblocked SIGSEGV again. */
	uint64_t word = 7;
	for (int i = 0; i < 500; i++) {
		int rc = fault_probe(i % 2 ? (void *)&word : NULL, FAULT_PROBE_READ, NULL);
		int want = i % 2 ? FAULT_PROBE_OK : FAULT_PROBE_UNMAPPED;
		cr_assert_eq(
		    rc, want,
		    "probe %d: expected %s, got %s (is the signal still "
		    "blocked after the first fault? siglongjmp restores the mask)" ASL_HINT(2),
		    i, verdict(want), verdict(rc));
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

	int rc = fault_probe(NULL, FAULT_PROBE_READ, NULL);
	cr_assert_eq(rc, FAULT_PROBE_UNMAPPED,
		     "probe of NULL: expected unmapped, got %s" ASL_HINT(2), verdict(rc));
	cr_assert_eq(my_handler_calls, 0,
		     "the fault went to the previous handler, not the "
		     "probe's" ASL_HINT(2));
	for (int s = 0; s < 2; s++) {
		int sig = s ? SIGBUS : SIGSEGV;
		sigaction(sig, NULL, &now);
		cr_assert(
		    now.sa_sigaction == my_handler && (now.sa_flags & SA_SIGINFO),
		    "after a probe the %s handler is not the one installed before it" ASL_HINT(2),
		    s ? "SIGBUS" : "SIGSEGV");
	}
	sigaction(SIGFPE, NULL, &fpe_now);
	cr_assert(fpe_now.sa_handler == fpe_before.sa_handler,
		  "the SIGFPE disposition changed" ASL_HINT(2));
	raise(SIGSEGV);
	cr_assert_eq(my_handler_calls, 1,
		     "a later SIGSEGV did not reach the restored handler" ASL_HINT(2));
}

/* On x86-64 an address whose bits 63..47 are not all equal is non-canonical: the CPU raises a
 * general-protection fault before any page-table walk, the kernel reports SIGSEGV with
 * si_code SI_KERNEL and no address.  Nothing can be mapped there: the probe says unmapped. */
Test(fault_probe, noncanonical_is_unmapped)
{
	struct fault_info f = { -1, -1, (void *)1 };
#if defined(__x86_64__)
	const void *addr = (const void *)(uintptr_t)0x8000000000000000ull;
	int rc = fault_probe(addr, FAULT_PROBE_READ, &f);
	cr_assert(f.signo == SIGSEGV && f.code == SI_KERNEL,
		  "read of the non-canonical address "
		  "%p: expected SIGSEGV with si_code SI_KERNEL, "
		  "got signal %d with si_code %s (%d)" ASL_HINT(2),
		  addr, f.signo, fault_probe_code_name(f.signo, f.code), f.code);
	cr_assert_eq(rc, FAULT_PROBE_UNMAPPED,
		     "read of the non-canonical address %p (SI_KERNEL): "
		     "expected %s, got %s - nothing can be mapped there" ASL_HINT(2),
		     addr, verdict(FAULT_PROBE_UNMAPPED), verdict(rc));
#else
	/* aarch64: the MMU itself rejects an address above the 48-bit user range: MAPERR */
	const void *addr = (const void *)(uintptr_t)0x0001000000000000ull;
	int rc = fault_probe(addr, FAULT_PROBE_READ, &f);
	cr_assert_eq(rc, FAULT_PROBE_UNMAPPED, "read of %p: expected %s, got %s" ASL_HINT(2), addr,
		     verdict(FAULT_PROBE_UNMAPPED), verdict(rc));
#endif
}

/* fault_catch() itself, as memory.h describes it. */
static void catch_nothing(void *arg)
{
	(*(int *)arg)++;
}

struct nested {
	int rc;
	struct fault_info f;
};

static void catch_nested(void *arg)
{
	struct nested *n = arg;
	n->rc = fault_catch(catch_nothing, &(int){ 0 }, &n->f);
}

static void catch_null_read(void *arg)
{
	(*(int *)arg)++;
	(void)mem_load(NULL);
	(*(int *)arg)++; /* never reached */
}

Test(fault_probe, fault_catch_contract)
{
	struct sigaction before, after;
	struct fault_info f = { -1, -1, (void *)1 };
	int ran = 0;
	sigaction(SIGSEGV, NULL, &before);

	int rc = fault_catch(catch_nothing, &ran, &f);
	cr_assert(rc == 0 && ran == 1,
		  "fault_catch(fn that does not fault): expected 0 with fn "
		  "run once, got %s with fn run %d times" ASL_HINT(2),
		  asl_test_rc(rc), ran);
	cr_assert(f.signo == 0 && f.code == 0 && f.addr == NULL,
		  "fault_catch returned 0 but "
		  "left *out = {%d, %d, %p}: with no fault it must be zeroed" ASL_HINT(2),
		  f.signo, f.code, f.addr);

	ran = 0;
	rc = fault_catch(catch_null_read, &ran, &f);
	cr_assert(rc == 1 && ran == 1 && f.signo == SIGSEGV && f.addr == NULL,
		  "fault_catch(fn "
		  "reading NULL): expected 1, fn cut off at the fault, SIGSEGV at NULL; got %s, fn "
		  "went %d steps, signal %d at %p" ASL_HINT(2),
		  asl_test_rc(rc), ran, f.signo, f.addr);

	/* a catch inside a catch would overwrite the saved handlers of the outer one */
	struct nested n = { 12345, { -1, -1, NULL } };
	rc = fault_catch(catch_nested, &n, &f);
	cr_assert(rc == 0 && n.rc == -EBUSY,
		  "fault_catch called from inside fault_catch: "
		  "expected the inner call to return -16 (EBUSY) and the outer 0, got inner %s and "
		  "outer %s" ASL_HINT(2),
		  asl_test_rc(n.rc), asl_test_rc(rc));
	sigaction(SIGSEGV, NULL, &after);
	cr_assert(after.sa_handler == before.sa_handler,
		  "after a nested fault_catch the SIGSEGV "
		  "disposition is not the one from before" ASL_HINT(2));
}

/* A fault in another thread while this thread is inside fault_catch() is not ours: the
 * handler must hand it to the handler installed before the catch, not jump to a catch point
 * that thread never set (memory.h, step 2). */
static sigjmp_buf other_env; /* used by the other thread only */
static volatile sig_atomic_t other_handler_signo;
static void other_handler(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	other_handler_signo = sig;
	siglongjmp(other_env, 1);
}

struct cross {
	atomic_int inside; /* the main thread is inside fn, under the catch */
	atomic_int done;   /* the other thread faulted and came back */
	int caught;        /* what the other thread saw */
};

static void wait_for_other_fault(void *arg)
{
	struct cross *c = arg;
	atomic_store(&c->inside, 1);
	while (!atomic_load(&c->done))
		sched_yield();
}

static void *fault_elsewhere(void *arg)
{
	struct cross *c = arg;
	while (!atomic_load(&c->inside))
		sched_yield();
	if (sigsetjmp(other_env, 1) == 0)
		(void)mem_load(NULL);
	c->caught = other_handler_signo;
	atomic_store(&c->done, 1);
	return NULL;
}

Test(fault_probe, other_threads_fault_is_not_ours)
{
	struct sigaction mine = { 0 }, old;
	struct cross c = { 0 };
	struct fault_info f = { -1, -1, (void *)1 };
	pthread_t t;
	mine.sa_sigaction = other_handler;
	mine.sa_flags = SA_SIGINFO;
	sigemptyset(&mine.sa_mask);
	cr_assert_eq(sigaction(SIGSEGV, &mine, &old), 0, "test setup: sigaction");
	cr_assert_eq(pthread_create(&t, NULL, fault_elsewhere, &c), 0, "test setup: thread");

	int rc = fault_catch(wait_for_other_fault, &c, &f);
	atomic_store(&c.inside, 1); /* in case fn never ran: let the other thread go on */
	pthread_join(t, NULL);
	sigaction(SIGSEGV, &old, NULL);
	cr_assert_eq(
	    c.caught, SIGSEGV,
	    "another thread faulted during fault_catch: expected its "
	    "SIGSEGV to reach the handler installed before the catch, got signal %d" ASL_HINT(2),
	    c.caught);
	cr_assert(rc == 0 && f.signo == 0,
		  "fault_catch(fn that does not fault) while another "
		  "thread faulted: expected 0 and no fault, got %s with signal %d" ASL_HINT(2),
		  asl_test_rc(rc), f.signo);
}
