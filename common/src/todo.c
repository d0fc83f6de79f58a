/* todo.c - the loud failure behind LAB_TODO(); see asl/todo.h. */
#include "asl/todo.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

/* One bit per step so a stub called in a loop does not flood the terminal.  Global by
 * necessity: the whole point is "tell the student once per process". */
static atomic_uint told;

int asl_todo(const char *lab, int step, const char *func)
{
	unsigned bit = 1u << ((unsigned)step & 31u);
	if (!(atomic_fetch_or(&told, bit) & bit))
		fprintf(stderr,
			"asynclabs: lab %s step %d is not implemented yet (%s); "
			"see workbook.md\n",
			lab, step, func);
	return -ENOSYS;
}

_Noreturn void asl_todo_abort(const char *lab, int step, const char *func)
{
	asl_todo(lab, step, func);
	abort();
}
