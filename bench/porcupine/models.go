package main

// Porcupine models with the semantics of etcetera's (spec/linearizability/
// model.cc): a register that starts nil (the Jepsen logs), and a map of such
// registers that start as "" (the EDN histories), split per key with
// Porcupine's Partition, since keys are independent.

import (
	"github.com/anishathalye/porcupine"
)

// A value that may be nil. Comparable with ==, which Porcupine's default
// Equal uses.
type value struct {
	set bool
	s   string
}

func valueOf(v *string) value {
	if v == nil {
		return value{}
	}
	return value{set: true, s: *v}
}

type input struct {
	f               string // read/get, write/put, append, delete, cas
	key             string
	value, expected value
}

type output struct {
	outcome outcome
	read    value // what a read returned, for an ok read
}

func knownFunction(f string) bool {
	switch f {
	case "read", "get", "write", "put", "append", "delete", "cas":
		return true
	}
	return false
}

// step: may the operation take effect in this state, and what follows? An
// operation of unknown outcome accepts any answer.
func step(state, in, out interface{}) (bool, interface{}) {
	s, i, o := state.(value), in.(input), out.(output)
	switch i.f {
	case "read", "get":
		return o.outcome == unknown || s == o.read, s
	case "write", "put":
		return true, i.value
	case "delete":
		return true, value{}
	case "append":
		return true, value{set: true, s: s.s + i.value.s}
	case "cas":
		holds := s == i.expected
		switch o.outcome {
		case ok:
			return holds, i.value
		case fail:
			return !holds, s
		}
		if holds {
			return true, i.value
		}
		return true, s
	}
	return false, s
}

// hash: FNV-1a of the value, so that Porcupine's memo compares few states.
func hash(state interface{}) uint64 {
	s := state.(value)
	h := uint64(14695981039346656037)
	if s.set {
		h ^= 1
		h *= 1099511628211
	}
	for i := 0; i < len(s.s); i++ {
		h ^= uint64(s.s[i])
		h *= 1099511628211
	}
	return h
}

// perKey splits a history by key, the keys in the order they first appear.
func perKey(ops []porcupine.Operation) [][]porcupine.Operation {
	index := map[string]int{}
	var parts [][]porcupine.Operation
	for _, op := range ops {
		key := op.Input.(input).key
		i, seen := index[key]
		if !seen {
			i = len(parts)
			index[key] = i
			parts = append(parts, nil)
		}
		parts[i] = append(parts[i], op)
	}
	return parts
}

// modelFor: the model a format's histories are about, as etcetera's
// default_model picks it.
func modelFor(format string) porcupine.Model {
	if format == "edn" {
		return porcupine.Model{
			Partition: perKey,
			Init:      func() interface{} { return value{set: true} },
			Step:      step,
			Hash:      hash,
		}
	}
	return porcupine.Model{
		Init: func() interface{} { return value{} },
		Step: step,
		Hash: hash,
	}
}
