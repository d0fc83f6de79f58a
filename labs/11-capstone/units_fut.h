/*
 * units_fut.h - the futures row of bench_units (units_fut.c), in a file of its own like every
 * row that needs one lab's header.
 */
#ifndef UNITS_FUT_H
#define UNITS_FUT_H

#include <stdint.h>

/* bench_loop body: two tasks on lab 10's executor yielding to each other, iters polls in all
 * (each poll: the task wakes itself, returns pending, the executor polls the other one). */
void units_fut_handoff(void *arg, uint64_t iters);
/* Resident bytes per spawned, not yet finished task (k tasks, VmRSS growth / k), or -1. */
double units_fut_memory(int k);

#endif
