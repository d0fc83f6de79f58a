/*
 * thread_count.c - step 1: how many threads does this process have right now?
 *
 * Linux keeps one directory per thread under /proc/<pid>/task/<tid>.  Counting them is the
 * simplest leak detector there is: run an API call, count again; a number that grows is a
 * thread nobody joined - a "thread leak".  It still holds its stack, its kernel task and its
 * place in the scheduler until the process ends.
 */
#include "threads.h"

#include <dirent.h>
#include <errno.h>

#include "asl/todo.h"

int thread_count_live(void)
{
	/* TODO step 1: Count the live threads of this process from /proc/self/task.
	 * One entry per thread; skip "." and "..".  Return the count, or -errno when the
	 * directory cannot be read.  Checked by: thread_count::*
	 */
	return LAB_TODO(1);
}
