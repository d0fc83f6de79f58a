/*
 * server_proc.c - child processes for the harnesses (see server_proc.h).  Not a student step.
 */
#include "server_proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* fork + exec with stdout on a pipe; the child is pinned before exec. */
static pid_t spawn(char *const argv[], int cpu, int *out_fd)
{
	int pfd[2];
	if (access(argv[0], X_OK) < 0)
		return -errno;
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		int err = errno;
		close(pfd[0]);
		close(pfd[1]);
		return -err;
	}
	if (pid == 0) {
		if (cpu >= 0) {
			cpu_set_t set;
			CPU_ZERO(&set);
			CPU_SET(cpu, &set);
			sched_setaffinity(0, sizeof set, &set);
		}
		dup2(pfd[1], STDOUT_FILENO);
		execv(argv[0], argv);
		_exit(127);
	}
	close(pfd[1]);
	*out_fd = pfd[0];
	return pid;
}

static int wait_status(pid_t pid, int timeout_ms)
{
	int st;
	for (int waited = 0;; waited += 10) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		if (r < 0)
			return -errno;
		if (waited >= timeout_ms) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return 128 + SIGKILL;
		}
		struct timespec ts = { 0, 10000000 }; /* waiting for a process to exit */
		nanosleep(&ts, NULL);
	}
}

int server_proc_start(struct server_proc *p, char *const argv[], int cpu)
{
	int fd;
	pid_t pid = spawn(argv, cpu, &fd);
	if (pid < 0)
		return (int)pid;
	char line[64];
	size_t len = 0;
	int rc = -EPROTO;
	while (len < sizeof line - 1) {
		struct pollfd pf = { .fd = fd, .events = POLLIN };
		if (poll(&pf, 1, 10000) <= 0) {
			rc = -ETIMEDOUT;
			break;
		}
		ssize_t n = read(fd, line + len, 1);
		if (n <= 0)
			break;
		if (line[len] == '\n') {
			line[len] = 0;
			rc = sscanf(line, "port %d", &p->port) == 1 ? 0 : -EPROTO;
			break;
		}
		len++;
	}
	close(fd);
	if (rc < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return rc;
	}
	p->pid = pid;
	return 0;
}

long server_proc_rss_kib(const struct server_proc *p)
{
	char path[64], line[256];
	long kib = -ENOENT;
	/* smaps_rollup walks the page tables; VmRSS in status comes from counters that each
	 * thread may batch (up to 64 pages on older kernels), which undercounts 10,000 threads */
	snprintf(path, sizeof path, "/proc/%d/smaps_rollup", (int)p->pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "Rss: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

long long server_proc_cpu_ns(const struct server_proc *p)
{
	char path[300];
	long long total = 0, ns;
	snprintf(path, sizeof path, "/proc/%d/task", (int)p->pid);
	DIR *d = opendir(path);
	struct dirent *e;
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "/proc/%d/task/%s/schedstat", (int)p->pid, e->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue; /* the thread ended meanwhile */
		if (fscanf(f, "%lld", &ns) == 1)
			total += ns;
		fclose(f);
	}
	closedir(d);
	return total;
}

int server_proc_stop(struct server_proc *p)
{
	if (kill(p->pid, SIGTERM) < 0)
		return -errno;
	return wait_status(p->pid, 20000);
}

int proc_run_capture(char *const argv[], int cpu, char *out, size_t cap)
{
	int fd;
	pid_t pid = spawn(argv, cpu, &fd);
	if (pid < 0)
		return (int)pid;
	size_t len = 0;
	ssize_t n;
	char sink[4096];
	while ((n = read(fd, len + 1 < cap ? out + len : sink,
			 len + 1 < cap ? cap - 1 - len : sizeof sink)) > 0)
		if (len + 1 < cap)
			len += (size_t)n;
	out[len] = 0;
	close(fd);
	return wait_status(pid, 600000);
}

long kernel_mem_kib(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	long total = 0, v;
	if (!f)
		return -errno;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "Slab: %ld kB", &v) == 1 ||
		    sscanf(line, "KernelStack: %ld kB", &v) == 1 ||
		    sscanf(line, "PageTables: %ld kB", &v) == 1)
			total += v;
	fclose(f);
	return total;
}

double load_average(void)
{
	double l = -1;
	FILE *f = fopen("/proc/loadavg", "r");
	if (f) {
		if (fscanf(f, "%lf", &l) != 1)
			l = -1;
		fclose(f);
	}
	return l;
}
