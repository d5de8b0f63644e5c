package main

// The testdata's histories and their published verdicts, and the summary,
// in the shape of lin-bench's (bench/testdata.cc, bench/lin_summary.cc) so
// that the two read alike and `./run bench porcupine` can join their tables.

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

type historyFile struct {
	name      string // relative to the testdata folder, with forward slashes
	path      string
	published string // LINEARIZABLE, NOT LINEARIZABLE, or "" when none is published
}

type result struct {
	name                string
	checkCPU, checkWall float64 // medians, seconds per check
	parse               float64 // median, seconds per parse
	verdict, published  string
}

// readVerdicts reads a verdicts.tsv: "FILE<tab>linearizable" or
// "FILE<tab>not-linearizable" a line, FILE relative to the table's folder.
func readVerdicts(table, root string, out map[string]string) error {
	f, err := os.Open(table)
	if err != nil {
		return err
	}
	defer f.Close()
	folder, _ := filepath.Rel(root, filepath.Dir(table))
	scanner := bufio.NewScanner(f)
	for number := 1; scanner.Scan(); number++ {
		line := scanner.Text()
		if line == "" {
			continue
		}
		name, word, _ := strings.Cut(line, "\t")
		name = filepath.ToSlash(filepath.Join(folder, name))
		switch word {
		case "linearizable":
			out[name] = "LINEARIZABLE"
		case "not-linearizable":
			out[name] = "NOT LINEARIZABLE"
		default:
			return fmt.Errorf("%s:%d: expected 'FILE<tab>linearizable' or 'FILE<tab>not-linearizable'", table, number)
		}
	}
	return scanner.Err()
}

// findHistories: every regular file under dir but READMEs (*.md), verdict
// tables (*.tsv) and hidden files, sorted by name, with the verdict of its
// folder's verdicts.tsv or of its name (-ok, -bad).
func findHistories(dir string) ([]historyFile, error) {
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		return nil, fmt.Errorf("no testdata folder at '%s' (the folder with jepsen-etcd/ and kv-edn/)", dir)
	}
	tables := map[string]string{}
	var files []historyFile
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		base := d.Name()
		switch {
		case base == "verdicts.tsv":
			return readVerdicts(path, dir, tables)
		case strings.HasPrefix(base, ".") || strings.HasSuffix(base, ".md") || strings.HasSuffix(base, ".tsv"):
			return nil
		}
		rel, _ := filepath.Rel(dir, path)
		stem := strings.TrimSuffix(base, filepath.Ext(base))
		f := historyFile{name: filepath.ToSlash(rel), path: path}
		if strings.HasSuffix(stem, "-ok") {
			f.published = "LINEARIZABLE"
		} else if strings.HasSuffix(stem, "-bad") {
			f.published = "NOT LINEARIZABLE"
		}
		files = append(files, f)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i := range files {
		if v, ok := tables[files[i].name]; ok {
			files[i].published = v
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })
	return files, nil
}

func median(values []float64) float64 {
	v := append([]float64(nil), values...)
	sort.Float64s(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

// duration: "617.2 ms", "12.34 us", as lin-bench writes them.
func duration(seconds float64) string {
	unit := "s"
	for _, smaller := range []string{"ms", "us", "ns"} {
		if seconds >= 1 {
			break
		}
		seconds *= 1000
		unit = smaller
	}
	decimals := 1
	if seconds < 10 {
		decimals = 3
	} else if seconds < 100 {
		decimals = 2
	}
	return fmt.Sprintf("%.*f %s", decimals, seconds, unit)
}

func suiteOf(name string) string {
	if suite, _, found := strings.Cut(name, "/"); found {
		return suite
	}
	return ""
}

type suiteLine struct {
	files            int
	total, totalWall float64
	worst            *result
}

func (s *suiteLine) add(r *result) {
	s.files++
	s.total += r.checkCPU
	s.totalWall += r.checkWall
	if s.worst == nil || r.checkCPU > s.worst.checkCPU {
		s.worst = r
	}
}

func (s *suiteLine) print(suite string) {
	fmt.Printf("%-12s %5d %12s %12s  %-28s %s\n", suite, s.files, duration(s.total),
		duration(s.totalWall), s.worst.name, duration(s.worst.checkCPU))
}

func printSummary(tool, testdata string, results []result) {
	if len(results) == 0 {
		return
	}
	fmt.Printf("\n== %s: %d histories of %s\n", tool, len(results), testdata)
	fmt.Printf("the check alone; each file's median, totalled (CPU time, and wall time beside it)\n")
	suites := map[string]*suiteLine{}
	var names []string
	var all suiteLine
	parsing := 0.0
	for i := range results {
		r := &results[i]
		suite := suiteOf(r.name)
		if suites[suite] == nil {
			suites[suite] = &suiteLine{}
			names = append(names, suite)
		}
		suites[suite].add(r)
		all.add(r)
		parsing += r.parse
	}
	sort.Strings(names)
	fmt.Printf("%-12s %5s %12s %12s  %-28s %s\n", "suite", "files", "total (CPU)", "(wall)",
		"worst file (CPU)", "its median")
	for _, suite := range names {
		label := suite
		if label == "" {
			label = "(top)"
		}
		suites[suite].print(label)
	}
	all.print("all")
	fmt.Printf("parsing, timed apart: total of the medians %s\n", duration(parsing))
	published := 0
	for _, r := range results {
		if r.published == "" {
			continue
		}
		published++
		if r.published != r.verdict {
			fmt.Printf("WRONG VERDICT: %s: %s, published %s\n", r.name, r.verdict, r.published)
		}
	}
	wrong := wrongVerdicts(results)
	status := ""
	if wrong > 0 {
		status = ": FAILED"
	}
	fmt.Printf("verdicts: %d of %d match the published ones (verdicts.tsv, -ok/-bad names)%s\n",
		published-wrong, published, status)
	if published < len(results) {
		fmt.Printf("%d files have no published verdict\n", len(results)-published)
	}
}

func wrongVerdicts(results []result) int {
	wrong := 0
	for _, r := range results {
		if r.published != "" && r.published != r.verdict {
			wrong++
		}
	}
	return wrong
}

// writeTSV writes lin-bench's --tsv columns: file, check CPU seconds, check
// wall seconds, parse seconds, verdict, published verdict ("-" for none).
func writeTSV(path string, results []result) error {
	var b strings.Builder
	b.WriteString("file\tcheck_cpu_seconds\tcheck_wall_seconds\tparse_seconds\tverdict\tpublished\n")
	for _, r := range results {
		published := r.published
		if published == "" {
			published = "-"
		}
		fmt.Fprintf(&b, "%s\t%.9g\t%.9g\t%.9g\t%s\t%s\n", r.name, r.checkCPU, r.checkWall, r.parse,
			r.verdict, published)
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
