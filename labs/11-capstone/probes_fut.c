/*
 * probes_fut.c - the probes of the futures models: the smallest use of lab 10 (see models.c).
 */
#include <errno.h>

#include "callbacks.h"
#include "capstone.h"
#include "fut.h"

int probe_fut(const char **what)
{
	exec_t *ex;
	intptr_t out = 0;
	int rc;
	*what = "exec_create";
	if ((rc = exec_create(&ex)) < 0)
		return rc;
	*what = "exec_block_on(fut_yield(1, 7))";
	fut_t *f = fut_yield(1, 7);
	rc = f ? exec_block_on(ex, f, &out) : -ENOMEM;
	exec_destroy(ex);
	return rc < 0 ? rc : out == 7 ? 0 : -EPROTO;
}

int probe_futmt(const char **what)
{
	exec_mt_t *ex;
	int rc;
	*what = "exec_mt_create";
	if ((rc = exec_mt_create(&ex, 2)) < 0)
		return rc;
	*what = "exec_mt_spawn and exec_mt_run (fut_yield)";
	fut_t *f = fut_yield(2, 7);
	rc = f ? exec_mt_spawn(ex, f, NULL) : -ENOMEM;
	if (rc == 0)
		rc = exec_mt_run(ex);
	exec_mt_destroy(ex);
	return rc;
}

static intptr_t probe_seven(void *arg)
{
	(void)arg;
	return 7;
}

int probe_futblk(const char **what)
{
	struct pool *pool;
	exec_t *ex;
	intptr_t out = 0;
	int rc;
	*what = "pool_create";
	if ((rc = pool_create(&pool, 1, 1)) < 0)
		return rc;
	*what = "exec_create";
	if ((rc = exec_create(&ex)) == 0) {
		*what = "exec_block_on(blocking_spawn(...))";
		fut_t *f = blocking_spawn(pool, probe_seven, NULL);
		rc = f ? exec_block_on(ex, f, &out) : -ENOMEM;
		exec_destroy(ex);
	}
	pool_shutdown(pool, POOL_DRAIN);
	return rc < 0 ? rc : out == 7 ? 0 : -EPROTO;
}
