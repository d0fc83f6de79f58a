bench_resume: bench_resume.c /work/wt/s-lab09/common/include/asl/bench.h \
 /work/wt/s-lab09/common/include/asl/util.h stackless.h coro.h pt_goto.h \
 /work/wt/s-lab09/common/include/asl/todo.h pt_line.h
/work/wt/s-lab09/common/include/asl/bench.h:
/work/wt/s-lab09/common/include/asl/util.h:
stackless.h:
coro.h:
pt_goto.h:
/work/wt/s-lab09/common/include/asl/todo.h:
pt_line.h:
