package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"runtime"
	"time"

	"github.com/gokeras/gokeras/serving"
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

// Bounds of the serve flags: beyond them a setting would take more memory than a
// machine has before the first request (the predictor's queue holds workers x
// max-batch entries), or make every request time out.
const (
	maxServeWorkers  = 256
	maxServeBatch    = 4096
	maxServeLinger   = time.Second
	maxServeInFlight = 4096
	maxServeBody     = 1 << 30
	// inFlightPerWorker sets the default -max-in-flight: this many per worker.
	inFlightPerWorker = 4
	// minTokenLen is the shortest token taken: a guessable one is refused.
	minTokenLen = 16
	// tokenEnv is the environment variable that holds the token when -token is
	// not given (a flag's value is visible to every local user in the process list).
	tokenEnv = "GOKERAS_SERVE_TOKEN"
)

// serveConfig is what the serve command's flags set.
type serveConfig struct {
	model           string
	models          string                // a model repository: DIR/NAME/VERSION/FILE
	versions        serving.VersionPolicy // of the repository
	poll            time.Duration         // how often the repository is scanned; 0: only on :reload
	addr            string
	maxBody         int64
	workers         int
	maxBatch        int
	linger          time.Duration
	shutdownTimeout time.Duration
	maxInFlight     int    // 0: inFlightPerWorker x workers
	maxTokens       int    // most tokens per generate request (-models)
	stats           bool   // /v1/stats and /metrics open to every client
	token           string // required by /v1/stats and /metrics when set
	keys            string // API key file: every route but /healthz and /readyz needs a key
	tlsCert         string // TLS certificate (PEM) file; with tlsKey, the server speaks HTTPS
	tlsKey          string // its private key (PEM) file
	allowOpen       bool   // listen on an address other than loopback without keys
}

// serveCmd parses the serve flags and serves the model over HTTP until ctx ends
// (SIGINT or SIGTERM), then shuts the server down gracefully. Log lines (settings,
// failed predictions, recovered panics) go to stderr.
func serveCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c serveConfig
	maxBody := byteSize(defaultMaxBody)
	fs.StringVar(&c.model, "model", "", "model file (from demo run -save, or a model's Save)")
	fs.StringVar(&c.models, "models", "", "a model repository to serve instead of -model: every DIR/NAME/VERSION/FILE (VERSION a positive integer, one model file each; "+
		"write files atomically: names starting with '.' or ending in .tmp are skipped until renamed)")
	versions := fs.String("versions", "latest", "with -models, the versions served per model: latest (the highest that loads), latest:N (the N highest) or all")
	fs.DurationVar(&c.poll, "poll", serving.DefaultPoll, "with -models, how often the repository is scanned for new versions (polling works on every file system; 0: only on POST /v1/models/NAME:reload)")
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "address to listen on (port 0: any free port, printed on stdout)")
	fs.Var(&maxBody, "max-body", "largest request body, up to 1GB (e.g. 512KB, 1MB; KB, MB and GB are powers of 1024)")
	fs.IntVar(&c.workers, "workers", 0, fmt.Sprintf("prediction workers, 0 to %d (0: GOMAXPROCS)", maxServeWorkers))
	fs.IntVar(&c.maxBatch, "max-batch", trainers.DefaultMaxBatch, fmt.Sprintf("most rows run in one batch, 1 to %d", maxServeBatch))
	fs.DurationVar(&c.linger, "linger", trainers.DefaultLinger, fmt.Sprintf("how long a worker waits for more requests to fill a batch, 0 to %v", maxServeLinger))
	fs.DurationVar(&c.shutdownTimeout, "shutdown-timeout", 10*time.Second, "how long a shutdown waits for requests in progress")
	fs.IntVar(&c.maxInFlight, "max-in-flight", 0, fmt.Sprintf("most predictions in flight (from reading the body to the answer), 1 to %d; "+
		"more get 503 with Retry-After (0: %d x workers)", maxServeInFlight, inFlightPerWorker))
	fs.IntVar(&c.maxTokens, "max-tokens", defaultMaxTokens, fmt.Sprintf("with -models, the most tokens a POST /v1/models/NAME:generate request may ask for, 1 to %d", maxServeTokens))
	fs.BoolVar(&c.stats, "stats", false, "serve GET /v1/stats and GET /metrics to every client (without it, only to clients that send the token)")
	fs.StringVar(&c.token, "token", "", fmt.Sprintf("a secret of at least %d characters that GET /v1/stats and GET /metrics require as "+
		"\"Authorization: Bearer TOKEN\" (default $%s, which other local users cannot see in the process list as they can a flag)", minTokenLen, tokenEnv))
	fs.StringVar(&c.keys, "keys", "", "a file of API keys (one per line: NAME sha256:HEX [models=A,B|*] [admin] [rate=R] [burst=B]; HEX the SHA-256 of the key, "+
		"the key itself never stored): every route but /healthz and /readyz then needs \"Authorization: Bearer KEY\" (or X-API-Key) "+
		"and answers 401 without a known key, 403 outside its scopes, 429 over its rate; the file is read again when it changes (checked every 2s)")
	fs.StringVar(&c.tlsCert, "tls-cert", "", "serve HTTPS with this certificate (PEM, the chain after the leaf); needs -tls-key")
	fs.StringVar(&c.tlsKey, "tls-key", "", "the private key (PEM) of -tls-cert")
	fs.BoolVar(&c.allowOpen, "allow-unauthenticated", false, "listen on an -addr other than loopback without -keys (anyone who can reach the address may call every route)")
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: demo serve -model FILE [flags], or demo serve -models DIR [flags]\n"+
			"  POST /v1/predict {\"rows\": [[...], ...]} -> {\"predictions\": [[...], ...], \"classes\": [...], \"labels\": [...]}   (a row: every input's values, in input order)\n"+
			"  POST /v1/predict {\"inputs\": {\"NAME\": [[...], ...], ...}} -> {\"outputs\": {\"NAME\": [[...], ...], ...}, \"classes\": {...}, \"labels\": {...}}\n"+
			"  values: numbers for float inputs, integers for integer inputs, JSON strings for string inputs\n"+
			"  a speech model (demo run kws|digits-ctc -save) also takes a WAV body (Content-Type: audio/wav; ?beam=N)\n"+
			"  -> {\"transcript\": \"...\"} or {\"keyword\": \"...\", \"probability\": P}, with \"seconds\"\n"+
			"  classes: the index of the largest value per row (for one value with two class names, a binary classifier:\n"+
			"  1 when it is >= 0.5, 0 below); labels: its name, for outputs whose classes have names\n"+
			"  GET /v1/model (the file's name; every input's name, shape, dtype; every output, with its class names), GET /healthz\n"+
			"  GET /v1/stats, GET /metrics (Prometheus text format): with -stats, or with the token\n"+
			"  503 with Retry-After beyond -max-in-flight predictions at once\n"+
			"  with -models DIR: GET /v1/models, GET /v1/models/NAME, GET /v1/models/NAME/versions/V, POST /v1/models/NAME:predict (the highest version available),\n"+
			"  POST /v1/models/NAME/versions/V:predict, POST /v1/models/NAME:reload, GET /readyz; answers add \"model_name\" and \"model_version\"\n"+
			"  POST /v1/models/NAME:generate {\"prompt\": \"...\", \"max_tokens\": N, \"temperature\": F, \"top_k\": N, \"top_p\": F, \"seed\": N, \"stop\": [...]}\n"+
			"  -> text/event-stream: data: {\"text\": \"...\"} per piece, then event: done {\"tokens\", \"seconds\", \"time_to_first_token\", \"finish_reason\"}\n"+
			"  with -keys FILE: every route but /healthz and /readyz needs a key (\"Authorization: Bearer KEY\"): 401 without a known one,\n"+
			"  403 outside its scopes (models=..., admin for :reload, /v1/stats and /metrics), 429 with Retry-After over its rate;\n"+
			"  GET /v1/models lists the key's models only. Without -keys, -addr must be a loopback address (or -allow-unauthenticated)\nflags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return parseStatus(err)
	}
	c.maxBody = int64(maxBody)
	tokenFrom := "-token"
	if c.token == "" {
		c.token, tokenFrom = os.Getenv(tokenEnv), "$"+tokenEnv
	}
	var problem string
	switch {
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "demo serve: unexpected arguments %q\n", fs.Args())
		return exitUsage
	case c.model == "" && c.models == "":
		fmt.Fprintln(stderr, "demo serve: -model is required (or -models DIR)")
		fs.Usage()
		return exitUsage
	case c.model != "" && c.models != "":
		problem = "-model and -models cannot be used together"
	case c.poll < 0:
		problem = fmt.Sprintf("-poll must be 0 (no polling) or positive, not %v", c.poll)
	case c.workers < 0 || c.workers > maxServeWorkers:
		problem = fmt.Sprintf("-workers must be between 0 (GOMAXPROCS) and %d, not %d", maxServeWorkers, c.workers)
	case c.maxBatch < 1 || c.maxBatch > maxServeBatch:
		problem = fmt.Sprintf("-max-batch must be between 1 and %d, not %d", maxServeBatch, c.maxBatch)
	case c.linger < 0 || c.linger > maxServeLinger:
		problem = fmt.Sprintf("-linger must be between 0 and %v, not %v", maxServeLinger, c.linger)
	case c.maxInFlight < 0 || c.maxInFlight > maxServeInFlight:
		problem = fmt.Sprintf("-max-in-flight must be between 1 and %d (0: %d x workers), not %d", maxServeInFlight, inFlightPerWorker, c.maxInFlight)
	case c.maxTokens < 1 || c.maxTokens > maxServeTokens:
		problem = fmt.Sprintf("-max-tokens must be between 1 and %d, not %d", maxServeTokens, c.maxTokens)
	case c.maxBody > maxServeBody:
		problem = fmt.Sprintf("-max-body must be at most 1GB, not %d bytes", c.maxBody)
	case c.shutdownTimeout <= 0:
		problem = fmt.Sprintf("-shutdown-timeout must be positive, not %v", c.shutdownTimeout)
	case c.keys != "" && c.token != "":
		problem = "-keys and a token (" + tokenFrom + ") cannot be used together: give the monitoring client a key with the admin scope"
	case (c.tlsCert == "") != (c.tlsKey == ""):
		problem = "-tls-cert and -tls-key go together: give both, or neither for plain HTTP"
	case c.keys == "" && !c.allowOpen && !loopbackAddr(c.addr):
		problem = fmt.Sprintf("-addr %s is not a loopback address: without -keys anyone who can reach it could call every route; "+
			"give -keys FILE, or -allow-unauthenticated to serve it open", c.addr)
	case c.token != "" && len(c.token) < minTokenLen:
		problem = fmt.Sprintf("the token (%s) has %d characters: use at least %d (e.g. openssl rand -hex 16)", tokenFrom, len(c.token), minTokenLen)
	}
	if problem == "" {
		var err error
		if c.versions, err = serving.ParseVersionPolicy(*versions); err != nil {
			problem = "-versions: " + err.Error()
		}
	}
	if problem == "" && c.models == "" {
		fs.Visit(func(f *flag.Flag) {
			if f.Name == "versions" || f.Name == "poll" || f.Name == "max-tokens" {
				problem = fmt.Sprintf("-%s applies to -models only", f.Name)
			}
		})
	}
	if problem != "" {
		fmt.Fprintf(stderr, "demo serve: %s\n", problem)
		return exitUsage
	}
	if c.workers == 0 {
		c.workers = runtime.GOMAXPROCS(0)
	}
	if c.maxInFlight == 0 {
		c.maxInFlight = min(inFlightPerWorker*c.workers, maxServeInFlight)
	}
	run := serve
	if c.models != "" {
		run = serveRepo
	}
	if err := run(ctx, c, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "demo serve: %v\n", err)
		return exitFailure
	}
	return exitOK
}

// serve loads the model, listens, prints "serving FILE on http://ADDR" on stdout
// and serves until ctx ends; then it stops accepting, waits up to the shutdown
// timeout for requests in progress, and closes the predictor. c holds resolved
// settings (workers and max in flight not 0). Log lines go to logw.
func serve(ctx context.Context, c serveConfig, stdout, logw io.Writer) error {
	opts := []trainers.PredictorOption{trainers.WithMaxBatch(c.maxBatch), trainers.WithLinger(c.linger), trainers.WithWorkers(c.workers)}
	sm, err := loadServingModel(c.model, opts...)
	if err != nil {
		return err
	}
	defer sm.close()
	logger := log.New(logw, "demo serve: ", log.LstdFlags)
	keys, err := startKeys(ctx, c.keys, logger)
	if err != nil {
		return err
	}
	h := newHandler(sm, handlerConfig{maxBody: c.maxBody, maxInFlight: c.maxInFlight, stats: c.stats, token: c.token, keys: keys, log: logger})
	if keys != nil {
		logger.Printf("the model's name in key scopes: %q", h.single)
	}
	return listenAndServe(ctx, c, h, c.model, stdout, logger)
}

// listenAndServe listens on c.addr, logs the settings, prints "serving WHAT on
// http://ADDR" (https with -tls-cert) on stdout and serves h until ctx ends; then
// it stops accepting and waits up to the shutdown timeout for requests in
// progress.
func listenAndServe(ctx context.Context, c serveConfig, h http.Handler, what string, stdout io.Writer, logger *log.Logger) error {
	var tlsConfig *tls.Config
	scheme := "http"
	if c.tlsCert != "" {
		var err error
		if tlsConfig, err = serverTLS(c.tlsCert, c.tlsKey, logger); err != nil {
			return err
		}
		scheme = "https"
	}
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return errors.Wrap(err, "listen")
	}
	monitoring := "off (-stats or a token turns them on)"
	switch {
	case c.keys != "" && c.stats:
		monitoring = "for every key (-stats)"
	case c.keys != "":
		monitoring = "for admin keys"
	case c.token != "":
		monitoring = "for clients that send the token"
	case c.stats:
		monitoring = "open to every client (-stats)"
	}
	logger.Printf("%d workers, max batch %d, linger %v, at most %d predictions in flight (then 503), bodies up to %d bytes; /v1/stats and /metrics: %s",
		c.workers, c.maxBatch, c.linger, c.maxInFlight, c.maxBody, monitoring)
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          logger,
		TLSConfig:         tlsConfig,
	}
	fmt.Fprintf(stdout, "serving %s on %s://%s\n", what, scheme, ln.Addr())
	errc := make(chan error, 1)
	go func() {
		if tlsConfig != nil {
			errc <- srv.ServeTLS(ln, "", "")
			return
		}
		errc <- srv.Serve(ln)
	}()
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

// serveRepo serves the model repository c.models (see newRepoHandler): it opens
// it (the models load in the background: /readyz tells when all have a version),
// serves until ctx ends, shuts the server down gracefully, then closes the
// repository (each version once its last request ends).
func serveRepo(ctx context.Context, c serveConfig, stdout, logw io.Writer) error {
	logger := log.New(logw, "demo serve: ", log.LstdFlags)
	opts := []trainers.PredictorOption{trainers.WithMaxBatch(c.maxBatch), trainers.WithLinger(c.linger), trainers.WithWorkers(c.workers)}
	repo, err := serving.Open(c.models, serving.WithLoader(servingLoader(opts...)), serving.WithPolicy(c.versions),
		serving.WithPoll(c.poll), serving.WithLogger(logger))
	if err != nil {
		return err
	}
	defer repo.Close()
	logger.Printf("model repository %s: versions %s, polled every %v", c.models, c.versions, c.poll)
	keys, err := startKeys(ctx, c.keys, logger)
	if err != nil {
		return err
	}
	h := newRepoHandler(repo, handlerConfig{maxBody: c.maxBody, maxInFlight: c.maxInFlight, maxTokens: c.maxTokens, stats: c.stats, token: c.token, keys: keys, log: logger})
	return listenAndServe(ctx, c, h, "models in "+c.models, stdout, logger)
}
