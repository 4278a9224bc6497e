package graph

import "sync"

// buildMu serializes graph building in the process: Gorgonia's is not
// goroutine-safe (a global in its encoding package; DESIGN.md, fact 8).
// Running compiled graphs in parallel is safe. It guards Gorgonia's global,
// so it is process-wide by nature.
var buildMu sync.Mutex

// LockBuild waits until no other goroutine builds a graph and returns the
// function that lets the next one in. Every package that builds Gorgonia graphs
// outside a single goroutine (trainers' programs, generate's step program)
// holds it for the whole build:
//
//	unlock := graph.LockBuild()
//	defer unlock()
func LockBuild() (unlock func()) {
	buildMu.Lock()
	return buildMu.Unlock
}
