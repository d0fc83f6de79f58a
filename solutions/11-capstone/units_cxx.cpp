// units_cxx.cpp - the C++20 row of lab 11's unit-cost table (bench_units runs it).
//
// What one C++20 coroutine costs: the time of one handoff (resume into the coroutine, or its
// suspension back to the caller: half of a resume+suspend pair, the same definition as the
// other rows) and the bytes of its frame, which the compiler sizes and allocates through the
// promise's operator new (here: recorded, then the global allocator).
// Output, one "key value" per line: handoff_ns, frame_bytes.
#include <algorithm>
#include <chrono>
#include <coroutine>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>
#include <vector>

static std::size_t frame_bytes;

struct ticker {
	struct promise_type {
		long value = 0;
		ticker get_return_object()
		{
			return ticker{ std::coroutine_handle<promise_type>::from_promise(*this) };
		}
		std::suspend_always initial_suspend() noexcept { return {}; }
		std::suspend_always final_suspend() noexcept { return {}; }
		std::suspend_always yield_value(long v) noexcept
		{
			value = v;
			return {};
		}
		void return_void() noexcept {}
		void unhandled_exception() { std::abort(); }
		static void *operator new(std::size_t n)
		{
			frame_bytes = n;
			return ::operator new(n);
		}
		static void operator delete(void *p) noexcept { ::operator delete(p); }
	};
	std::coroutine_handle<promise_type> h;
	ticker(ticker &&o) noexcept : h(std::exchange(o.h, {})) {}
	explicit ticker(std::coroutine_handle<promise_type> c) : h(c) {}
	~ticker()
	{
		if (h)
			h.destroy();
	}
};

// A coroutine that suspends forever, handing out 0, 1, 2, ...: each resume is one round trip.
static ticker count_up()
{
	for (long i = 0;; i++)
		co_yield i;
}

static void usage(const char *prog, int status)
{
	std::fprintf(status ? stderr : stdout,
		     "usage: %s [--quick]\n  one C++20 coroutine: ns per handoff, frame bytes\n",
		     prog);
	std::exit(status);
}

int main(int argc, char **argv)
{
	bool quick = false;
	for (int k = 1; k < argc; k++) {
		if (!std::strcmp(argv[k], "--quick"))
			quick = true;
		else if (!std::strcmp(argv[k], "-h") || !std::strcmp(argv[k], "--help"))
			usage(argv[0], 0);
		else
			usage(argv[0], 2);
	}
	const long iters = quick ? 100000 : 5000000;
	std::vector<double> ns;
	ticker t = count_up();
	long sum = 0;
	for (int s = 0; s < (quick ? 3 : 9); s++) {
		auto t0 = std::chrono::steady_clock::now();
		for (long i = 0; i < iters; i++) {
			t.h.resume();
			sum += t.h.promise().value;
		}
		auto t1 = std::chrono::steady_clock::now();
		ns.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count() / iters / 2);
	}
	std::sort(ns.begin(), ns.end());
	std::printf("handoff_ns %.2f\nframe_bytes %zu\nchecksum %ld\n", ns[ns.size() / 2],
		    frame_bytes, sum);
	return 0;
}
