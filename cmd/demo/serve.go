package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/gokeras/gokeras/trainers"
	"github.com/pkg/errors"
)

// Server settings that have no flag.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 30 * time.Second
	idleTimeout       = 2 * time.Minute
)

// serveConfig is what the serve command's flags set.
type serveConfig struct {
	model           string
	addr            string
	maxBody         int64
	workers         int
	maxBatch        int
	linger          time.Duration
	shutdownTimeout time.Duration
}

// serveCmd parses the serve flags and serves the model over HTTP until ctx ends
// (SIGINT or SIGTERM), then shuts the server down gracefully.
func serveCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c serveConfig
	maxBody := byteSize(defaultMaxBody)
	fs.StringVar(&c.model, "model", "", "model file (from demo run -save, or a model's Save)")
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "address to listen on (port 0: any free port, printed on stdout)")
	fs.Var(&maxBody, "max-body", "largest request body (e.g. 512KB, 1MB; KB, MB and GB are powers of 1024)")
	fs.IntVar(&c.workers, "workers", 0, "prediction workers (0: GOMAXPROCS)")
	fs.IntVar(&c.maxBatch, "max-batch", trainers.DefaultMaxBatch, "most rows run in one batch")
	fs.DurationVar(&c.linger, "linger", trainers.DefaultLinger, "how long a worker waits for more requests to fill a batch")
	fs.DurationVar(&c.shutdownTimeout, "shutdown-timeout", 10*time.Second, "how long a shutdown waits for requests in progress")
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: demo serve -model FILE [flags]\n"+
			"  POST /v1/predict {\"rows\": [[...], ...]} -> {\"predictions\": [[...], ...]}   (a model of one input)\n"+
			"  POST /v1/predict {\"inputs\": {\"NAME\": [[...], ...], ...}} -> {\"outputs\": {\"NAME\": [[...], ...], ...}}\n"+
			"  GET /v1/model (every input's name, shape, dtype; every output), GET /v1/stats, GET /healthz\nflags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return parseStatus(err)
	}
	c.maxBody = int64(maxBody)
	switch {
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "demo serve: unexpected arguments %q\n", fs.Args())
		return exitUsage
	case c.model == "":
		fmt.Fprintln(stderr, "demo serve: -model is required")
		fs.Usage()
		return exitUsage
	case c.workers < 0 || c.maxBatch < 1 || c.linger < 0 || c.shutdownTimeout <= 0:
		fmt.Fprintln(stderr, "demo serve: -workers must not be negative, -max-batch must be at least 1, -linger >= 0, -shutdown-timeout > 0")
		return exitUsage
	}
	if err := serve(ctx, c, stdout); err != nil {
		fmt.Fprintf(stderr, "demo serve: %v\n", err)
		return exitFailure
	}
	return exitOK
}

// serve loads the model, listens, prints "serving FILE on http://ADDR" on stdout
// and serves until ctx ends; then it stops accepting, waits up to the shutdown
// timeout for requests in progress, and closes the predictor.
func serve(ctx context.Context, c serveConfig, stdout io.Writer) error {
	opts := []trainers.PredictorOption{trainers.WithMaxBatch(c.maxBatch), trainers.WithLinger(c.linger)}
	if c.workers > 0 {
		opts = append(opts, trainers.WithWorkers(c.workers))
	}
	sm, err := loadServingModel(c.model, opts...)
	if err != nil {
		return err
	}
	defer sm.close()
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return errors.Wrap(err, "listen")
	}
	srv := &http.Server{
		Handler:           newHandler(sm, c.maxBody),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
	}
	fmt.Fprintf(stdout, "serving %s on http://%s\n", c.model, ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return errors.Wrap(err, "serve")
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), c.shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
		return errors.Wrap(err, "shutdown")
	}
	if err := <-errc; err != nil && err != http.ErrServerClosed {
		return errors.Wrap(err, "serve")
	}
	fmt.Fprintln(stdout, "server stopped")
	return nil
}
