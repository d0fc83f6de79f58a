/*
 * http_parse_coro.h - lab 07's parser state, for this lab's resumable parser.
 *
 * Lab 07's http.h includes this header instead of defining struct http_parser itself when
 * HTTP_PARSER_STATE names it (the Makefile does so for serve_http_coro and the lab-07 files
 * built into it).  Nothing else changes on lab 07's side: http_server.c embeds a struct
 * http_parser in each connection and calls http_parser_init / http_parser_feed as before;
 * http_parse_coro.c implements those two with http_req_parser_feed.
 */
#ifndef LAB09_HTTP_PARSE_CORO_H
#define LAB09_HTTP_PARSE_CORO_H

#include <stdbool.h>
#include <stddef.h>

#include "http_req.h"

struct http_parser {
	struct http_req_parser coro; /* the head parser: suspended between feeds */
	size_t fed;                  /* bytes of the current request already given to coro */
	bool head_done;              /* coro said HTTP_REQ_DONE: only the body is still awaited */
	bool answered; /* the last feed returned a request: start afresh on the next one */
	size_t max_head, max_body; /* read by lab 07's server (how much input to buffer) */
};

#endif
