# lab.mk - the build rules of every lab, written once.
#
# A lab's Makefile names its parts and includes this file:
#
#   LAB      := 01-memory                 # directory name, also the tests/ directory
#   LIB_SRCS := load_store.c ...           # the student's code (.c and .S), built into liblab.a
#   DEMOS    := demo_wild_pointer ...      # demo_*.c programs, run by `make demo`
#   BENCHES  := bench_memory               # timing harnesses, run by `make bench`
#   DRIVERS  := stress_counter             # standalone drivers for `make tsan` / `make valgrind`
#   APPS     := serve_echo load_client     # other programs (servers, clients): built, not run
#   OPTIONAL := echo_uv                    # programs built only where a header is installed:
#   NEEDS_echo_uv := uv.h                  #   the header it needs
#   PKG_echo_uv   := libuv1-dev            #   the Debian package that provides it
#   LDLIBS_echo_uv := -luv                 # extra libraries of one program
#   LDLIBS   += -lpthread                  # extra libraries
#   LAB_DEPS := uring                      # deps.sh groups needed to build and test
#   BENCH_DEPS := libuv wrk                # deps.sh groups needed by the harnesses only
#   USES_LABS := 07-event-loop             # earlier labs whose library this one links
#   ASL_TOP  ?= ../..                      # where common/ and tests/ live
#   include $(ASL_TOP)/common/mk/lab.mk
#
# Targets (run `make help`): all test test-raw watch hint demo bench bench-quick asan tsan
# valgrind cross clean.  Everything is built under $(BUILD) (default build/), never beside the sources, so no
# target can touch a file the student wrote.

ASL_TOP  := $(abspath $(ASL_TOP))
SHELL    := /bin/bash
BUILD    ?= build
SAN      ?=
CC       ?= cc
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
TESTS_DIR := $(ASL_TOP)/tests/$(LAB)
TOOLS    := $(ASL_TOP)/common/tools
PYTHON   ?= python3

# -O2 in every mode, sanitizers included: the student's code is compiled the same way for
# `make test` and `make asan`, so a warning that -Werror turns into an error (-Wclobbered
# around sigsetjmp depends on the optimisation level) bites in both or in neither.
OPT      := -O2
ifeq ($(SAN),asan)
OPT      := -O2 -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
endif
ifeq ($(SAN),tsan)
OPT      := -O2 -fsanitize=thread -fno-omit-frame-pointer
endif

# Quiet by default ("  CC    chan.c"); `make V=1` prints every command in full.
V ?= 0
ifeq ($(V),1)
Q   :=
say  = @true
else
Q   := @
say  = @printf '  %-5s %s\n' '$(1)' '$(2)'
endif

CPPFLAGS += -D_GNU_SOURCE -I. -I$(ASL_TOP)/common/include -DASL_LAB='"$(LAB)"' \
	    -DASL_CFLAGS='"$(OPT)"' -DASL_BUILD_DIR='"$(abspath $(BUILD))"'
CFLAGS   += -std=c11 -Wall -Wextra -Werror -g $(OPT) -MMD -MP
ASFLAGS  += -g $(filter -fsanitize%,$(OPT))
LDFLAGS  += $(filter -fsanitize%,$(OPT))
LDLIBS   += -lm

# A lab built on an earlier one (lab 08's fibers park on lab 07's loop) links that lab's
# library FROM THE SAME TREE: ../NN-name is the student's own lab in labs/ (so their work
# carries forward) and the reference in solutions/.  A sub-make builds it into this lab's
# build directory, with the same compiler and sanitizer; its headers come from ../NN-name.
USES_LIBS   := $(foreach u,$(USES_LABS),$(BUILD)/uses/$(u)/liblab.a)
CPPFLAGS    += $(addprefix -I../,$(USES_LABS))
LIB_OBJS    := $(patsubst %.c,$(BUILD)/obj/%.o,$(patsubst %.S,$(BUILD)/obj/%.o,$(LIB_SRCS)))
COMMON_SRCS := $(wildcard $(ASL_TOP)/common/src/*.c)
COMMON_OBJS := $(patsubst $(ASL_TOP)/common/src/%.c,$(BUILD)/common/%.o,$(COMMON_SRCS))
TEST_SRCS   := $(wildcard $(TESTS_DIR)/*.c)
# the test library (common/test/*.c: the grading hooks and the helpers) goes in every runner
ASL_TEST_SRCS := $(wildcard $(ASL_TOP)/common/test/*.c)
TEST_OBJS   := $(patsubst $(TESTS_DIR)/%.c,$(BUILD)/tests/%.o,$(TEST_SRCS)) \
	       $(patsubst $(ASL_TOP)/common/test/%.c,$(BUILD)/tests/asl/%.o,$(ASL_TEST_SRCS))
# An optional program is built only where its header is installed; `make` names the ones left
# out and the package that would add them, and harnesses that use one report its absence.
asl_have_header = $(shell printf '#include <%s>\n' '$(1)' | $(CC) -E -x c - >/dev/null 2>&1 && echo y)
OPTIONAL_BUILT   := $(foreach p,$(OPTIONAL),$(if $(call asl_have_header,$(NEEDS_$(p))),$(p)))
OPTIONAL_MISSING := $(filter-out $(OPTIONAL_BUILT),$(OPTIONAL))
PROGRAMS    := $(DEMOS) $(BENCHES) $(DRIVERS) $(APPS) $(OPTIONAL_BUILT)
PROG_BINS   := $(addprefix $(BUILD)/,$(PROGRAMS))
RUNNER      := $(BUILD)/test_runner

# plot compare: plots/render.sh
.PHONY: plot compare
.PHONY: all lib programs runner test test-raw demo bench bench-quick asan tsan valgrind cross \
	cross-run clean help deps bench-deps tsan-if-any watch hint
.DEFAULT_GOAL := all

all: lib programs $(if $(TEST_SRCS),runner)

help:
	@echo "lab $(LAB):"
	@echo "  make            build the library, demos, harnesses and the test runner"
	@echo "  make test       run the graded tests: a table of steps, points and failures"
	@echo "                  STEP=3: only the tests of step 3; TEST='chan_timeout::*': only those"
	@echo "  make test-raw   run the Criterion runner directly (all of its output; TEST= too)"
	@echo "  make watch      rerun the current step's tests on every save of your files, and"
	@echo "                  move on to the next step when it passes (h + Enter: the hint;"
	@echo "                  STEP=N: start at step N; HINT=1: the hint under every failure)"
	@echo "  make hint       the current step's TODO text and workbook paragraph (STEP=N)"
	@echo "  make demo       run every demo ($(DEMOS))"
	@echo "  make bench      run the timing harness(es); data -> $(patsubst $(ASL_TOP)/%,%,$(BENCH_OUT))/"
	@echo "                 FULL=1: the long sweeps too (e.g. 10,000 threads); minutes, not seconds"
	@echo "  make plot       draw this lab's figures from that data -> plots/$(if $(RENDER_MODE),mine/)out/"
	@echo "  make compare    your numbers over the reference's, one figure each -> plots/mine/out/"
	@echo "  make bench-quick  run each harness briefly and check its data file"
	@echo "  make asan       tests built with AddressSanitizer + UndefinedBehaviorSanitizer"
	@echo "  make tsan       stress drivers under ThreadSanitizer (threaded labs)"
	@echo "  make valgrind   stress drivers under valgrind (leaks and memory errors)"
	@echo "  make cross      compile the sources for aarch64 (needs gcc-aarch64-linux-gnu)"
	@echo "  make cross-run  run the aarch64 build of the stress drivers under qemu-user"
	@echo "  make clean      remove build/ (your sources are never touched)"

lib: $(BUILD)/liblab.a $(BUILD)/libasl.a
programs: $(PROG_BINS)
	@$(foreach p,$(OPTIONAL_MISSING),echo "note: $(p) not built: <$(NEEDS_$(p))> is missing \
		(apt-get install $(PKG_$(p)))";) true
runner: $(RUNNER)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@
$(BUILD)/obj/%.o: %.S
	@mkdir -p $(dir $@)
	$(call say,AS,$<)
	$(Q)$(CC) $(CPPFLAGS) $(ASFLAGS) -c $< -o $@
$(BUILD)/common/%.o: $(ASL_TOP)/common/src/%.c
	@mkdir -p $(dir $@)
	$(call say,CC,common/$(notdir $<))
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@
$(BUILD)/tests/%.o: $(TESTS_DIR)/%.c
	@mkdir -p $(dir $@)
	$(call say,CC,tests/$(LAB)/$(notdir $<))
	$(Q)$(CC) $(CPPFLAGS) -I$(ASL_TOP)/common/test $(CFLAGS) -c $< -o $@
$(BUILD)/tests/asl/%.o: $(ASL_TOP)/common/test/%.c
	@mkdir -p $(dir $@)
	$(call say,CC,common/test/$(notdir $<))
	$(Q)$(CC) $(CPPFLAGS) -I$(ASL_TOP)/common/test $(CFLAGS) -c $< -o $@

$(BUILD)/liblab.a: $(LIB_OBJS)
	@rm -f $@
	$(call say,AR,$@)
	$(Q)$(AR) rcs $@ $^
$(BUILD)/libasl.a: $(COMMON_OBJS)
	@rm -f $@
	$(call say,AR,$@)
	$(Q)$(AR) rcs $@ $^

$(BUILD)/%: $(BUILD)/obj/%.o $(BUILD)/liblab.a $(USES_LIBS) $(BUILD)/libasl.a
	$(call say,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $< $(BUILD)/liblab.a $(USES_LIBS) $(BUILD)/libasl.a $(LDLIBS_$*) $(LDLIBS) -o $@

# The runner depends on the programs: some tests run a demo and check how it died.
$(RUNNER): $(TEST_OBJS) $(BUILD)/liblab.a $(USES_LIBS) $(BUILD)/libasl.a $(PROG_BINS)
	$(call say,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $(TEST_OBJS) $(BUILD)/liblab.a $(USES_LIBS) $(BUILD)/libasl.a -lcriterion $(LDLIBS) -o $@

# The earlier lab's library (USES_LABS): always asks its sub-make, which rebuilds only what
# changed.  A lab that does not build stops here with a message naming it.
$(BUILD)/uses/%/liblab.a: FORCE
	$(Q)$(MAKE) --no-print-directory -C ../$* ASL_TOP=$(ASL_TOP) CC=$(CC) SAN=$(SAN) \
		BUILD=$(abspath $(BUILD))/uses/$* $(abspath $(BUILD))/uses/$*/liblab.a || \
		{ echo "lab $(LAB) uses your lab $* (../$*), and it does not build: fix it first"; exit 1; }
# FORCE must be phony: under `.SECONDARY:` (below, every target) a missing FORCE would count as
# an intermediate file not worth making, and the earlier lab's library would never be rebuilt
# after an edit there (lab 11 linked lab 08's old library after lab 08 changed).
.PHONY: FORCE
FORCE:

# Object files are kept (no "rm build/obj/x.o" after each build, and faster rebuilds).
.SECONDARY:

# What this lab needs is installed (as root) or named with the exact command (otherwise),
# before anything is built: common/tools/deps.sh holds the one list of packages.
deps:
	@$(TOOLS)/deps.sh test grade $(LAB_DEPS)
bench-deps:
	@$(TOOLS)/deps.sh test grade $(LAB_DEPS) $(BENCH_DEPS)

# STEP=3 runs only the tests of step 3 (tests/NN/points), TEST='suite::*' only those tests.
FOCUS = $(if $(STEP),--step '$(STEP)') $(if $(TEST),--test '$(TEST)')
test: deps
	@$(PYTHON) $(TOOLS)/grade.py --lab-dir . --lab $(LAB) $(FOCUS)

test-raw: deps
	@$(MAKE) --no-print-directory runner
	$(RUNNER) -j$(JOBS) --short-filename $(if $(TEST),'--filter=$(subst ::,/,$(TEST))')

# The tests of the current step, rerun whenever one of the student's files is saved
# (inotifywait where inotify-tools is installed, else a look at their times once a second).
watch: deps
	@$(TOOLS)/deps.sh watch || echo "watch: no inotifywait: watching by polling once a second"
	@$(PYTHON) $(TOOLS)/watch.py --lab-dir . --lab $(LAB) $(if $(STEP),--step '$(STEP)') \
		$(if $(HINT),--with-hint) $(if $(ONCE),--once)
hint: deps
	@$(PYTHON) $(TOOLS)/watch.py --lab-dir . --lab $(LAB) --hint $(if $(STEP),--step '$(STEP)')

# Each demo is run in turn; DEMO_EXPECT_<name> := SIGSEGV says a demo is meant to die of that
# signal (run_demo.sh checks it really does, and fails otherwise).
# A target that would run nothing fails instead of looking like a success.
nothing = { echo "$(1): lab $(LAB) has nothing to run ($(2) is empty)"; exit 1; }

demo: deps
	@$(if $(strip $(DEMOS)),true,$(call nothing,demo,DEMOS))
	@$(MAKE) --no-print-directory programs
	@$(foreach d,$(DEMOS),$(TOOLS)/run_demo.sh $(BUILD)/$(d) "$(DEMO_EXPECT_$(d))" &&) true

# Each tree's numbers have their own directory, so that measuring your code never overwrites
# the reference's data (`make plots`), nor the reference yours: a lab under solutions/ writes
# plots/data/, any other tree (labs/, a student's copy) plots/mine/data/.  plots/render.sh
# reads the one (default), the other (--mine) or both in one figure (--compare).
ASL_TREE  := $(notdir $(patsubst %/,%,$(dir $(CURDIR))))
BENCH_OUT ?= $(ASL_TOP)/plots/$(if $(filter solutions,$(ASL_TREE)),,mine/)data
RENDER_MODE := $(if $(filter solutions,$(ASL_TREE)),,--mine)
bench: bench-deps
	@$(if $(strip $(BENCHES)),true,$(call nothing,bench,BENCHES))
	@$(MAKE) --no-print-directory programs
	@mkdir -p $(BENCH_OUT)
	@for b in $(BENCHES); do $(BUILD)/$$b --out $(BENCH_OUT) $(if $(FULL),--full) $(BENCH_ARGS) \
		|| exit 1; done

# This lab's figures from this tree's data, and (compare) the student's numbers drawn over the
# reference's on the same axes: plots/mine/out/NAME-compare.png.
plot:
	@$(ASL_TOP)/plots/render.sh $(RENDER_MODE) $(LAB)
compare:
	@$(ASL_TOP)/plots/render.sh --compare $(LAB)

bench-quick: bench-deps
	@$(if $(strip $(BENCHES)),true,$(call nothing,bench-quick,BENCHES))
	@$(MAKE) --no-print-directory programs
	@rm -rf $(BUILD)/bench-quick && mkdir -p $(BUILD)/bench-quick
	@for b in $(BENCHES); do \
		$(BUILD)/$$b --quick --out $(BUILD)/bench-quick > $(BUILD)/bench-quick/$$b.log 2>&1 \
		|| { cat $(BUILD)/bench-quick/$$b.log; echo "bench-quick: $$b failed"; exit 1; }; \
	done
	@$(PYTHON) $(TOOLS)/check_tsv.py $(BUILD)/bench-quick/*.tsv

# Sanitizer builds live in their own build directories and run the test runner (ASan+UBSan)
# or the standalone drivers (TSan aborts inside Criterion 2.4.1's runner, upstream #274).
ASAN_ENV := ASAN_OPTIONS=abort_on_error=0:detect_leaks=1:allow_user_segv_handler=1:$(ASAN_EXTRA) \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
asan: deps
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/asan SAN=asan runner programs
	@# -j1: Criterion 2.4.1's runner leaks a 48-byte block of its own when it runs tests in
	@# parallel.  A leak inside a test worker does not fail the test, so the log is searched.
	@set -o pipefail; $(ASAN_ENV) $(BUILD)/asan/test_runner -j1 --short-filename 2>&1 \
		| tee $(BUILD)/asan/test_runner.log
	@n=$$(grep -Eo 'Tested: [0-9]+' $(BUILD)/asan/test_runner.log | tail -1 | grep -Eo '[0-9]+'); \
		[ "$${n:-0}" -gt 0 ] || { echo "asan: no test of lab $(LAB) ran (tests/$(LAB) missing?)"; exit 1; }
	@! grep -q "ERROR: LeakSanitizer" $(BUILD)/asan/test_runner.log || \
		{ echo "asan: a test leaked memory (see the LeakSanitizer report above)"; exit 1; }
	@for d in $(DRIVERS); do echo "== $$d (asan)"; $(ASAN_ENV) $(BUILD)/asan/$$d || exit 1; done
	@for b in $(BENCHES); do echo "== $$b --quick (asan)"; \
		$(ASAN_ENV) $(BUILD)/asan/$$b --quick --out $(BUILD)/asan/bench > /dev/null || exit 1; done
	@echo "asan: $(LAB) clean under AddressSanitizer + UndefinedBehaviorSanitizer"

# `make tsan` in a lab without threaded code fails (it would check nothing); the top level
# uses tsan-if-any to go over every lab.
tsan-if-any:
ifeq ($(strip $(DRIVERS)),)
	@echo "tsan: $(LAB) has no threaded code: skipped"
else
	@$(MAKE) --no-print-directory tsan
endif

tsan:
ifeq ($(strip $(DRIVERS)),)
	@$(call nothing,tsan,DRIVERS)
else
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/tsan SAN=tsan $(addprefix $(BUILD)/tsan/,$(DRIVERS))
	@for d in $(DRIVERS); do echo "== $$d (tsan)"; \
		TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 $(TSAN_EXTRA)" $(BUILD)/tsan/$$d || exit 1; done
	@echo "tsan: $(LAB) drivers clean under ThreadSanitizer"
endif

VALGRIND_PROGRAMS ?= $(DRIVERS)
valgrind: deps
	@$(TOOLS)/deps.sh valgrind
	@$(if $(strip $(VALGRIND_PROGRAMS)),true,$(call nothing,valgrind,VALGRIND_PROGRAMS))
	@$(MAKE) --no-print-directory programs
	@# VALGRIND_ARGS_<program> passes arguments (e.g. --quick: valgrind is ~50x slower)
	@$(foreach d,$(VALGRIND_PROGRAMS),echo "== $(d) $(VALGRIND_ARGS_$(d)) (valgrind)" && \
		valgrind -q --leak-check=full --show-leak-kinds=definite,indirect \
		  --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
		  $(BUILD)/$(d) $(VALGRIND_ARGS_$(d)) > /dev/null &&) true
	@echo "valgrind: $(LAB) no leaks, no memory errors"

CROSS_CC ?= aarch64-linux-gnu-gcc
cross:
	@$(if $(filter aarch64-linux-gnu-gcc,$(CROSS_CC)),$(TOOLS)/deps.sh cross)
	@command -v $(CROSS_CC) >/dev/null || { echo "cross: $(CROSS_CC) not found (apt-get install gcc-aarch64-linux-gnu)"; exit 1; }
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/cross-aarch64 CC=$(CROSS_CC) \
		$(addprefix $(BUILD)/cross-aarch64/obj/,$(patsubst %.S,%.o,$(patsubst %.c,%.o,$(LIB_SRCS) $(addsuffix .c,$(PROGRAMS)))))
	@echo "cross: $(LAB) compiles for aarch64"

# Run the aarch64 builds, not just compile them: CROSS_RUN (default: the stress drivers) linked
# statically for aarch64 and run under qemu-user.  This executes the aarch64 inline assembly.
CROSS_RUN ?= $(DRIVERS)
QEMU_AARCH64 ?= qemu-aarch64
cross-run:
	@$(if $(filter aarch64-linux-gnu-gcc,$(CROSS_CC)),$(TOOLS)/deps.sh cross qemu)
	@$(if $(strip $(CROSS_RUN)),true,$(call nothing,cross-run,CROSS_RUN))
	@command -v $(CROSS_CC) >/dev/null || { echo "cross-run: $(CROSS_CC) not found (apt-get install gcc-aarch64-linux-gnu)"; exit 1; }
	@command -v $(QEMU_AARCH64) >/dev/null || { echo "cross-run: $(QEMU_AARCH64) not found (apt-get install qemu-user)"; exit 1; }
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/cross-run CC=$(CROSS_CC) LDFLAGS=-static \
		$(addprefix $(BUILD)/cross-run/,$(CROSS_RUN))
	@$(foreach p,$(CROSS_RUN),echo "== $(p) $(CROSS_RUN_ARGS_$(p)) (aarch64, qemu-user)" && \
		$(QEMU_AARCH64) $(BUILD)/cross-run/$(p) $(CROSS_RUN_ARGS_$(p)) > /dev/null &&) true
	@echo "cross-run: $(LAB) runs on aarch64 (under qemu-user): $(or $(CROSS_RUN),nothing to run)"

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
