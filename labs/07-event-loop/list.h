/*
 * list.h - the intrusive doubly linked list that every server of this lab keeps its
 * connections (and the latency injector its requests) on.
 *
 * "Intrusive": the links live in the listed struct itself (members named prev and next), so
 * putting a connection on the list allocates nothing, and removing it is O(1) from the struct
 * alone, which is what a close from inside any callback needs.  The list is a pointer to its
 * first element (NULL when empty); the first element's prev is NULL.
 *
 * These are macros rather than functions because C has no generics: they work on any struct
 * with prev and next members of its own type (<sys/queue.h> does the same).  Each argument is
 * evaluated more than once: pass plain names (&s->conns, c), never expressions with effects.
 */
#ifndef LIST_H
#define LIST_H

#include <stddef.h>

/* Put x at the front of the list whose first element is *head. */
#define list_push(head, x)                     \
	do {                                   \
		(x)->prev = NULL;              \
		(x)->next = *(head);           \
		if (*(head))                   \
			(*(head))->prev = (x); \
		*(head) = (x);                 \
	} while (0)

/* Take x off the list whose first element is *head (x must be on it). */
#define list_remove(head, x)                         \
	do {                                         \
		if ((x)->prev)                       \
			(x)->prev->next = (x)->next; \
		else                                 \
			*(head) = (x)->next;         \
		if ((x)->next)                       \
			(x)->next->prev = (x)->prev; \
	} while (0)

#endif
