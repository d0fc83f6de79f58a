// bench_cxx_coro.cpp - the C++20 coroutine next to lab 09's hand-made ones.
//
// usage: bench_cxx_coro [bench options]
//
// The same endless counter as bench_resume.c, written with co_yield.  g++ turns it into what
// this lab builds by hand: a heap-allocated frame holding the locals that live across a
// suspension and a resume index, and a resume function that switches on that index.
//   dataset "resume-cxx": ns per handle.resume() (an indirect call through the frame's
//                         resume pointer) + reading the yielded value; x = 5 on the
//                         figure's scale (plots/09-stackless-resume.gp);
//   dataset "memory-cxx": bytes of the coroutine frames, exactly: the size g++ asks the
//                         promise's operator new for (x = 8, 9 of the memory figure).
// Built only where g++ is installed (g++ -std=c++20 -O2; the plots command installs it).
#include <coroutine>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <new>

extern "C" {
#include "asl/bench.h" // C declarations; util.h is C-only (_Noreturn)
}

static size_t last_frame_bytes; // set by the promise's operator new

struct counter {
	struct promise_type {
		long value = 0;
		static void *operator new(size_t n)
		{
			last_frame_bytes = n;
			void *p = std::malloc(n);
			if (!p)
				throw std::bad_alloc();
			return p;
		}
		static void operator delete(void *p) { std::free(p); }
		counter get_return_object()
		{
			return counter{ std::coroutine_handle<promise_type>::from_promise(*this) };
		}
		std::suspend_always initial_suspend() noexcept { return {}; }
		std::suspend_always final_suspend() noexcept { return {}; }
		std::suspend_always yield_value(long v) noexcept
		{
			value = v;
			return {};
		}
		void return_void() {}
		void unhandled_exception() { std::abort(); }
	};
	std::coroutine_handle<promise_type> h;
	explicit counter(std::coroutine_handle<promise_type> handle) : h(handle) {}
	counter(const counter &) = delete;
	~counter() { h.destroy(); }
};

// The endless counter: one local (i) lives across the suspension.
__attribute__((noinline)) static counter count_up()
{
	for (long i = 0;; i++)
		co_yield i;
}

// Like sum_stream: three ints and a pointer alive across each suspension.
__attribute__((noinline)) static counter sum_like(const int *in)
{
	int n = in[0], total = 0;
	for (int i = 0; i < n; i++) {
		total += in[1 + i % 4];
		co_yield total;
	}
	co_yield n;
}

static void loop_resume(void *arg, uint64_t iters)
{
	auto *c = static_cast<counter *>(arg);
	for (uint64_t i = 0; i < iters; i++) {
		c->h.resume();
		bench_keep(c->h.promise().value);
	}
}

int main(int argc, char **argv)
{
	struct bench b;
	bench_init(&b, argc, argv, "09-stackless",
		   "C++20 coroutine: ns per resume, and frame sizes (bytes)");

	bench_open(
	    &b, "resume-cxx", "row", "ns/resume",
	    "g++ -std=c++20: handle.resume() of an endless co_yield counter; x = figure row");
	counter c = count_up();
	bench_loop(&b, "c++20 co_yield", 5, loop_resume, &c, nullptr);
	bench_close(&b);

	static const int in[] = { 3, 1, 2, 3, 4 };
	double counter_frame = (double)last_frame_bytes; // from count_up() above
	counter s = sum_like(in);
	double sum_frame = (double)last_frame_bytes;
	bench_open(&b, "memory-cxx", "row", "bytes",
		   "C++20 coroutine frames: the size g++ allocates (promise operator new)");
	bench_record(&b, "c++20 frame: counter", 8, &counter_frame, 1, 1, nullptr);
	bench_record(&b, "c++20 frame: sum_stream-like", 9, &sum_frame, 1, 1, nullptr);
	bench_close(&b);
	return 0;
}
