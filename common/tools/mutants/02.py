# Mutants of lab 02-syscalls: one plausible student mistake each (see common/tools/mutants.py).
# M(name, file, one-line description, old text, new text): old must occur exactly once.

M("raw_write_reports_requested_length", "sys_calls.c",
  "issue 11 bullet 1: raw write reports the requested length, not the kernel's count",
  """	return sys_raw3(SYS_write, fd, (long)buf, (long)len);""",
  """	long r = sys_raw3(SYS_write, fd, (long)buf, (long)len);
	return r < 0 ? r : (ssize_t)len;""")

M("nolibc_print_one_write", "nolibc_hello.c",
  "issue 11 bullet 1: no-libc print with one write that ignores a short count",
  """	while (len > 0) {
		long n = nl_syscall3(__NR_write, fd, (long)s, (long)len);
		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}""",
  """	nl_syscall3(__NR_write, fd, (long)s, (long)len);""")

M("sys_raw4_arg_in_rcx", "sys_raw.c",
  "4th argument in rcx (the C ABI register) instead of r10",
  """	register long r10 __asm__("r10") = a4;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10)
			 : "rcx", "r11", "memory");""",
  """	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "c"(a4)
			 : "r11", "memory");""")

M("sys_raw3_no_rcx_r11_clobber", "sys_raw.c",
  "sys_raw3 forgets that syscall destroys rcx and r11",
  """			 : "a"(nr), "D"(a1), "S"(a2), "d"(a3)
			 : "rcx", "r11", "memory");
#else
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a1;
	register long x1 __asm__("x1") = a2;
	register long x2 __asm__("x2") = a3;
	__asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");""",
  """			 : "a"(nr), "D"(a1), "S"(a2), "d"(a3)
			 : "memory");
#else
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a1;
	register long x1 __asm__("x1") = a2;
	register long x2 __asm__("x2") = a3;
	__asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");""")

M("sys_raw2_no_memory_clobber", "sys_raw.c",
  "sys_raw2 without the memory clobber",
  """			 : "a"(nr), "D"(a1), "S"(a2)
			 : "rcx", "r11", "memory");""",
  """			 : "a"(nr), "D"(a1), "S"(a2)
			 : "rcx", "r11");""")

M("raw_write_errno_style", "sys_calls.c",
  "sys_calls_write returns -1 like libc instead of -errno",
  """	return sys_raw3(SYS_write, fd, (long)buf, (long)len);""",
  """	long r = sys_raw3(SYS_write, fd, (long)buf, (long)len);
	return r < 0 ? -1 : r;""")

M("raw_exit_is_thread_exit", "sys_calls.c",
  "SYS_exit ends only the calling thread",
  """	sys_raw1(SYS_exit_group, status);""",
  """	sys_raw1(SYS_exit, status);""")

M("nolibc_argv_off_by_one", "nolibc_hello.c",
  "argv read one slot too far (argv[1] seen as argv[0])",
  """	argv = (char **)(sp + 1);""",
  """	argv = (char **)(sp + 2);""")

M("nolibc_status_checked_at_end", "nolibc_hello.c",
  "range checked only at the end: wraps around on long numbers",
  """		v = v * 10 + (*s - '0');
		if (v > 255) /* checked per digit, so a long string cannot overflow v */
			return -1;
	}
	return v;""",
  """		v = v * 10 + (*s - '0');
	}
	if (v > 255)
		return -1;
	return v;""")

M("nolibc_print_stops_on_short", "nolibc_hello.c",
  "print gives up on any short count (treats it as an error)",
  """		if (n <= 0)
			return;
		s += n;""",
  """		if (n < (long)len)
			return;
		s += n;""")

M("sys_raw1_no_memory_clobber", "sys_raw.c",
  "sys_raw1 without the memory clobber",
  """	__asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a1) : "rcx", "r11", "memory");""",
  """	__asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a1) : "rcx", "r11");""")
