/*
 * asl/todo.h - how an unfinished step in a skeleton fails.
 *
 * The skeletons in labs/ are generated from solutions/: every region the student writes is
 * replaced by a TODO comment and a stub built from these macros.  A stub compiles cleanly under
 * -Wall -Wextra -Werror, prints once which step is missing, and returns an error the tests
 * report ("expected 42, got -38 (ENOSYS)").  It never pretends to work.
 */
#ifndef ASL_TODO_H
#define ASL_TODO_H

#include <errno.h>

#ifndef ASL_LAB
#define ASL_LAB "?"
#endif

/* Print "lab LAB step STEP (function) is not implemented yet" once; returns -ENOSYS. */
int asl_todo(const char *lab, int step, const char *func);

/* `return LAB_TODO(3);` in an int-returning function (0/-errno convention). */
#define LAB_TODO(step) asl_todo(ASL_LAB, (step), __func__)

/* For functions returning a pointer: reports the step, returns NULL with errno = ENOSYS. */
#define LAB_TODO_PTR(step) ((void)asl_todo(ASL_LAB, (step), __func__), errno = ENOSYS, (void *)0)

/* For void functions and for code that must not continue: reports the step and aborts. */
#define LAB_TODO_ABORT(step) asl_todo_abort(ASL_LAB, (step), __func__)
_Noreturn void asl_todo_abort(const char *lab, int step, const char *func);

/* Silence "unused parameter" in a stub: LAB_UNUSED(a, b, c); (one to eight names). */
#define LAB_UNUSED_1(a) (void)(a)
#define LAB_UNUSED_2(a, ...) ((void)(a), LAB_UNUSED_1(__VA_ARGS__))
#define LAB_UNUSED_3(a, ...) ((void)(a), LAB_UNUSED_2(__VA_ARGS__))
#define LAB_UNUSED_4(a, ...) ((void)(a), LAB_UNUSED_3(__VA_ARGS__))
#define LAB_UNUSED_5(a, ...) ((void)(a), LAB_UNUSED_4(__VA_ARGS__))
#define LAB_UNUSED_6(a, ...) ((void)(a), LAB_UNUSED_5(__VA_ARGS__))
#define LAB_UNUSED_7(a, ...) ((void)(a), LAB_UNUSED_6(__VA_ARGS__))
#define LAB_UNUSED_8(a, ...) ((void)(a), LAB_UNUSED_7(__VA_ARGS__))
#define LAB_UNUSED_PICK(_1, _2, _3, _4, _5, _6, _7, _8, name, ...) name
#define LAB_UNUSED(...)                                                                      \
	LAB_UNUSED_PICK(__VA_ARGS__, LAB_UNUSED_8, LAB_UNUSED_7, LAB_UNUSED_6, LAB_UNUSED_5, \
			LAB_UNUSED_4, LAB_UNUSED_3, LAB_UNUSED_2, LAB_UNUSED_1, )            \
	(__VA_ARGS__)

#endif
