package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/gokeras/gokeras/distributed"
	"github.com/gokeras/gokeras/trainers"
	"github.com/gokeras/gokeras/zoo"
)

// runCmd parses "NAME [flags]" (flags may also come before NAME), runs the recipe
// and prints its report.
func runCmd(ctx context.Context, args []string, stdout, stderr io.Writer) (code int) {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var s zoo.Settings
	asJSON := trainingFlags(fs, &s, "the recipe's default")
	plotPath := fs.String("plot", "", "after training, write the learning curves to this PNG or SVG file")
	reportPath := fs.String("report", "", "after training, write a self-contained HTML report (summary, curves, metrics, confusion matrix) to this file")
	fs.StringVar(&s.Corpus, "corpus", "", "a UTF-8 text file for the text recipes (gpt-opticks) to train on instead of their own text")
	save := fs.String("save", "", "after training, write the model and the optimizer state to this file (resumable; see demo predict and demo serve)")
	var fo faultFlags
	fo.declare(fs)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: demo run NAME [flags]\nrecipes: %s\nflags:\n", strings.Join(zoo.Names(), ", "))
		fs.PrintDefaults()
	}

	var name string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return parseStatus(err)
	}
	rest := fs.Args()
	if name == "" && len(rest) > 0 {
		name, rest = rest[0], rest[1:]
	}
	switch {
	case name == "":
		fmt.Fprintln(stderr, "demo run: no recipe name")
		fs.Usage()
		return exitUsage
	case len(rest) > 0:
		fmt.Fprintf(stderr, "demo run: unexpected arguments %q (flags go before or right after NAME)\n", rest)
		return exitUsage
	}
	if err := checkSettings(s); err != nil {
		fmt.Fprintf(stderr, "demo run: %v\n", err)
		return exitUsage
	}
	if err := fo.check(); err != nil {
		fmt.Fprintf(stderr, "demo run: %v\n", err)
		return exitUsage
	}
	r, err := zoo.Find(name)
	if err != nil {
		fmt.Fprintf(stderr, "demo run: %v\n", err)
		return exitUsage
	}
	s.Out = stdout
	if fo.distributed {
		if err := fo.init(); err != nil {
			fmt.Fprintf(stderr, "demo run %s: %v\n", name, err)
			return exitFailure
		}
		defer func() {
			if err := distributed.Finalize(); err != nil {
				fmt.Fprintf(stderr, "demo run %s: %v\n", name, err)
				code = exitFailure
			}
		}()
		if fo.rank > 0 { // only rank 0 prints, plots and saves
			s.Out, stdout = io.Discard, io.Discard
			*plotPath, *reportPath, *save = "", "", ""
		}
	}
	s.Options = fo.options(name)
	res, err := r.Run(ctx, s)
	if err == nil {
		err = fo.taken(name, res)
	}
	if err != nil {
		fmt.Fprintf(stderr, "demo run %s%s: %v\n", name, fo.rankLabel(), err)
		return exitFailure
	}
	if err := writeReport(stdout, res, r.Expected); err != nil {
		fmt.Fprintf(stderr, "demo run %s: %v\n", name, err)
		return exitFailure
	}
	if err := writePictures(res, s, *plotPath, *reportPath); err != nil {
		fmt.Fprintf(stderr, "demo run %s: %v\n", name, err)
		return exitFailure
	}
	if *save != "" {
		if err := saveResult(stdout, res, *save); err != nil {
			fmt.Fprintf(stderr, "demo run %s: %v\n", name, err)
			return exitFailure
		}
	}
	if *asJSON {
		if err := fo.writeJSON(stdout, res); err != nil {
			fmt.Fprintf(stderr, "demo run %s: %v\n", name, err)
			return exitFailure
		}
	}
	return exitOK
}

// Bounds on the training flags, far beyond any recipe's needs, so that a
// typo fails at once rather than running for ages or overflowing a step count.
const (
	maxEpochs = 1_000_000
	maxBatch  = 1 << 20
)

// checkSettings checks the values of the training flags: none negative,
// -epochs at most maxEpochs, -batch at most maxBatch (a batch larger than the
// training rows trains on all of them at once), -lr finite.
func checkSettings(s zoo.Settings) error {
	switch {
	case s.Epochs < 0 || s.BatchSize < 0 || s.LR < 0 || s.Verbose < 0:
		return errors.New("-epochs, -batch, -lr and -verbose must not be negative")
	case s.Epochs > maxEpochs:
		return fmt.Errorf("-epochs %d is above the limit of %d", s.Epochs, maxEpochs)
	case s.BatchSize > maxBatch:
		return fmt.Errorf("-batch %d is above the limit of %d", s.BatchSize, maxBatch)
	case math.IsNaN(s.LR) || math.IsInf(s.LR, 0):
		return fmt.Errorf("-lr %v is not a finite number", s.LR)
	}
	return nil
}

// trainingFlags declares the settings flags that demo run and demo csv share
// (-epochs, -batch, -lr, -seed, -verbose) and returns -json; zero values take
// the defaults that dflt names.
func trainingFlags(fs *flag.FlagSet, s *zoo.Settings, dflt string) *bool {
	fs.IntVar(&s.Epochs, "epochs", 0, fmt.Sprintf("number of epochs, at most %d (0: %s)", maxEpochs, dflt))
	fs.IntVar(&s.BatchSize, "batch", 0, fmt.Sprintf("batch size, at most %d (0: %s)", maxBatch, dflt))
	fs.Float64Var(&s.LR, "lr", 0, "peak learning rate (0: "+dflt+")")
	fs.Int64Var(&s.Seed, "seed", 0, "seed of the data, split, weights and shuffling (0: "+dflt+")")
	fs.IntVar(&s.Verbose, "verbose", 1, "progress on stdout: 0 none, 1 bar or one line per epoch, 2 one line per epoch")
	return fs.Bool("json", false, "print the result as one JSON object on the last line of stdout")
}

// faultFlags are demo run's flags for training across MPI ranks and for
// checkpoints: -distributed, -checkpoint-every, -checkpoint and -resume.
type faultFlags struct {
	distributed bool
	every       int
	checkpoint  string
	resume      string
	comm        distributed.Comm // -distributed: the group of ranks (nil without)
	rank, ranks int
	began       *fitBegan // with -checkpoint-every or -resume: tells whether the recipe's Fit took them
}

// declare declares the flags on fs.
func (f *faultFlags) declare(fs *flag.FlagSet) {
	fs.BoolVar(&f.distributed, "distributed", false, "train data-parallel across the ranks that mpirun starts (mpirun -np 2 demo run NAME -distributed, with demo built with -tags mpi): "+
		"only rank 0 prints, plots and saves, and its -json line adds \"ranks\"; across several ranks, Embedding tables are updated densely. "+
		"Without -tags mpi or without mpirun it trains as one process (\"ranks\":1)")
	fs.IntVar(&f.every, "checkpoint-every", 0, "every N epochs, write the model and its training state (as -save) atomically to the -checkpoint file (0: never); "+
		"a run that stops loses at most the epochs since the last checkpoint (resume it with -resume)")
	fs.StringVar(&f.checkpoint, "checkpoint", "", "the file -checkpoint-every writes (default NAME-checkpoint.safetensors)")
	fs.StringVar(&f.resume, "resume", "", "resume from a file of -checkpoint-every: start at its epoch with its weights and optimizer state and run the remaining epochs; "+
		"give the flags of the run that wrote it (-distributed: every rank reads the file)")
}

// check reports flags that do not go together.
func (f *faultFlags) check() error {
	switch {
	case f.every < 0:
		return fmt.Errorf("-checkpoint-every %d must not be negative", f.every)
	case f.checkpoint != "" && f.every == 0:
		return errors.New("-checkpoint names the file of -checkpoint-every N: give -checkpoint-every too")
	}
	return nil
}

// init starts MPI (distributed.Init): the caller must call distributed.Finalize.
func (f *faultFlags) init() error {
	comm, err := distributed.Init()
	if err != nil {
		return err
	}
	f.comm, f.rank, f.ranks = comm, comm.Rank(), comm.Size()
	return nil
}

// options returns the recipe's zoo.RunOptions for the flags (nil: none).
func (f *faultFlags) options(name string) *zoo.RunOptions {
	o := &zoo.RunOptions{}
	if f.comm != nil {
		o.TrainerOptions = append(o.TrainerOptions, trainers.WithDistributed(f.comm))
		if f.ranks > 1 { // updates by rows are not averaged across ranks
			o.TrainerOptions = append(o.TrainerOptions, trainers.WithDenseEmbeddingUpdates())
		}
	}
	if f.resume != "" {
		o.FitOptions = append(o.FitOptions, trainers.ResumeFrom(f.resume))
	}
	if f.every > 0 {
		path := f.checkpoint
		if path == "" {
			path = name + "-checkpoint.safetensors"
		}
		o.FitOptions = append(o.FitOptions, trainers.Callbacks(&trainers.ModelCheckpoint{Path: path, Period: f.every}))
	}
	if len(o.FitOptions) > 0 {
		f.began = &fitBegan{}
		o.FitOptions = append(o.FitOptions, trainers.Callbacks(f.began))
	}
	if o.TrainerOptions == nil && o.FitOptions == nil {
		return nil
	}
	return o
}

// taken reports a recipe that did not pass the options to its trainer and Fit
// (its ranks trained alone, or it wrote no checkpoint).
func (f *faultFlags) taken(name string, res *zoo.Result) error {
	if f.ranks > 1 && (res.Trainer == nil || res.Trainer.Ranks() != f.ranks) {
		return fmt.Errorf("recipe %s does not take -distributed (its trainer ignores zoo.Settings.Options): each rank trained alone", name)
	}
	if f.began != nil && !f.began.began {
		return fmt.Errorf("recipe %s does not take -checkpoint-every or -resume (its Fit ignores zoo.Settings.Options)", name)
	}
	return nil
}

// rankLabel is " (rank R of N)" across several ranks, "" otherwise.
func (f *faultFlags) rankLabel() string {
	if f.ranks > 1 {
		return fmt.Sprintf(" (rank %d of %d)", f.rank, f.ranks)
	}
	return ""
}

// writeJSON is writeJSON with "ranks":N added last under -distributed.
func (f *faultFlags) writeJSON(w io.Writer, res *zoo.Result) error {
	if f.comm == nil {
		return writeJSON(w, res)
	}
	var b bytes.Buffer
	if err := writeJSON(&b, res); err != nil {
		return err
	}
	line := bytes.TrimSuffix(b.Bytes(), []byte("}\n"))
	if _, err := fmt.Fprintf(w, "%s,\"ranks\":%d}\n", line, f.ranks); err != nil {
		return fmt.Errorf("write the JSON result: %w", err)
	}
	return nil
}

// fitBegan is a callback that records that a Fit began with it.
type fitBegan struct {
	trainers.BaseCallback
	began bool
}

// OnTrainBegin records the Fit.
func (b *fitBegan) OnTrainBegin(*trainers.Trainer) error {
	b.began = true
	return nil
}
