/*
 * capstone.h - lab 11: one workload, every model of concurrency the course built.
 *
 * A *request* i of a job does up to two things:
 *   - I/O: send the line "<delay_ms> <i>\n" on its own connection to the latency injector of
 *     lab 07 (latency.h), which answers with the same line delay_ms later;
 *   - CPU: hash the line `rounds` times (cap_hash, a fixed, deterministic function).
 * CAP_IO does only the first, CAP_CPU only the second, CAP_MIXED the first and then the second.
 * Every model must produce, for every i, the same results[i] as the others: the hash of the
 * line (for I/O, of the line that came back).  What differs is who waits and who computes:
 *
 *   model      waits on                                computes on           lab
 *   seq        the calling thread, one request at a time  the calling thread    -
 *   threads    one OS thread per request                the request's thread  03
 *   pool       `threads` pool workers                   the pool workers      05
 *   loop       one event loop, all requests at once     the loop's thread     07
 *   fibers     one fiber per request, on one thread     that thread           08 (on 07)
 *   offload    one event loop                           the pool (spawn_blocking)  05 + 07
 *   fut        one future per request, one executor     the executor's thread 10
 *   futmt      futures on a work-stealing executor      its worker threads    10
 *   futblk     futures on one executor                  the pool (blocking_spawn)  10 + 05
 *
 * The adapters (model_*.c) are the student's; everything else here is given.
 * Functions return 0 or -errno; nothing prints.  See workbook.md, chapter 11.
 */
#ifndef CAPSTONE_H
#define CAPSTONE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum cap_kind { CAP_IO, CAP_CPU, CAP_MIXED };

/* Longest request line (and reply): "60000 2147483647\n" plus room. */
#define CAP_LINE_MAX 32

/* One job: what to run (set by the driver, read-only for the adapters) and what came out
 * (written only through cap_finish). */
struct cap_job {
	enum cap_kind kind;
	int n;           /* requests 0..n-1 */
	int delay_ms;    /* how long the injector holds each request (I/O kinds) */
	uint32_t rounds; /* hash rounds per request (CPU kinds; 0 for CAP_IO) */
	int threads;     /* worker threads, for the models that have a fixed number of them */
	const int *fds;  /* I/O kinds: fds[i] is request i's connection, already connected,
			   * non-blocking exactly when the model says so (cap_model.nonblocking) */
	/* out, through cap_finish (results and ran_on are arrays of n, owned by the driver): */
	uint64_t *results;
	atomic_int *ran_on;  /* the kernel tid of the thread that computed request i */
	atomic_int finished; /* requests finished */
	atomic_int inflight, peak_inflight; /* lines handed out but not finished yet: concurrency */
	atomic_int error;                   /* the first error cap_finish saw (0 = none) */
};

static inline bool cap_has_io(const struct cap_job *job)
{
	return job->kind != CAP_CPU;
}

/* ---- the workload (workload.c, given) ---- */

/* Write request i's line into buf (CAP_LINE_MAX bytes) and return its length.  Call it once per
 * request, when the request starts: it counts the request as in flight. */
int cap_line(struct cap_job *job, int i, char *buf);

/* A reply being read: bytes arrive in pieces. */
struct cap_reply {
	char buf[CAP_LINE_MAX];
	size_t len;
};
/* Append n bytes just read to r.  Returns 1 once the line is complete (ends in '\n'), 0 if more
 * is needed, -EPROTO if the reply is too long or n is 0 (the injector closed the connection). */
int cap_reply_add(struct cap_reply *r, const char *p, size_t n);

/* The whole I/O of request i with blocking calls: cap_line, write it all, read the reply into r.
 * For the models whose fds are blocking.  Returns 0 or -errno. */
int cap_request_blocking(struct cap_job *job, int i, struct cap_reply *r);

/* Finish request i, on whatever thread the model computes on: check the reply (NULL for
 * CAP_CPU), hash, store results[i] and ran_on[i], count it finished.  Thread-safe for distinct
 * i; call it exactly once per request.  Returns 0, or -EPROTO (wrong reply, or i finished twice),
 * which it also records in job->error. */
int cap_finish(struct cap_job *job, int i, const struct cap_reply *r);

/* What results[i] must be, computed without any I/O (tests and the driver compare against it). */
uint64_t cap_expected(const struct cap_job *job, int i);

/* ---- the hash (hash.c, given): a fixed amount of deterministic work ---- */

struct cap_hash_state {
	uint64_t buf[8];
	uint64_t h;
};
void cap_hash_init(struct cap_hash_state *s, uint64_t seed);
void cap_hash_rounds(struct cap_hash_state *s, uint32_t rounds);
uint64_t cap_hash_final(const struct cap_hash_state *s);
/* init + rounds + final; also hashes a line's bytes into a seed */
uint64_t cap_hash(uint64_t seed, uint32_t rounds);
uint64_t cap_hash_bytes(const void *p, size_t n);

/* ---- the models ---- */

struct cap_model {
	const char *name;  /* "seq", "threads", ... */
	const char *title; /* one line for figures and tables */
	const char *lab;   /* the earlier lab it runs on ("" for none) */
	bool nonblocking;  /* the model wants non-blocking connections */
	bool parallel;     /* its computations may run on several threads at once */
	/* Run every request of job; return when all have finished (0) or on the first error
	 * (-errno).  Must leave no thread, descriptor or memory behind. */
	int (*run)(struct cap_job *job);
	/* Check that the earlier lab it runs on works at all (given, in models.c): 0, or the
	 * error of the first call that failed, and *what names that call. */
	int (*probe)(const char **what);
};

extern const struct cap_model cap_models[];
extern const int cap_nmodels;
/* The model called name, or NULL. */
const struct cap_model *cap_model_find(const char *name);

/* The adapters: the steps of this lab. */
int model_seq_run(struct cap_job *job);
int model_threads_run(struct cap_job *job);
int model_pool_run(struct cap_job *job);
int model_loop_run(struct cap_job *job);
int model_fibers_run(struct cap_job *job);
int model_offload_run(struct cap_job *job);
int model_fut_run(struct cap_job *job);
int model_futmt_run(struct cap_job *job);
int model_futblk_run(struct cap_job *job);

/* The probes of the futures models (probes_fut.c: one file per lab's header, as for the
 * adapters). */
int probe_fut(const char **what);
int probe_futmt(const char **what);
int probe_futblk(const char **what);

/* ---- the injector and the connections (injector.c, given) ---- */

struct cap_env {
	pid_t child; /* the injector's process */
	int stop_fd; /* closing it tells the injector to stop */
	int port;
	int *fds; /* open connections to the injector */
	int nfds;
	bool nonblocking; /* the mode fds are in now */
};

/* Start the latency injector (lab 07's latency server on lab 07's loop) in a child process,
 * listening on 127.0.0.1.  A child, so that its descriptors, threads and memory are not counted
 * as the model's.  Errors: the child's (-ENOSYS while lab 07 is unfinished), fork's. */
int cap_env_open(struct cap_env *e);
/* Make sure at least n connections are open (raising the descriptor limit if it must) and put
 * the first n in the given mode.  Errors: -EMFILE (the hard limit is too low), connect's. */
int cap_env_connect(struct cap_env *e, int n, bool nonblocking);
/* Close every connection (after a failed run: replies may still be on their way). */
void cap_env_disconnect(struct cap_env *e);
/* Close every connection, stop the injector and reap it.  Returns 0, or -ECHILD if the
 * injector did not exit cleanly. */
int cap_env_close(struct cap_env *e);

/* ---- the driver (capstone.c, given) ---- */

struct cap_opts {
	enum cap_kind kind;
	int n, delay_ms, threads;
	uint32_t rounds;
	bool sample; /* also sample the peak thread count while the model runs */
};

struct cap_stats {
	double ms;           /* wall time of the model's run (connections already open) */
	int peak_threads;    /* most threads alive at once (sample only; else 0) */
	double peak_rss_mib; /* resident memory high-water mark during the run, above before */
	int peak_inflight;   /* most requests in flight at once */
	uint64_t checksum;   /* sum of the results: every model must print the same */
	int wrong;           /* results that differ from cap_expected */
};

/* Run model m on the job o describes, over env e (its connections: opened here as needed).
 * results/ran_on: arrays of o->n the caller may want back (NULL: internal).  Returns the
 * model's error, -EPROTO if it returned 0 without finishing every request, or 0. */
int cap_run(struct cap_env *e, const struct cap_model *m, const struct cap_opts *o,
	    uint64_t *results, int *ran_on, struct cap_stats *st);

const char *cap_kind_name(enum cap_kind k);

#endif
