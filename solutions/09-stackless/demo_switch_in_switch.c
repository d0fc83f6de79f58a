/*
 * demo_switch_in_switch.c - the other classic limit of switch-based coroutines, and the
 * computed-goto version that does not have it.  (GNU C: compiled with -std=gnu11.)
 *
 * A worker handles commands; one command yields in the middle.  The yield sits inside the
 * worker's own `switch (cmd)`.  With pt_line.h its `case <line>:` label attaches to that inner
 * switch; on resume, PTL_BEGIN's outer switch finds no label for the saved line and lands on
 * its `default:`, which returns -EPROTO.  (Protothreads without that default would silently
 * skip the whole body and report the coroutine finished.)  With pt_goto.h the resume point
 * is a label address and the jump goes straight back into the inner switch.
 */
#include "stackless.h"

#include <stdio.h>
#include <string.h>

#include "asl/util.h"

static const char usage[] = "demo_switch_in_switch [-h]\n"
			    "  a yield inside a switch: pt_line.h fails (-EPROTO), pt_goto.h works";

struct worker {
	struct ptl pl;
	struct ptg pg;
	const char *cmds;
	int i;
};

static int worker_line(struct worker *w)
{
	PTL_BEGIN(&w->pl);
	for (w->i = 0; w->cmds[w->i]; w->i++) {
		switch (w->cmds[w->i]) {
		case 'y':
			printf("    'y': before the yield\n");
			PTL_YIELD(&w->pl); /* its case label belongs to switch (cmd) */
			printf("    'y': after the yield\n");
			break;
		default: printf("    '%c': done at once\n", w->cmds[w->i]);
		}
	}
	PTL_END(&w->pl);
}

static int worker_goto(struct worker *w)
{
	PTG_BEGIN(&w->pg);
	for (w->i = 0; w->cmds[w->i]; w->i++) {
		switch (w->cmds[w->i]) {
		case 'y':
			printf("    'y': before the yield\n");
			PTG_YIELD(&w->pg); /* a label address: no case label involved */
			printf("    'y': after the yield\n");
			break;
		default: printf("    '%c': done at once\n", w->cmds[w->i]);
		}
	}
	PTG_END(&w->pg);
}

static void run(const char *name, int (*step)(struct worker *))
{
	struct worker w = { .cmds = "ayb" };
	int rc, n = 0;
	PTL_INIT(&w.pl);
	PTG_INIT(&w.pg);
	printf("%s, commands \"%s\":\n", name, w.cmds);
	do {
		rc = step(&w);
		printf("  resume %d -> %s\n", ++n,
		       rc == CORO_YIELDED ? "CORO_YIELDED"
		       : rc == CORO_READY ? "CORO_READY"
					  : asl_errname(-rc));
	} while (rc == CORO_YIELDED && n < 5);
}

int main(int argc, char **argv)
{
	asl_no_arguments(argc, argv, usage);
	run("pt_line.h (switch on __LINE__)", worker_line);
	printf("  -> the resume found no case label for the saved line: the yield's label went\n"
	       "     to the inner switch.  'b' was never handled.\n\n");
	run("pt_goto.h (computed goto)", worker_goto);
	printf("  -> all three commands handled.\n");
	return 0;
}
