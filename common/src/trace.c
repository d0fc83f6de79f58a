/* trace.c - the span tracer; see asl/trace.h for what it records and what it costs.
 *
 * Each thread appends to its own buffer, reached through a thread-local pointer, so recording
 * needs no lock and shares no cache line with other threads.  The buffers are linked into one
 * global list (under `list_lock`) the first time a thread records, so that trace_dump() can
 * find them - also after their thread has exited, which is the usual case: dump after join.
 *
 * Publication: only the owner writes its spans; it writes spans[len] and then stores len + 1
 * with release order.  A dumper loads len with acquire order and reads only spans below it,
 * so it never sees a half-written span, even while the owner keeps recording.
 */
#include "asl/trace.h"
#include "asl/bench.h"
#include "asl/util.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define TRACE_DEFAULT_CAP 8192
#define TRACE_NAME_LEN 16

struct trace_span {
	uint64_t start_ns, end_ns;
	uint32_t task;
	int32_t cpu;
};

struct trace_buf {
	struct trace_buf *next; /* global list, registration order (under list_lock) */
	pid_t tid;
	char name[TRACE_NAME_LEN];
	size_t cap;
	_Atomic size_t len;     /* spans[0..len) are complete (release/acquire) */
	_Atomic size_t dropped; /* spans that did not fit */
	_Atomic int exited;     /* owner thread is gone: trace_reset() may free the buffer */
	struct trace_span spans[];
};

/* Process-wide state, by the nature of a tracer (see trace.h): the on/off flag, the time
 * origin, the capacity for new buffers, and the list of every thread's buffer.  The list is
 * the only thing shared on purpose; it is touched once per thread and by dump/reset. */
_Atomic int asl_trace_on_;
static _Atomic uint64_t origin_ns;
static _Atomic size_t new_cap = TRACE_DEFAULT_CAP;
static pthread_mutex_t list_lock = PTHREAD_MUTEX_INITIALIZER;
static struct trace_buf *list_head, **list_tail = &list_head;
/* A thread-specific key only for its destructor: it marks the buffer of an exiting thread. */
static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;

/* Per thread: its buffer (NULL until its first span) and the name for its row. */
static __thread struct trace_buf *my_buf;
static __thread char my_name[TRACE_NAME_LEN];

static void mark_exited(void *p)
{
	atomic_store(&((struct trace_buf *)p)->exited, 1);
}

static void make_exit_key(void)
{
	if (pthread_key_create(&exit_key, mark_exited))
		exit_key =
		    (pthread_key_t)-1; /* buffers of exited threads are then kept until free */
}

/* Allocate and register the calling thread's buffer (once per thread). */
static struct trace_buf *register_thread(void)
{
	size_t cap = atomic_load(&new_cap);
	struct trace_buf *b = calloc(1, sizeof *b + cap * sizeof b->spans[0]);
	if (!b)
		return NULL;
	b->tid = (pid_t)syscall(SYS_gettid);
	b->cap = cap;
	memcpy(b->name, my_name, sizeof b->name);
	pthread_once(&exit_key_once, make_exit_key);
	if (exit_key != (pthread_key_t)-1)
		pthread_setspecific(exit_key, b);
	pthread_mutex_lock(&list_lock);
	*list_tail = b;
	list_tail = &b->next;
	pthread_mutex_unlock(&list_lock);
	my_buf = b;
	return b;
}

trace_tok trace_begin_on_(uint32_t task)
{
	if (!my_buf && !register_thread())
		return (trace_tok){ 0, 0, 0 }; /* out of memory: this thread stays untraced */
	return (trace_tok){ asl_now_ns(), task, sched_getcpu() };
}

void trace_end_on_(trace_tok tok)
{
	struct trace_buf *b = my_buf;
	size_t n;
	if (!b)
		return;
	n = atomic_load_explicit(&b->len, memory_order_relaxed); /* we are the only writer */
	if (n >= b->cap) {
		atomic_fetch_add_explicit(&b->dropped, 1, memory_order_relaxed);
		return;
	}
	b->spans[n] = (struct trace_span){ tok.start_ns, asl_now_ns(), tok.task, tok.cpu };
	atomic_store_explicit(&b->len, n + 1, memory_order_release);
}

int trace_enable(size_t spans_per_thread)
{
	atomic_store(&new_cap, spans_per_thread ? spans_per_thread : TRACE_DEFAULT_CAP);
	atomic_store(&origin_ns, asl_now_ns());
	atomic_store(&asl_trace_on_, 1);
	return 0;
}

void trace_disable(void)
{
	atomic_store(&asl_trace_on_, 0);
}

void trace_thread_name(const char *name)
{
	snprintf(my_name, sizeof my_name, "%s", name ? name : "");
	if (my_buf) {
		pthread_mutex_lock(&list_lock); /* trace_dump() may be reading the name */
		memcpy(my_buf->name, my_name, sizeof my_name);
		pthread_mutex_unlock(&list_lock);
	}
}

void trace_reset(void)
{
	pthread_mutex_lock(&list_lock);
	for (struct trace_buf **p = &list_head; *p;) {
		struct trace_buf *b = *p;
		if (atomic_load(&b->exited)) {
			*p = b->next;
			free(b);
			continue;
		}
		atomic_store(&b->len, 0);
		atomic_store(&b->dropped, 0);
		p = &b->next;
	}
	list_tail = &list_head;
	while (*list_tail)
		list_tail = &(*list_tail)->next;
	atomic_store(&origin_ns, asl_now_ns());
	pthread_mutex_unlock(&list_lock);
}

void trace_free(void)
{
	trace_disable();
	pthread_mutex_lock(&list_lock);
	while (list_head) {
		struct trace_buf *b = list_head;
		list_head = b->next;
		free(b);
	}
	list_tail = &list_head;
	if (my_buf && exit_key != (pthread_key_t)-1)
		pthread_setspecific(exit_key, NULL);
	my_buf = NULL;
	pthread_mutex_unlock(&list_lock);
}

size_t trace_count(size_t *dropped)
{
	size_t n = 0, d = 0;
	pthread_mutex_lock(&list_lock);
	for (struct trace_buf *b = list_head; b; b = b->next) {
		n += atomic_load_explicit(&b->len, memory_order_acquire);
		d += atomic_load(&b->dropped);
	}
	pthread_mutex_unlock(&list_lock);
	if (dropped)
		*dropped = d;
	return n;
}

int trace_dump(const char *path)
{
	size_t dropped, spans = trace_count(&dropped);
	uint64_t t0 = atomic_load(&origin_ns);
	int row = 0, err = 0;
	FILE *f;

	if (!path)
		return -EINVAL;
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fprintf(f,
		"# trace: spans of (task, thread, cpu) from the asynclabs tracer\n"
		"# stamp: %s\n# spans: %zu\n# dropped: %zu\n"
		"thread\ttid\ttask\tcpu\tstart_us\tend_us\tname\n",
		bench_stamp(), spans, dropped);
	pthread_mutex_lock(&list_lock);
	for (struct trace_buf *b = list_head; b; b = b->next) {
		size_t n = atomic_load_explicit(&b->len, memory_order_acquire);
		if (!n)
			continue; /* rows only for threads that recorded something */
		for (size_t i = 0; i < n; i++) {
			const struct trace_span *s = &b->spans[i];
			fprintf(f, "%d\t%d\t%u\t%d\t%.3f\t%.3f\t%s\n", row, (int)b->tid, s->task,
				s->cpu, ((double)s->start_ns - (double)t0) / 1e3,
				((double)s->end_ns - (double)t0) / 1e3, b->name[0] ? b->name : "-");
		}
		row++;
	}
	pthread_mutex_unlock(&list_lock);
	if (ferror(f))
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}
