/* The demos are part of the lab: the wild-pointer demo must really die of SIGSEGV (after the
 * fault probe has predicted what the kernel will say), and the annotated memory map must show
 * the probe's verdicts. */
#include "asl_test.h"
#include "memory.h"

#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

ASL_SUITE(demos, 20);

/* Run a program with stdout captured into buf; returns its wait status. */
static int run(const char *path, char *const argv[], char *buf, size_t len)
{
	int fds[2], status;
	size_t got = 0;
	ssize_t n;
	cr_assert_eq(pipe(fds), 0, "test setup: pipe");
	pid_t pid = fork();
	cr_assert(pid >= 0, "test setup: fork");
	if (pid == 0) {
		struct rlimit no_core = { 0, 0 };
		setrlimit(RLIMIT_CORE, &no_core); /* a demo that crashes must not litter cores */
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execv(path, argv);
		_exit(127);
	}
	close(fds[1]);
	while (got + 1 < len && (n = read(fds[0], buf + got, len - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	while (read(fds[0], &(char){ 0 }, 1) > 0) /* drain the rest */
		;
	close(fds[0]);
	cr_assert_eq(waitpid(pid, &status, 0), pid, "test setup: waitpid");
	return status;
}

static const char *how_it_ended(int status)
{
	static char buf[64];
	if (WIFSIGNALED(status))
		snprintf(buf, sizeof buf, "was killed by %s", strsignal(WTERMSIG(status)));
	else
		snprintf(buf, sizeof buf, "exited with status %d", WEXITSTATUS(status));
	return buf;
}

Test(demos, wild_pointer_dies_of_sigsegv)
{
	static char out[8192];
	char *argv[] = { "demo_wild_pointer", NULL };
	int status = run(ASL_BUILD_DIR "/demo_wild_pointer", argv, out, sizeof out);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV,
		  "demo_wild_pointer should print the probe's prediction, then dereference the "
		  "wild pointer with mem_load and die "
		  "of SIGSEGV; it %s.  Its output:\n%s" ASL_HINT(2),
		  how_it_ended(status), out);
	cr_assert(strstr(out, "SIGSEGV"),
		  "demo_wild_pointer died but did not say what the "
		  "kernel would report.  Its output:\n%s" ASL_HINT(2),
		  out);
}

Test(demos, maps_probes_the_guard_gaps)
{
	static char out[65536];
	char *argv[] = { "demo_maps", NULL };
	int status = run(ASL_BUILD_DIR "/demo_maps", argv, out, sizeof out);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "demo_maps %s.  Its output:\n%s" ASL_HINT(2), how_it_ended(status), out);
	cr_assert(strstr(out, "[stack]") && strstr(out, "probe: unmapped") &&
		      strstr(out, "probe: protected"),
		  "demo_maps must annotate the map and show the "
		  "probe finding an unmapped gap and a "
		  "protected guard page.  Its output:\n%s" ASL_HINT(2),
		  out);
}
