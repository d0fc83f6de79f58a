/*
 * regs_check.h - register-preservation checker for the context switch (regs_check_*.S): used
 * by the tests and by stress_fibers, which `make cross-run` runs on aarch64 under qemu-user.
 */
#ifndef REGS_CHECK_H
#define REGS_CHECK_H

#include <stdint.h>

/* Fill every callee-saved register with a value derived from seed, call fn(arg), and return
 * the mask of registers that did not survive (0: all did).  Bits: x86-64 0 rbx, 1 rbp,
 * 2-5 r12-r15; aarch64 0-9 x19-x28, 10-17 d8-d15. */
uint64_t regs_keep_across(void (*fn)(void *), void *arg, uint64_t seed);

/* Also the stack pointer as seen at the call of this function (its entry sp): 16-byte
 * alignment checks.  x86-64: the entry sp holds the return address, so an aligned caller
 * gives sp % 16 == 8; aarch64: sp % 16 == 0. */
uintptr_t regs_entry_sp(void);

#endif
