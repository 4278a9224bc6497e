package trainers

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Predictor answers predictions of one built model from many goroutines at once,
// as a server does. Its worker goroutines each own compiled inference programs
// (programs are not safe for concurrent use); the model's weights are shared and
// only read. Requests wait in a queue: a worker takes one, adds the rows of further
// queued requests up to the max batch (waiting at most the linger for them), runs
// the batch once and hands every caller its own rows back.
//
// A Predictor must not be used while the model is trained: training writes the
// weights its programs read. Create it with NewPredictor or LoadPredictor and
// Close it when done.
type Predictor struct {
	model         layers.Model
	cfg           predictorConfig
	ins, outs     []layers.Spec
	inPer, outPer []int
	label         func(int) string

	queue chan *predictRequest
	done  chan struct{} // closed by Close: workers stop
	mu    sync.RWMutex  // held for reading while enqueueing, for writing by Close
	shut  bool          // guarded by mu
	once  sync.Once
	wg    sync.WaitGroup

	requests, rows, batches, canceled atomic.Int64
}

// PredictorStats counts what a Predictor has done.
type PredictorStats struct {
	// Requests is the number of Predict calls a worker ran (successfully or
	// not).
	Requests int
	// Rows is the number of rows run.
	Rows int
	// Batches is the number of batches run: at most Requests when requests
	// were gathered, more when a request had more rows than the max batch.
	Batches int
	// Canceled is the number of Predict calls whose context ended while they
	// were queued: they were not run.
	Canceled int
}

// States of a predictRequest. A queued request is claimed once, with a
// compare-and-swap: by a worker (taken), or by its caller giving up, a worker
// finding its context ended or Close (canceled). Whoever claims it owns it; a
// caller that gave up no longer waits, and x is not read after that.
const (
	reqQueued int32 = iota
	reqTaken
	reqCanceled
)

// predictRequest is one Predict call waiting in the queue.
type predictRequest struct {
	ctx   context.Context
	xs    []*tensor.Dense // one per model input, in order
	n     int
	state atomic.Int32
	out   []*tensor.Dense // one per model output, in order
	err   error
	done  chan struct{} // closed when out or err is set
}

func (r *predictRequest) finish(out []*tensor.Dense, err error) {
	if err != nil {
		out = nil
	}
	r.out, r.err = out, err
	close(r.done)
}

// errPredictorClosed is the error of Predict on a closed Predictor.
var errPredictorClosed = errors.New("predictor: closed")

// NewPredictor returns a Predictor for a built model (trained, or loaded with
// layers.Load) and starts its workers. Options: WithWorkers (default GOMAXPROCS),
// WithMaxBatch (default 64), WithLinger (default 0). Programs are compiled on
// first use, per worker and per batch size (powers of two up to the max batch,
// and the max batch; smaller batches are padded).
func NewPredictor(model layers.Model, opts ...PredictorOption) (*Predictor, error) {
	p, err := newPredictor(model, opts)
	if err != nil {
		return nil, err
	}
	p.start()
	return p, nil
}

// LoadPredictor loads the model file at path (written by a model's Save or by
// Trainer.Save; see layers.Load) and returns NewPredictor for it.
func LoadPredictor(path string, opts ...PredictorOption) (*Predictor, error) {
	m, err := layers.Load(path)
	if err != nil {
		return nil, errors.Wrap(err, "trainers: load predictor")
	}
	return NewPredictor(m, opts...)
}

// newPredictor checks everything and returns a Predictor whose workers are not
// started yet.
func newPredictor(model layers.Model, opts []PredictorOption) (*Predictor, error) {
	cfg, err := newPredictorConfig(opts)
	if err != nil {
		return nil, err
	}
	if model == nil {
		return nil, errors.New("trainers: predictor: nil model")
	}
	if !model.Built() {
		return nil, errors.New("trainers: predictor: the model is not built (train it, or load it with layers.Load)")
	}
	probe := &Trainer{model: model}
	p := &Predictor{
		model: model, cfg: cfg, ins: model.Inputs(), outs: model.Outputs(),
		label: probe.inputLabel,
		queue: make(chan *predictRequest, cfg.workers*cfg.maxBatch),
		done:  make(chan struct{}),
	}
	for _, s := range p.ins {
		p.inPer = append(p.inPer, prod(s.Shape))
	}
	for _, s := range p.outs {
		p.outPer = append(p.outPer, prod(s.Shape))
	}
	return p, nil
}

func (p *Predictor) start() {
	p.wg.Add(p.cfg.workers)
	for i := 0; i < p.cfg.workers; i++ {
		w := &Trainer{model: p.model, programs: map[programKey]*program{}}
		go p.work(w)
	}
}

// Model returns the model the Predictor runs.
func (p *Predictor) Model() layers.Model { return p.model }

// Stats returns the counts so far.
func (p *Predictor) Stats() PredictorStats {
	return PredictorStats{
		Requests: int(p.requests.Load()),
		Rows:     int(p.rows.Load()),
		Batches:  int(p.batches.Load()),
		Canceled: int(p.canceled.Load()),
	}
}

// Predict returns the outputs of a model of one input and one output for x, shape
// (N, input...) with any N >= 1, in inference mode: a new tensor of shape (N,
// output...) in the model's dtype. x must be float32 or float64 and finite
// (int32/int64 ids for an integer input, a String tensor for a String input); it is read by a worker, so it must not
// change until Predict returns. Safe for concurrent use. If ctx ends while the
// request is queued, Predict returns ctx's error at once and the request is not
// run; once a worker has taken it, Predict waits for its batch (one run). A closed
// Predictor returns an error.
func (p *Predictor) Predict(ctx context.Context, x *tensor.Dense) (*tensor.Dense, error) {
	if len(p.ins) != 1 || len(p.outs) != 1 {
		return nil, errors.Errorf("predict: the model has %d inputs and %d outputs: use PredictNamed or PredictTensors", len(p.ins), len(p.outs))
	}
	out, err := p.PredictTensors(ctx, []*tensor.Dense{x})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// PredictNamed is Predict for a model of several inputs or outputs: x maps every
// input's name to its rows (the same N for all), and the result maps every output's
// name to its rows.
func (p *Predictor) PredictNamed(ctx context.Context, x map[string]*tensor.Dense) (map[string]*tensor.Dense, error) {
	xs, err := orderInputs("predict", p.ins, x)
	if err != nil {
		return nil, err
	}
	outs, err := p.PredictTensors(ctx, xs)
	if err != nil {
		return nil, err
	}
	res := make(map[string]*tensor.Dense, len(outs))
	for i, o := range p.outs {
		res[o.Name] = outs[i]
	}
	return res, nil
}

// PredictTensors is Predict with inputs and outputs in the model's order.
func (p *Predictor) PredictTensors(ctx context.Context, xs []*tensor.Dense) ([]*tensor.Dense, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	n, err := checkInputs("predict", p.ins, p.label, xs)
	if err != nil {
		return nil, err
	}
	if err := checkIDsOf("predict", p.model, p.label, xs); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, errors.Wrap(err, "predict")
	}
	r := &predictRequest{ctx: ctx, xs: xs, n: n, done: make(chan struct{})}
	if err := p.enqueue(ctx, r); err != nil {
		return nil, err
	}
	select {
	case <-r.done:
	case <-ctx.Done():
		if r.state.CompareAndSwap(reqQueued, reqCanceled) {
			p.canceled.Add(1)
			return nil, errors.Wrap(ctx.Err(), "predict")
		}
		<-r.done // claimed by a worker (or Close): it answers soon
	}
	return r.out, r.err
}

// Inputs describes the model's inputs (name, shape, dtype), in order.
func (p *Predictor) Inputs() []layers.Spec { return append([]layers.Spec(nil), p.ins...) }

// Outputs describes the model's outputs, in order.
func (p *Predictor) Outputs() []layers.Spec { return append([]layers.Spec(nil), p.outs...) }

// enqueue puts r in the queue unless the Predictor is closed or ctx ends first.
func (p *Predictor) enqueue(ctx context.Context, r *predictRequest) error {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.shut {
		return errPredictorClosed
	}
	select {
	case p.queue <- r:
		return nil
	case <-ctx.Done():
		return errors.Wrap(ctx.Err(), "predict")
	case <-p.done:
		return errPredictorClosed
	}
}

// Close stops the workers after the batches they are running and answers the
// requests still queued with an error; later Predict calls return an error.
// Close is safe to call more than once and always returns nil.
func (p *Predictor) Close() error {
	p.once.Do(func() {
		close(p.done) // wakes senders blocked on a full queue
		p.mu.Lock()   // waits for them to leave
		p.shut = true
		p.mu.Unlock()
		p.wg.Wait()
		for {
			select {
			case r := <-p.queue:
				if r.state.CompareAndSwap(reqQueued, reqCanceled) {
					r.finish(nil, errPredictorClosed)
				}
			default:
				return
			}
		}
	})
	return nil
}
