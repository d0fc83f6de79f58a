/*
 * demo_nested_call.c - why a stackless coroutine cannot suspend inside an ordinary nested
 * call, what "async all the way down" costs, and a stackful fiber that simply can.
 *
 * The job: split text that arrives in small pieces into words.  The natural code is
 *
 *	task():      for (;;) { read_word(w); print w; }
 *	read_word(): while (c = next_char()) != ' ' ...   <- must WAIT here when input runs out
 *
 * 1. Stackless.  A stackless coroutine suspends by *returning*.  If read_word, an ordinary
 *    function, returned in the middle of a word, its locals (the word so far) would be gone
 *    and its caller would have to know to return too.  So read_word must itself become a
 *    coroutine with a struct, and its caller must await it, and so on up to the task:
 *    every function on the path to a suspension point is a state machine, and each
 *    caller's struct *contains* its callee's.  That is "async all the way down" (the
 *    "function colouring" of async/await).  The demo prints the nesting in bytes.
 * 2. Stackful.  A fiber owns a stack, so read_word and next_char stay ordinary functions;
 *    next_char switches back to the main loop when the input is used up, and the whole
 *    chain of frames waits on the fiber's stack until it is resumed.  Lab 08 builds this
 *    switch in assembly; here the C library's swapcontext() stands in for it.
 */
#include "stackless.h"

#include <stdio.h>
#include <string.h>
#include <ucontext.h>

#include "asl/util.h"

static const char usage[] = "demo_nested_call [-h]\n"
			    "  a word reader as nested stackless coroutines, then as a fiber";

static const char *const pieces[] = { "stack",      "less co",     "routines ", "can",
				      "not wait i", "n a nested ", "call ",     NULL };

struct input {
	const char *piece; /* the piece being read */
	size_t pos;
};

/* ---- 1. stackless: every level is a coroutine, the callee's state nested in the caller's */

struct word_reader { /* the "frame" of read_word */
	struct ptl pt;
	char word[32];
	size_t len;
};

struct word_task { /* the "frame" of the task: its own state and the frame of its callee */
	struct ptl pt;
	int words;
	struct word_reader reader;
};

/* read_word as a coroutine: CORO_PENDING when the piece runs out mid-word. */
static int read_word_step(struct word_reader *r, struct input *in)
{
	PTL_BEGIN(&r->pt);
	r->len = 0;
	for (;;) {
		PTL_AWAIT(&r->pt, in->piece && in->piece[in->pos]);
		char c = in->piece[in->pos++];
		if (c == ' ')
			break;
		if (r->len + 1 < sizeof r->word)
			r->word[r->len++] = c;
	}
	r->word[r->len] = '\0';
	PTL_END(&r->pt);
}

static int word_task_step(struct word_task *t, struct input *in)
{
	int rc = 0;
	PTL_BEGIN(&t->pt);
	for (;;) {
		PTL_INIT(&t->reader.pt);
		/* await the callee: resume it until it is READY, suspending ourselves meanwhile */
		PTL_AWAIT(&t->pt, (rc = read_word_step(&t->reader, in)) != CORO_PENDING);
		printf("    word %d: \"%s\"\n", ++t->words, t->reader.word);
	}
	PTL_END(&t->pt);
	(void)rc;
}

static void stackless_run(void)
{
	struct word_task t = { .words = 0 };
	struct input in = { 0 };
	PTL_INIT(&t.pt);
	printf("1. stackless: the task awaits read_word, itself a coroutine\n");
	for (int i = 0; pieces[i]; i++) {
		in = (struct input){ pieces[i], 0 };
		printf("  piece \"%s\"\n", pieces[i]);
		int rc = word_task_step(&t, &in);
		printf("    -> %s, reader has \"%.*s\" so far (in its struct, not on a stack)\n",
		       rc == CORO_PENDING ? "CORO_PENDING" : "?", (int)t.reader.len, t.reader.word);
	}
	printf(
	    "  sizeof(struct word_reader) = %zu bytes (read_word's frame)\n"
	    "  sizeof(struct word_task)   = %zu bytes (the task's frame, read_word's in it)\n"
	    "  Every level between the task and the wait is a coroutine whose frame is nested in\n"
	    "  its caller's: the compiler must know the whole chain to size the task, so a\n"
	    "  recursive async function needs its frame on the heap (Rust: Box::pin).\n\n",
	    sizeof(struct word_reader), sizeof(struct word_task));
}

/* ---- 2. stackful: ordinary functions, suspended anywhere ---------------------------- */

static ucontext_t main_ctx, fiber_ctx;
static _Alignas(16) char fiber_stack[64 * 1024];
static struct input fin;
static int fiber_words;
static const char *frame_main, *frame_read_word; /* where those frames are, to print them */

/* An ordinary function, two calls deep, that waits for input in the middle. */
static char next_char(void)
{
	char here;
	while (!fin.piece || !fin.piece[fin.pos]) {
		printf("    suspended in next_char <- read_word <- fiber_main; their frames at "
		       "offsets %td, %td, %td of the fiber's stack\n",
		       &here - fiber_stack, frame_read_word - fiber_stack,
		       frame_main - fiber_stack);
		if (swapcontext(&fiber_ctx, &main_ctx) < 0) /* to main; returns when resumed */
			asl_die(errno, "swapcontext");
	}
	return fin.piece[fin.pos++];
}

static void read_word(char *word, size_t cap) /* ordinary: its locals live on the fiber stack */
{
	size_t len = 0;
	char c;
	frame_read_word = (const char *)&len;
	while ((c = next_char()) != ' ')
		if (len + 1 < cap)
			word[len++] = c;
	word[len] = '\0';
}

static void fiber_main(void)
{
	char word[32];
	frame_main = word;
	for (;;) {
		read_word(word, sizeof word);
		printf("    word %d: \"%s\"\n", ++fiber_words, word);
	}
}

static void fiber_run(void)
{
	printf("2. stackful (a fiber; lab 08 builds the switch): read_word is an ordinary call\n");
	if (getcontext(&fiber_ctx) < 0)
		asl_die(errno, "getcontext");
	fiber_ctx.uc_stack.ss_sp = fiber_stack;
	fiber_ctx.uc_stack.ss_size = sizeof fiber_stack;
	fiber_ctx.uc_link = &main_ctx;
	makecontext(&fiber_ctx, fiber_main, 0);
	for (int i = 0; pieces[i]; i++) {
		fin = (struct input){ pieces[i], 0 };
		printf("  piece \"%s\"\n", pieces[i]);
		if (swapcontext(&main_ctx, &fiber_ctx) < 0)
			asl_die(errno, "swapcontext");
	}
	printf("  The fiber's memory is its whole stack (%zu bytes here), whatever the depth;\n"
	       "  the waiting frames sit on it untouched.  No function had to change colour.\n",
	       sizeof fiber_stack);
}

int main(int argc, char **argv)
{
	asl_no_arguments(argc, argv, usage);
	stackless_run();
	fiber_run();
	return 0;
}
