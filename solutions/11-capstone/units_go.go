// units_go.go - the Go row of lab 11's unit-cost table (bench_units runs it).
//
// What one goroutine costs: the time of one handoff between two goroutines (half of a round
// trip over two unbuffered channels, on one OS thread: GOMAXPROCS=1, so that it is the Go
// scheduler's switch and not the kernel's) and the resident memory per parked goroutine
// (many goroutines blocked on a channel; VmRSS before and after, divided).
// Standard library only: `go build` needs no network.
// Output, one "key value" per line: handoff_ns, bytes_per_unit.
package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

func rssKiB() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "VmRSS:") {
			v, _ := strconv.ParseInt(strings.Fields(sc.Text())[1], 10, 64)
			return v
		}
	}
	return -1
}

func usage(status int) {
	out := os.Stdout
	if status != 0 {
		out = os.Stderr
	}
	fmt.Fprintf(out, "usage: %s [--quick]\n  goroutines: ns per handoff, resident bytes each\n",
		os.Args[0])
	os.Exit(status)
}

func main() {
	quick := false
	for _, a := range os.Args[1:] {
		switch a {
		case "--quick":
			quick = true
		case "-h", "--help":
			usage(0)
		default:
			usage(2)
		}
	}
	runtime.GOMAXPROCS(1)
	iters, samples, parked := 1000000, 9, 100000
	if quick {
		iters, samples, parked = 20000, 3, 10000
	}
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v
		}
	}()
	var ns []float64
	sum := 0
	for s := 0; s < samples; s++ {
		t0 := time.Now()
		for i := 0; i < iters; i++ {
			ping <- i
			sum += <-pong
		}
		ns = append(ns, float64(time.Since(t0).Nanoseconds())/float64(iters)/2)
	}
	close(ping)
	sort.Float64s(ns)

	runtime.GC()
	r0 := rssKiB()
	gate := make(chan struct{})
	var started, done sync.WaitGroup
	for i := 0; i < parked; i++ {
		started.Add(1)
		done.Add(1)
		go func() {
			started.Done()
			<-gate
			done.Done()
		}()
	}
	started.Wait()
	r1 := rssKiB()
	close(gate)
	done.Wait()
	fmt.Printf("handoff_ns %.2f\nbytes_per_unit %.0f\nchecksum %d\n", ns[len(ns)/2],
		float64(r1-r0)*1024/float64(parked), sum)
}
