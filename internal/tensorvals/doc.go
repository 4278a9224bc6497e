// Package tensorvals reads a tensor's values as float64, for the packages that
// compute on examples outside the graph (explain, adversarial, cmd/demo).
package tensorvals
