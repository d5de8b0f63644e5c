package main

// Reading the testdata's two formats (its README.md describes them) into
// Porcupine's operations. Written for this harness from that description,
// and read the way etcetera's own reader (spec/linearizability/formats.cc)
// reads them, so that both checkers are given the same histories:
//
//   - an invocation and the next completion of the same process are one
//     operation; its call and return times are the positions of the two
//     lines;
//   - ok: it took effect; fail: a failed read or write did nothing and is
//     left out, a failed cas stays (it saw another value than the one it
//     expected);
//   - info, or no completion at all: the outcome is unknown. Porcupine has no
//     notion of it, so the operation returns after the last event of the
//     history (it may take effect at any point after its call, and taking
//     effect after everything else is the same as never) and the model
//     accepts any answer from it.

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/anishathalye/porcupine"
)

type outcome int

const (
	ok outcome = iota
	fail
	unknown
)

// One line of a history, before pairing.
type event struct {
	process  int
	typ      string // invoke, ok, fail, info
	f        string
	key      string
	value    *string // nil: no value (EDN's nil, Jepsen's nil or :timed-out)
	expected *string // a cas's old value
}

// A history's operations, and its format, which says the model (models.go).
type history struct {
	format     string // jepsen or edn
	operations []porcupine.Operation
}

// guessFormat: by the first line that is not blank.
func guessFormat(text []byte) (string, error) {
	for rest, more := string(text), true; more; {
		var line string
		line, rest, more = strings.Cut(rest, "\n")
		line = strings.TrimSpace(line)
		switch {
		case line == "":
			continue
		case strings.HasPrefix(line, "{:"):
			return "edn", nil
		case strings.Contains(line, "jepsen.util - "):
			return "jepsen", nil
		}
		return "", fmt.Errorf("not a Jepsen register log or an EDN key-value history")
	}
	return "", fmt.Errorf("the history is empty")
}

func parseHistory(text []byte) (*history, error) {
	format, err := guessFormat(text)
	if err != nil {
		return nil, err
	}
	parse := parseJepsenLine
	if format == "edn" {
		parse = parseEdnLine
	}
	var events []*event
	var times []int64
	for i, line := range strings.Split(string(text), "\n") {
		e, err := parse(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", i+1, err)
		}
		if e != nil {
			events = append(events, e)
			times = append(times, int64(i+1))
		}
	}
	ops, err := pair(events, times)
	if err != nil {
		return nil, err
	}
	return &history{format: format, operations: ops}, nil
}

// pair makes operations of invocations and their completions.
func pair(events []*event, times []int64) ([]porcupine.Operation, error) {
	end := int64(1)
	if len(times) > 0 {
		end = times[len(times)-1] + 1
	}
	type open struct {
		op  porcupine.Operation
		out output
		inv *event
	}
	var pending []*open // in order of invocation, so that the operations are too
	byProcess := map[int]*open{}
	for i, e := range events {
		if e.typ == "invoke" {
			if byProcess[e.process] != nil {
				return nil, fmt.Errorf("line %d: process %d invokes while its last operation is open", times[i], e.process)
			}
			if !knownFunction(e.f) {
				return nil, fmt.Errorf("line %d: unknown function %q", times[i], e.f)
			}
			o := &open{op: porcupine.Operation{ClientId: e.process, Call: times[i], Return: end},
				out: output{outcome: unknown}, inv: e}
			byProcess[e.process] = o
			pending = append(pending, o)
			continue
		}
		o := byProcess[e.process]
		if o == nil {
			return nil, fmt.Errorf("line %d: process %d completes an operation it never invoked", times[i], e.process)
		}
		delete(byProcess, e.process)
		switch e.typ {
		case "ok":
			o.op.Return = times[i]
			o.out = output{outcome: ok, read: valueOf(e.value)}
		case "fail":
			o.op.Return = times[i]
			o.out = output{outcome: fail}
		case "info": // unknown: it returns at the end
		default:
			return nil, fmt.Errorf("line %d: unknown event type %q", times[i], e.typ)
		}
	}
	var ops []porcupine.Operation
	for _, o := range pending {
		if o.out.outcome == fail && o.inv.f != "cas" {
			continue // a failed read or write did nothing
		}
		o.op.Input = input{f: o.inv.f, key: o.inv.key, value: valueOf(o.inv.value),
			expected: valueOf(o.inv.expected)}
		o.op.Output = o.out
		ops = append(ops, o.op)
	}
	return ops, nil
}

// ---- Jepsen's register log -------------------------------------------------

func parseJepsenLine(line string) (*event, error) {
	at := strings.Index(line, "jepsen.util - ")
	if at < 0 {
		return nil, nil // other log output
	}
	fields := strings.Split(line[at+len("jepsen.util - "):], "\t")
	if len(fields) != 4 {
		return nil, fmt.Errorf("expected 'P<tab>:TYPE<tab>:F<tab>VALUE'")
	}
	process, err := strconv.Atoi(strings.TrimSpace(fields[0]))
	if err != nil {
		return nil, fmt.Errorf("the process is not a number")
	}
	if !strings.HasPrefix(fields[1], ":") || !strings.HasPrefix(fields[2], ":") {
		return nil, fmt.Errorf("the type and the function must be keywords")
	}
	e := &event{process: process, typ: fields[1][1:], f: fields[2][1:]}
	value := strings.TrimSpace(fields[3])
	switch {
	case e.f == "cas" && strings.HasPrefix(value, "["):
		pair := strings.Fields(strings.Trim(value, "[]"))
		if len(pair) != 2 {
			return nil, fmt.Errorf("a cas value is [old new]")
		}
		e.expected, e.value = &pair[0], &pair[1]
	case value != "nil" && !strings.HasPrefix(value, ":"):
		e.value = &value // :timed-out and the like carry no value
	}
	return e, nil
}

// ---- EDN maps --------------------------------------------------------------

// ednValue reads nil, a "string", a :keyword (without its colon) or a bare
// word off the front of s.
func ednValue(s string) (*string, string, error) {
	s = strings.TrimLeft(s, " \t")
	if strings.HasPrefix(s, "nil") {
		return nil, s[3:], nil
	}
	if strings.HasPrefix(s, "\"") {
		var b strings.Builder
		for i := 1; i < len(s); i++ {
			switch {
			case s[i] == '\\' && i+1 < len(s):
				i++
				b.WriteByte(s[i])
			case s[i] == '"':
				v := b.String()
				return &v, s[i+1:], nil
			default:
				b.WriteByte(s[i])
			}
		}
		return nil, "", fmt.Errorf("a string is not closed")
	}
	end := strings.IndexAny(s, ", \t}")
	if end < 0 {
		end = len(s)
	}
	if end == 0 {
		return nil, "", fmt.Errorf("a value is missing")
	}
	v := strings.TrimPrefix(s[:end], ":")
	return &v, s[end:], nil
}

func parseEdnLine(line string) (*event, error) {
	line = strings.TrimSpace(line)
	if line == "" {
		return nil, nil
	}
	if !strings.HasPrefix(line, "{") || !strings.HasSuffix(line, "}") {
		return nil, fmt.Errorf("expected a map {...}")
	}
	s := line[1 : len(line)-1]
	e := &event{process: -1}
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimLeft(s, ", \t") {
		space := strings.IndexByte(s, ' ')
		if !strings.HasPrefix(s, ":") || space < 0 {
			return nil, fmt.Errorf("expected ':key value'")
		}
		key := s[1:space]
		v, rest, err := ednValue(s[space:])
		if err != nil {
			return nil, err
		}
		s = rest
		text := ""
		if v != nil {
			text = *v
		}
		switch key {
		case "process":
			if e.process, err = strconv.Atoi(text); err != nil {
				return nil, fmt.Errorf(":process is not a number")
			}
		case "type":
			e.typ = text
		case "f":
			e.f = text
		case "key":
			e.key = text
		case "value":
			e.value = v
		}
	}
	if e.process < 0 || e.typ == "" || e.f == "" {
		return nil, fmt.Errorf("a map needs :process, :type and :f")
	}
	return e, nil
}
