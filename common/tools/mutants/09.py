# Mutants of lab 09-stackless: one plausible student mistake each (see common/tools/mutants.py).
# M(name, file, one-line description, old text, new text): old must occur exactly once.

M("sm_state_advanced_before_pending", "async_sm.c",
  "the state moves on before the poll's PENDING is checked: a resume skips the read",
  """			rc = sim_read_poll(c->io, &c->a);
			if (rc == CORO_PENDING)
				return CORO_PENDING;
			if (rc < 0)
				goto finish;
			c->state = ADD_READ_B;""",
  """			rc = sim_read_poll(c->io, &c->a);
			c->state = ADD_READ_B;
			if (rc == CORO_PENDING)
				return CORO_PENDING;
			if (rc < 0)
				goto finish;""")

M("sm_done_resumes_ready", "async_sm.c",
  "resuming a finished state machine reports READY again instead of -EALREADY",
  """		case ADD_DONE: return -EALREADY;""",
  """		case ADD_DONE: return CORO_READY;""")

M("sm_value_in_local_across_await", "async_sm.c",
  "the value read is kept in a local across the write's await (lost when the write pends)",
  """			c->total += v;
			c->state = SUM_WRITE_TOTAL;
			break;
		case SUM_WRITE_TOTAL:
			rc = sim_write_poll(c->io, c->total);
			if (rc == CORO_PENDING)
				return CORO_PENDING;
			if (rc < 0)
				goto finish;
			c->i++; /* the loop's back edge */""",
  """			c->state = SUM_WRITE_TOTAL;
			break;
		case SUM_WRITE_TOTAL:
			rc = sim_write_poll(c->io, c->total + v);
			if (rc == CORO_PENDING)
				return CORO_PENDING;
			if (rc < 0)
				goto finish;
			c->total += v;
			c->i++; /* the loop's back edge */""")

M("sm_zero_count_reads_a_value", "async_sm.c",
  "a stream of n = 0 values still reads one value (a do-while where the loop is a while)",
  """			c->state = c->n > 0 ? SUM_READ_V : SUM_WRITE_N;""",
  """			c->state = SUM_READ_V;""")

M("ptl_total_reset_each_resume", "async_pt_line.c",
  "the running total is set to 0 before PTL_BEGIN: every resume forgets it",
  """	PTL_BEGIN(&c->pt);
	c->total = 0;""",
  """	c->total = 0;
	PTL_BEGIN(&c->pt);""")

M("ptg_error_not_reported", "async_pt_goto.c",
  "a failed write ends the coroutine with result 0 (the error is dropped)",
  """		if (rc < 0) {
			c->result = rc;
			PTG_EXIT(&c->pt);
		}""",
  """		if (rc < 0) {
			c->result = 0;
			PTG_EXIT(&c->pt);
		}""")

M("gen_exhausted_not_marked", "gen.c",
  "gen_next does not remember that the generator finished (resumes a finished body)",
  """		g->state = GEN_EXHAUSTED;
""",
  "")

M("range_overflow_unchecked", "gen.c",
  "range adds step without the overflow check: near LONG_MAX it wraps around",
  """		if (r->step > 0 ? r->cur > LONG_MAX - r->step : r->cur < LONG_MIN - r->step)
			break;
""",
  "")

M("take_pulls_one_too_many", "gen.c",
  "take asks the inner generator for a value before checking that it still needs one",
  """	while (t->left > 0 && (rc = gen_next(t->inner, &v)) == 1) {""",
  """	while ((rc = gen_next(t->inner, &v)) == 1 && t->left > 0) {""")

M("filter_error_swallowed", "gen.c",
  "filter ends normally when its inner generator fails (the error is lost)",
  """	if (rc < 0) {
		f->pt.lc = PTL_LC_DONE;
		return rc;
	}
""",
  "")

M("http_bare_lf_accepted", "http_req.c",
  "a bare LF inside a head line is taken as part of the line",
  """			if (c == '\\n' || c == '\\0') /* a bare LF ends no line here; NUL cuts one */""",
  """			if (c == '\\0')""")

M("http_split_crlf", "http_req.c",
  "after a CR the LF is looked for in the same chunk: a CRLF split across feeds is a 400",
  """		HTTP_NEXT(p, c);
		if (p->req.head_len > HTTP_REQ_MAX_HEAD)
			HTTP_FINISH(p, -413);
		if (c != '\\n')""",
  """		if (p->in >= p->end)
			HTTP_FINISH(p, -400);
		c = *p->in++;
		p->req.head_len++;
		if (c != '\\n')""")

M("http_length_overflows", "http_req.c",
  "Content-Length digits accumulate without a bound: 20 digits wrap to a small length",
  """			if (len <= HTTP_REQ_MAX_BODY) /* stop growing: no overflow, still > max */
				len = len * 10 + (*d - '0');""",
  """			len = len * 10 + (*d - '0');""")

M("http_duplicate_host_ok", "http_req.c",
  "a second Host header is accepted",
  """		if (p->have_host)
			return -400;
""",
  "")

M("http_10_keep_alive_default", "http_req.c",
  "HTTP/1.0 keeps the connection open without Connection: keep-alive",
  """	p->req.keep_alive = !p->conn_close && (p->req.minor == 1 || p->conn_keep_alive);""",
  """	p->req.keep_alive = !p->conn_close;""")

M("rr_failed_task_resumed", "sched.c",
  "a task that ended with an error is resumed again (and counted finished twice)",
  """			if (t->status == CORO_READY || t->status < 0)
				continue;""",
  """			if (t->status == CORO_READY)
				continue;""")

M("rr_max_rounds_off_by_one", "sched.c",
  "the round limit allows one round more than max_rounds",
  """		if (rounds == max_rounds)""",
  """		if (rounds == max_rounds + 1)""")
