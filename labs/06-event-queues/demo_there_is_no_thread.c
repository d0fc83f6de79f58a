/*
 * demo_there_is_no_thread.c - an I/O request is pending and no thread is waiting for it.
 *
 * ("There is no thread", Stephen Cleary's essay on asynchronous I/O in .NET: while a true
 * asynchronous read is in progress, no thread anywhere is blocked on it.)  Here the process
 * has exactly one thread.  It hands io_uring a read of an empty pipe and keeps running; the
 * read is a request parked in the kernel, not a thread.  The same thread then writes into the
 * pipe, and the read completes.  /proc/self/task is listed at each stage.  Then a whole file
 * is copied through io_uring (steps 5-7) and the threads are counted again.
 */
#include "evq.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asl/util.h"

static const char usage[] = "demo_there_is_no_thread [-h]\n"
			    "  shows an io_uring read completing while the process has one thread";

/* Print the number of threads and their names, from /proc/self/task/<tid>/comm. */
static int show_threads(const char *when)
{
	char names[512] = "", path[300], comm[64];
	int n = 0;
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	if (!d)
		asl_die(errno, "/proc/self/task");
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		n++;
		snprintf(path, sizeof path, "/proc/self/task/%s/comm", e->d_name);
		FILE *f = fopen(path, "r");
		if (f && fgets(comm, sizeof comm, f)) {
			comm[strcspn(comm, "\n")] = 0;
			if (strlen(names) + strlen(comm) + 3 < sizeof names)
				strcat(strcat(names, names[0] ? ", " : ""), comm);
		}
		if (f)
			fclose(f);
	}
	closedir(d);
	printf("  %-44s threads in this process: %d (%s)\n", when, n, names);
	return n;
}

static void refused(int rc)
{
	printf("io_uring is refused here: io_uring_queue_init -> %d (%s)\n", rc, strerror(-rc));
	printf("  check: cat /proc/sys/kernel/io_uring_disabled  (0 allowed, 1 privileged only, "
	       "2 off)\n         uname -r                             (io_uring needs 5.1+; "
	       "this lab assumes 5.6+)\n         containers: Docker's default seccomp profile "
	       "blocks io_uring_setup\n");
	printf("What it would show: a read pending in the kernel with no thread waiting for it.\n");
}

int main(int argc, char **argv)
{
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	char buf[64] = "";
	int p[2], rc;

	asl_no_options(argc, argv, usage);
	if (argc > 1)
		asl_usage_error(usage, "no arguments expected");
	if ((rc = io_uring_queue_init(4, &ring, 0)) < 0) {
		refused(rc);
		return 0; /* not the demo's fault: the kernel said no */
	}
	if (pipe(p) < 0)
		asl_die(errno, "pipe");

	printf("1. a read of an empty pipe, submitted to io_uring\n");
	show_threads("at start:");
	struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
	io_uring_prep_read(sqe, p[0], buf, sizeof buf - 1, (uint64_t)-1);
	uint64_t t0 = asl_now_ns();
	if ((rc = io_uring_submit(&ring)) != 1)
		asl_die(rc < 0 ? -rc : 0, "io_uring_submit");
	printf("  submit returned after %.1f us: the read is now pending in the kernel\n",
	       (double)(asl_now_ns() - t0) / 1e3);
	int during = show_threads("while the read is pending:");
	if (io_uring_peek_cqe(&ring, &cqe) == 0)
		asl_die(0, "the read completed before any data was written?");
	printf("  nobody is blocked in read(); the only thread is here, printing this line.\n");
	printf("  the same thread now writes 12 bytes into the pipe...\n");
	if (write(p[1], "hello, ring!", 12) != 12)
		asl_die(errno, "write");
	if ((rc = io_uring_wait_cqe(&ring, &cqe)) < 0)
		asl_die(-rc, "io_uring_wait_cqe");
	printf("  completion: res = %d, buffer = \"%s\"\n", cqe->res,
	       cqe->res > 0 ? (buf[cqe->res] = 0, buf) : "");
	io_uring_cqe_seen(&ring, cqe);
	show_threads("after the completion:");
	io_uring_queue_exit(&ring);
	close(p[0]);
	close(p[1]);

	printf("\n2. copying this program's own file with uring_copy (steps 5-7)\n");
	char tmp[] = "/tmp/asl-06-no-thread-XXXXXX";
	int in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC), out = mkstemp(tmp);
	if (in < 0 || out < 0)
		asl_die(errno, "open");
	unlink(tmp);
	int64_t copied = uring_copy(in, out, 16 * 1024, 4);
	if (copied < 0)
		asl_die((int)-copied, "uring_copy");
	printf("  copied %lld bytes in 16 KiB blocks, 4 in flight\n", (long long)copied);
	int after = show_threads("after the copy:");
	close(in);
	close(out);

	const char *shows =
	    during == 1
		? "while the read was pending the process had ONE thread, and it was busy\n"
		  "printing.  The pending read was a request in the kernel, not a sleeping "
		  "thread.\n"
		: "a helper thread appeared while the read was pending (see its name): this\n"
		  "kernel handled the request on an io_uring worker, not inline.\n";
	printf("\nWhat it shows: %s", shows);
	if (after > 1)
		printf(
		    "Threads named iou-wrk-* are the kernel's io_uring workers, used for requests "
		    "that cannot\nbe completed without blocking (here: buffered writes to a file "
		    "system that cannot\nwrite without sleeping, or a file not in the page "
		    "cache).  Sometimes there IS a thread.\n");
	return 0;
}
