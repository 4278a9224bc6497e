package main

import (
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/gokeras/gokeras/zoo"
)

// listCmd prints one line per recipe: name, description and expected result.
func listCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, "usage: demo list\n") }
	if err := fs.Parse(args); err != nil {
		return parseStatus(err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "demo list: unexpected arguments %q\n", fs.Args())
		return exitUsage
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	for _, r := range zoo.Recipes() {
		fmt.Fprintf(tw, "%s\t%s\texpected: %s\n", r.Name, r.Description, r.Expected)
	}
	if err := tw.Flush(); err != nil {
		fmt.Fprintf(stderr, "demo list: %v\n", err)
		return exitFailure
	}
	return exitOK
}

// parseStatus is the exit status for a flag parsing error: 0 when help was asked
// for, 2 otherwise (the flag package has already printed the message).
func parseStatus(err error) int {
	if err == flag.ErrHelp {
		return exitOK
	}
	return exitUsage
}
