// porcupine-bench: Porcupine (github.com/anishathalye/porcupine), the
// reference linearizability checker, on the same testdata histories as
// etcetera's lin-bench, timed the same way and summarised in the same shape,
// so that `./run bench porcupine` can set the two side by side.
//
//	porcupine-bench -testdata DIR [-reps 5] [-min-time 0.5s] [-procs 1]
//	                [-filter REGEXP] [-tsv FILE]
//
// Timing follows Google Benchmark's, which lin-bench uses: a history is
// parsed once per repetition (timed apart), then checked in a batch that
// grows until it lasts -min-time; the time of one check is the batch's over
// its count. The first repetition finds the count, the others reuse it. The
// figure is the median over the repetitions of the process's CPU time per
// check, with the wall time beside it.
//
// -procs sets GOMAXPROCS. It is 1 by default, as etcetera's checker uses one
// core; Porcupine checks the parts of a partitioned history in parallel
// goroutines, and -procs 2 lets it use both cores of the machine.
//
// Exit status: 0 when every verdict is the published one, 1 when one is not
// or a history cannot be read, 2 for bad arguments.
package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"regexp"
	"runtime"
	"syscall"
	"time"
	"unsafe"

	"github.com/anishathalye/porcupine"
)

// The calling process's CPU time: all its threads, the collector's too.
func cpuNow() float64 {
	const clockProcessCPUTimeID = 2
	var ts syscall.Timespec
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockProcessCPUTimeID, uintptr(unsafe.Pointer(&ts)), 0)
	return float64(ts.Sec) + float64(ts.Nsec)*1e-9
}

type batch struct {
	cpu, wall float64 // seconds for the whole batch
	verdict   porcupine.CheckResult
}

func runBatch(model porcupine.Model, ops []porcupine.Operation, n int) batch {
	startWall, startCPU := time.Now(), cpuNow()
	var verdict porcupine.CheckResult
	for i := 0; i < n; i++ {
		verdict = porcupine.CheckOperationsTimeout(model, ops, 0)
	}
	return batch{cpuNow() - startCPU, time.Since(startWall).Seconds(), verdict}
}

// growBatch finds how many checks fill minTime, as Google Benchmark does:
// grow by the ratio still missing (with a margin), by 10 while too short to
// tell, and stop at minTime of CPU or five times that of wall time.
func growBatch(model porcupine.Model, ops []porcupine.Operation, minTime float64) (int, batch) {
	const maxIterations = 1_000_000_000
	n := 1
	for {
		b := runBatch(model, ops, n)
		if b.cpu >= minTime || b.wall >= 5*minTime || n >= maxIterations {
			return n, b
		}
		multiplier := minTime * 1.4 / math.Max(b.cpu, 1e-9)
		if b.cpu/minTime <= 0.1 {
			multiplier = 10
		}
		next := int(math.Round(math.Max(multiplier*float64(n), float64(n+1))))
		if next > maxIterations {
			next = maxIterations
		}
		n = next
	}
}

// timedParse: the history, and the mean seconds of one parse over at least a
// millisecond of parses.
func timedParse(text []byte) (*history, float64, error) {
	start := time.Now()
	parses := 0
	for {
		h, err := parseHistory(text)
		parses++
		if err != nil {
			return nil, 0, err
		}
		if elapsed := time.Since(start); elapsed >= time.Millisecond {
			return h, elapsed.Seconds() / float64(parses), nil
		}
	}
}

func measure(file historyFile, reps int, minTime float64) (result, error) {
	text, err := os.ReadFile(file.path)
	if err != nil {
		return result{}, err
	}
	r := result{name: file.name, published: file.published}
	var cpu, wall, parse []float64
	n := 0
	for rep := 0; rep < reps; rep++ {
		h, parseSeconds, err := timedParse(text)
		if err != nil {
			return result{}, fmt.Errorf("%s: %v", file.name, err)
		}
		model := modelFor(h.format)
		var b batch
		if rep == 0 {
			n, b = growBatch(model, h.operations, minTime)
			r.verdict = verdictName(b.verdict)
		} else {
			b = runBatch(model, h.operations, n)
		}
		if verdictName(b.verdict) != r.verdict {
			return result{}, fmt.Errorf("%s: the verdict changed between runs", file.name)
		}
		cpu = append(cpu, b.cpu/float64(n))
		wall = append(wall, b.wall/float64(n))
		parse = append(parse, parseSeconds)
	}
	r.checkCPU, r.checkWall, r.parse = median(cpu), median(wall), median(parse)
	return r, nil
}

func verdictName(v porcupine.CheckResult) string {
	switch v {
	case porcupine.Ok:
		return "LINEARIZABLE"
	case porcupine.Illegal:
		return "NOT LINEARIZABLE"
	}
	return "UNKNOWN"
}

func main() {
	testdata := flag.String("testdata", "", "the folder with jepsen-etcd/ and kv-edn/")
	reps := flag.Int("reps", 5, "repetitions per file; the figure is their median")
	minTime := flag.Duration("min-time", 500*time.Millisecond, "CPU time a batch of checks lasts at least")
	procs := flag.Int("procs", 1, "GOMAXPROCS: the cores Porcupine may use at once")
	filter := flag.String("filter", "", "only the files whose name matches this regular expression")
	tsv := flag.String("tsv", "", "also write one line per file to this file")
	flag.Parse()
	if *testdata == "" || *reps < 1 || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	only, err := regexp.Compile(*filter)
	if err != nil {
		fmt.Fprintf(os.Stderr, "porcupine-bench: -filter: %v\n", err)
		os.Exit(2)
	}
	runtime.GOMAXPROCS(*procs)
	files, err := findHistories(*testdata)
	if err != nil {
		fmt.Fprintf(os.Stderr, "porcupine-bench: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("porcupine-bench: %s, GOMAXPROCS %d, %d repetitions of at least %v each\n",
		runtime.Version(), *procs, *reps, *minTime)
	fmt.Printf("%-28s %12s %12s  %s\n", "file", "CPU median", "wall median", "verdict")
	var results []result
	for _, file := range files {
		if !only.MatchString(file.name) {
			continue
		}
		r, err := measure(file, *reps, minTime.Seconds())
		if err != nil {
			fmt.Fprintf(os.Stderr, "porcupine-bench: %v\n", err)
			os.Exit(1)
		}
		fmt.Printf("%-28s %12s %12s  %s\n", r.name, duration(r.checkCPU), duration(r.checkWall), r.verdict)
		results = append(results, r)
	}
	printSummary("porcupine-bench", *testdata, results)
	if *tsv != "" {
		if err := writeTSV(*tsv, results); err != nil {
			fmt.Fprintf(os.Stderr, "porcupine-bench: %v\n", err)
			os.Exit(1)
		}
	}
	if wrongVerdicts(results) > 0 {
		os.Exit(1)
	}
}
