# asynclabs - top-level targets.  `make` (or `make help`) lists them.
#
# Students work in labs/; the reference is solutions/; tests/ holds the graded suites.  Every
# target here builds under each lab's build/ directory or grade-out/, and the only target that
# writes into labs/ (`skeletons`) never overwrites a file the student changed.

SHELL    := /bin/bash
TOOLS    := common/tools
PYTHON   ?= python3
LABS     := $(sort $(notdir $(wildcard solutions/[0-9][0-9]-*)))
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
STUDENT  ?= labs
# LAB=01 (or LAB=01-memory) restricts a target to one lab.  Anything else is an error that
# names the labs, never a silent run over nothing.
ifneq ($(strip $(LAB)),)
SEL_LABS := $(filter $(LAB) $(LAB)-%,$(LABS))
ifneq ($(words $(SEL_LABS)),1)
$(error LAB=$(LAB) is not a lab.  Use LAB=NN or LAB=NN-name, one of: $(LABS))
endif
override LAB := $(SEL_LABS)
else
SEL_LABS := $(LABS)
endif
# LAB= is this Makefile's; a lab's own Makefile sets its own LAB, and the value given here on
# the command line must not reach it through MAKEFLAGS.
MAKEOVERRIDES := $(filter-out LAB=%,$(MAKEOVERRIDES))
# The Debian packages (common/tools/deps.sh groups) every selected lab needs to build and test,
# and in addition for its harnesses: read from LAB_DEPS / BENCH_DEPS in the labs' Makefiles.
lab_var   = $(strip $(foreach l,$(SEL_LABS),$(shell sed -n 's/^$(1) *:= *\([^#]*\).*/\1/p' solutions/$(l)/Makefile)))
DEPS_TEST := test grade $(call lab_var,LAB_DEPS)
DEPS_PLOT := $(DEPS_TEST) plots $(call lab_var,BENCH_DEPS)
GRADE_FLAGS = $(if $(LAB),--lab $(LAB)) $(if $(JSON),--json $(JSON)) $(if $(JUNIT),--junit $(JUNIT)) \
	      $(if $(TEST),--test '$(TEST)') $(if $(STEP),--step '$(STEP)') --jobs $(JOBS)

.PHONY: plots-full help all check grade gradebook gradescope plots status clean skeletons teeth drift asan tsan valgrind cross cross-run \
	watch hint format format-check \
	bench-quick plots-quick deps plot-deps $(LABS)
.DEFAULT_GOAL := help

help:
	@echo "asynclabs - staged C labs on asynchronous programming (see README.md, workbook.md)"
	@echo
	@echo "  make plots       run every timing harness on the reference solutions; figures -> plots/out/"
	@echo "                   (QUICK=1: every harness for about a second, every figure drawn: a smoke test;"
	@echo "                    FULL=1: the long sweeps too, e.g. 10,000 threads; much longer)"
	@echo "  make check       all tests on solutions/, skeleton drift check, teeth check (skeleton fails)"
	@echo "  make status      your progress in labs/: which steps pass, what to do next"
	@echo "                   (reruns only the labs whose files changed since; FRESH=1 reruns all)"
	@echo "  make watch       the tests of your next unfinished step, rerun on every save; moves on"
	@echo "                   when the step passes (h + Enter: hint; LAB=NN, STEP=N, HINT=1)"
	@echo "  make hint        the TODO text and workbook paragraph of your next step (LAB=NN STEP=N)"
	@echo "  make grade       graded tests on labs/ (STUDENT=dir, LAB=NN, STEP=N, TEST='suite::*', JSON=..., JUNIT=...)"
	@echo "  make gradebook   grade every student tree in CLASS=dir; gradebook CSV + results.json each"
	@echo "  make gradescope  package the grader as a Gradescope autograder.zip (LAB=NN for one lab)"
	@echo "  make NN-name     the graded tests of one lab in labs/ (e.g. make 01-memory; STEP=N, TEST=...)"
	@echo "  make all         build every lab, in labs/ and solutions/"
	@echo "  make skeletons   regenerate labs/ from solutions/ (never overwrites a file you edited)"
	@echo "  make asan        solutions' tests under AddressSanitizer + UndefinedBehaviorSanitizer"
	@echo "  make tsan        threaded labs' stress drivers under ThreadSanitizer"
	@echo "  make valgrind    stress drivers under valgrind (no leaks, no memory errors)"
	@echo "  make cross       compile every lab for aarch64 (gcc-aarch64-linux-gnu)"
	@echo "  make cross-run   run each lab's aarch64 stress drivers under qemu-user"
	@echo "  make bench-quick run every harness briefly and check its data is well formed"
	@echo "  make plots-quick bench-quick, then render every figure from that data (a smoke test)"
	@echo "  make clean       remove build outputs, grade output, generated data and figures"
	@echo "  make format      clang-format solutions/, common/ and tests/ (never labs/); format-check:"
	@echo "                   list the files that differ (part of make check)"
	@echo
	@echo
	@echo "LAB=NN or LAB=NN-name restricts check, grade, status, watch, hint, plots, asan, tsan, valgrind,"
	@echo "cross, cross-run, bench-quick and plots-quick to one lab.  labs: $(LABS)"

deps:
	@$(TOOLS)/deps.sh $(DEPS_TEST)
plot-deps:
	@$(TOOLS)/deps.sh $(DEPS_PLOT)

all: deps
	@for l in $(LABS); do \
		$(MAKE) --no-print-directory -C solutions/$$l all || exit 1; \
		$(MAKE) --no-print-directory -C labs/$$l all || exit 1; done

# check = the reference passes everything; the skeleton matches the reference; every graded
# test fails on a freshly generated (pristine) skeleton, so no test passes without student code.
check: deps drift format-check
	@$(PYTHON) $(TOOLS)/grade.py --tree solutions $(GRADE_FLAGS) --expect all-pass --out grade-out/check
	@$(MAKE) --no-print-directory teeth $(if $(LAB),LAB=$(LAB))

# The C sources in the style of .clang-format (common/tools/format.py).  Never labs/: it holds
# the students' edits and is regenerated from solutions/.  LAB=NN: that lab's files only.
format:
	@$(TOOLS)/deps.sh format
	@$(PYTHON) $(TOOLS)/format.py $(if $(LAB),--lab $(LAB)) --jobs $(JOBS)
format-check:
	@$(TOOLS)/deps.sh format
	@$(PYTHON) $(TOOLS)/format.py --check $(if $(LAB),--lab $(LAB)) --jobs $(JOBS)

drift:
	@$(PYTHON) $(TOOLS)/skelgen.py --check $(if $(STRICT),--strict)

teeth:
	@rm -rf grade-out/pristine && $(PYTHON) $(TOOLS)/skelgen.py --into grade-out/pristine/labs
	@$(PYTHON) $(TOOLS)/grade.py --tree grade-out/pristine/labs $(GRADE_FLAGS) -q \
		--expect all-fail --out grade-out/teeth

grade: deps
	@$(PYTHON) $(TOOLS)/grade.py --tree $(STUDENT) $(GRADE_FLAGS)

gradebook: deps
	@test -n "$(CLASS)" || { echo "usage: make gradebook CLASS=dir-of-student-trees [LAB=NN] [CSV=file]"; exit 2; }
	@$(PYTHON) $(TOOLS)/grade.py --students $(CLASS) $(if $(LAB),--lab $(LAB)) \
		$(if $(CSV),--csv $(CSV)) --parallel $(or $(PARALLEL),1) --jobs $(JOBS)

gradescope:
	@common/tools/gradescope.sh $(SEL_LABS)

status: deps
	@$(PYTHON) $(TOOLS)/grade.py --status --tree labs $(if $(LAB),--lab $(LAB)) \
		$(if $(FRESH),--fresh) --jobs $(JOBS)

# Like `make status`, the first unfinished step of labs/ (LAB=NN: of that lab); then its tests
# on every save of the student's files (common/tools/watch.py).
watch: deps
	@$(TOOLS)/deps.sh watch || echo "watch: no inotifywait: watching by polling once a second"
	@$(PYTHON) $(TOOLS)/watch.py --tree labs $(if $(LAB),--lab $(LAB)) \
		$(if $(STEP),--step '$(STEP)') $(if $(HINT),--with-hint) $(if $(ONCE),--once) --jobs $(JOBS)
hint: deps
	@$(PYTHON) $(TOOLS)/watch.py --tree labs $(if $(LAB),--lab $(LAB)) \
		$(if $(STEP),--step '$(STEP)') --hint --jobs $(JOBS)

$(LABS): deps
	@$(MAKE) --no-print-directory -C labs/$@ test

skeletons:
	@$(PYTHON) $(TOOLS)/skelgen.py

ifneq ($(and $(QUICK),$(FULL)),)
$(error QUICK=1 and FULL=1 exclude each other: QUICK=1 is a smoke test, FULL=1 the longest run)
endif
plots: $(if $(QUICK),plots-quick,plots-full)
plots-full: plot-deps
	@mkdir -p plots/data plots/out
	@for l in $(SEL_LABS); do \
		echo "== $$l: timing harness ($(if $(FULL),full,default) mode)"; \
		$(MAKE) --no-print-directory -C solutions/$$l bench BENCH_OUT=$(CURDIR)/plots/data || exit 1; done
	@plots/render.sh $(if $(LAB),$(wildcard plots/$(LAB)*.gp))

bench-quick: plot-deps
	@for l in $(SEL_LABS); do $(MAKE) --no-print-directory -C solutions/$$l bench-quick || exit 1; done

# Every harness in quick mode, then every figure drawn from that data (numbers meaningless,
# but a broken harness or gnuplot script fails here, in seconds, instead of in `make plots`).
plots-quick: bench-quick
	@rm -rf grade-out/plots-quick && mkdir -p grade-out/plots-quick/data
	@for l in $(SEL_LABS); do cp solutions/$$l/build/bench-quick/* grade-out/plots-quick/data/ 2>/dev/null; done; \
		rm -f grade-out/plots-quick/data/*.log
	@DATA_DIR=$(CURDIR)/grade-out/plots-quick/data OUT_DIR=$(CURDIR)/grade-out/plots-quick/out \
		plots/render.sh $(if $(LAB),$(wildcard plots/$(LAB)*.gp))

# Each lab's own target installs what it needs.  `make tsan` goes over the labs that have
# threaded drivers; `make tsan LAB=02` (a lab without) fails rather than check nothing.
asan valgrind cross cross-run: deps
	@for l in $(SEL_LABS); do $(MAKE) --no-print-directory -C solutions/$$l $@ || exit 1; done
tsan: deps
	@for l in $(SEL_LABS); do \
		$(MAKE) --no-print-directory -C solutions/$$l $(if $(LAB),tsan,tsan-if-any) || exit 1; done

clean:
	@for l in $(LABS); do rm -rf solutions/$$l/build labs/$$l/build; done
	rm -rf grade-out plots/data plots/out
