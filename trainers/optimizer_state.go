package trainers

import (
	"encoding/json"
	"fmt"

	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// optState is an optimizer's settings and step count as a model file stores them;
// the state buffers go beside it as tensors "optimizer/<param>/<slot>".
type optState struct {
	Name               string          `json:"name"`
	LR                 float64         `json:"learning_rate"`
	Momentum           float64         `json:"momentum"`
	Nesterov           bool            `json:"nesterov"`
	Beta1              float64         `json:"beta1"`
	Beta2              float64         `json:"beta2"`
	Epsilon            float64         `json:"epsilon"`
	AMSGrad            bool            `json:"amsgrad"`
	WeightDecay        float64         `json:"weight_decay"`
	Rho                float64         `json:"rho"`
	InitialAccumulator float64         `json:"initial_accumulator"`
	ClipValue          float64         `json:"clip_value"`
	ClipNorm           float64         `json:"clip_norm"`
	GlobalClipNorm     float64         `json:"global_clip_norm"`
	Schedule           json.RawMessage `json:"schedule,omitempty"`
	Iterations         int             `json:"iterations"`
	HasState           bool            `json:"has_state"`
	// RowState lists the parameters whose state is held by rows (tables updated
	// by rows, SparseOptimizer): their tensors are "optimizer/<param>/rows" (the
	// table rows touched so far, as float64, shape (n)) and
	// "optimizer/<param>/<slot>" of shape (n, D), row k holding the state of
	// table row rows[k]. The other parameters' state tensors have the
	// parameter's shape. Files written before it hold dense state only.
	RowState []rowStateJSON `json:"row_state,omitempty"`
}

// rowStateJSON describes one parameter's state held by rows.
type rowStateJSON struct {
	Param string `json:"param"`
	Rows  int    `json:"rows"`
	Slots int    `json:"slots"`
}

func rowsName(param string) string { return "optimizer/" + param + "/rows" }

// scheduleJSON tags a schedule with its type.
type scheduleJSON struct {
	Type   string          `json:"type"`
	Params json.RawMessage `json:"params"`
}

// stateful is implemented by this package's optimizers.
type stateful interface {
	base() *baseOpt
}

func (o *baseOpt) base() *baseOpt { return o }

func slotName(param string, slot int) string { return fmt.Sprintf("optimizer/%s/%d", param, slot) }

// exportOptimizer returns opt's settings and its state tensors keyed by name.
// name gives each parameter's name in the file (layers.WeightPaths).
func exportOptimizer(opt Optimizer, params []*graph.Param, name map[*graph.Param]string) (*optState, map[string]*tensor.Dense, error) {
	s, ok := opt.(stateful)
	if !ok {
		return nil, nil, errors.Errorf("optimizer %s (%T) cannot be saved: only this package's optimizers can", opt.Name(), opt)
	}
	b := s.base()
	c := b.cfg
	st := &optState{Name: b.name, LR: c.lr, Momentum: c.momentum, Nesterov: c.nesterov, Beta1: c.beta1, Beta2: c.beta2,
		Epsilon: c.eps, AMSGrad: c.amsgrad, WeightDecay: c.weightDecay, Rho: c.rho, InitialAccumulator: c.initialAccumulator,
		ClipValue: c.clipValue, ClipNorm: c.clipNorm, GlobalClipNorm: c.globalClipNorm, Iterations: b.iter, HasState: b.state != nil}
	if c.schedule != nil {
		raw, err := encodeSchedule(c.schedule)
		if err != nil {
			return nil, nil, err
		}
		st.Schedule = raw
	}
	tensors := map[string]*tensor.Dense{}
	if b.state != nil {
		trainable := trainableParams(params)
		if len(trainable) != len(b.state) {
			return nil, nil, errors.Errorf("optimizer %s holds state for %d parameters, the model has %d trainable", b.name, len(b.state), len(trainable))
		}
		for i, p := range trainable {
			if store := b.lazyStore(i); store != nil {
				rs, err := exportRows(store, p, name[p], tensors)
				if err != nil {
					return nil, nil, err
				}
				st.RowState = append(st.RowState, rs)
				continue
			}
			for s, t := range b.state[i] {
				tensors[slotName(name[p], s)] = t
			}
		}
	}
	return st, tensors, nil
}

// importOptimizer rebuilds an optimizer from its saved settings and state.
func importOptimizer(st *optState, tensors map[string]*tensor.Dense, params []*graph.Param, name map[*graph.Param]string) (Optimizer, error) {
	var opt Optimizer
	switch st.Name {
	case "sgd":
		opt = SGD(1)
	case "adam":
		opt = Adam(1)
	case "adamw":
		opt = AdamW(1)
	case "rmsprop":
		opt = RMSProp(1)
	case "adagrad":
		opt = AdaGrad(1)
	default:
		return nil, errors.Errorf("saved optimizer %q is unknown (valid: sgd, adam, adamw, rmsprop, adagrad)", st.Name)
	}
	b := opt.(stateful).base()
	b.cfg = optConfig{lr: st.LR, momentum: st.Momentum, nesterov: st.Nesterov, beta1: st.Beta1, beta2: st.Beta2, eps: st.Epsilon,
		amsgrad: st.AMSGrad, weightDecay: st.WeightDecay, rho: st.Rho, initialAccumulator: st.InitialAccumulator,
		clipValue: st.ClipValue, clipNorm: st.ClipNorm, globalClipNorm: st.GlobalClipNorm, set: map[string]bool{}}
	if len(st.Schedule) > 0 {
		s, err := decodeSchedule(st.Schedule)
		if err != nil {
			return nil, err
		}
		b.cfg.schedule = s
	}
	b.iter = st.Iterations
	if st.HasState {
		trainable := trainableParams(params)
		b.state = make([][]*tensor.Dense, len(trainable))
		b.rows = make([]any, len(trainable))
		byRows := make(map[string]rowStateJSON, len(st.RowState))
		for _, rs := range st.RowState {
			if _, dup := byRows[rs.Param]; dup {
				return nil, errors.Errorf("optimizer row state of %q is saved twice", rs.Param)
			}
			byRows[rs.Param] = rs
		}
		for i, p := range trainable {
			if rs, ok := byRows[name[p]]; ok {
				store, err := importRows(rs, opt, p, tensors)
				if err != nil {
					return nil, err
				}
				b.rows[i] = store
				delete(byRows, name[p])
				continue
			}
			b.state[i] = make([]*tensor.Dense, b.slots)
			for s := range b.state[i] {
				key := slotName(name[p], s)
				t, ok := tensors[key]
				if !ok {
					return nil, errors.Errorf("the file has no optimizer state %q", key)
				}
				if t.Dtype() != p.Value.Dtype() || !t.Shape().Eq(p.Value.Shape()) {
					return nil, errors.Errorf("optimizer state %q is %v %v, parameter %s is %v %v", key, t.Dtype(), t.Shape(), name[p], p.Value.Dtype(), p.Value.Shape())
				}
				b.state[i][s] = t
			}
		}
		for k := range byRows {
			return nil, errors.Errorf("optimizer row state of %q: the model has no trainable parameter of that name", k)
		}
	}
	return opt, nil
}

// exportRows adds a lazy row store's tensors to tensors and describes them.
func exportRows(store any, p *graph.Param, name string, tensors map[string]*tensor.Dense) (rowStateJSON, error) {
	var rows *tensor.Dense
	var slots []*tensor.Dense
	var nslots int
	switch s := store.(type) {
	case *rowStore[float32]:
		rows, slots = s.export(tensor.Float32)
		nslots = s.nslots
	case *rowStore[float64]:
		rows, slots = s.export(tensor.Float64)
		nslots = s.nslots
	default:
		return rowStateJSON{}, errors.Errorf("optimizer state of %s: unknown row store %T", name, store)
	}
	rs := rowStateJSON{Param: name, Slots: nslots}
	if rows != nil {
		rs.Rows = rows.Shape()[0]
		tensors[rowsName(name)] = rows
		for sl, t := range slots {
			tensors[slotName(name, sl)] = t
		}
	}
	return rs, nil
}

// importRows rebuilds a lazy row store from the tensors exportRows wrote, checking
// them: rows whole, distinct and in range, slots of shape (n, D) and the
// parameter's dtype, as many slots as the optimizer's settings need.
func importRows(rs rowStateJSON, opt Optimizer, p *graph.Param, tensors map[string]*tensor.Dense) (any, error) {
	sh := p.Value.Shape()
	if sh.Dims() != 2 {
		return nil, errors.Errorf("optimizer row state of %q: parameter shape %v is not (rows, dims)", rs.Param, sh)
	}
	v, d := sh[0], sh[1]
	want := 0
	if rsl, ok := opt.(rowSlotter); ok {
		want = rsl.rowSlots(opt.(stateful).base().cfg)
	}
	if rs.Slots != want {
		return nil, errors.Errorf("optimizer row state of %q has %d slots, optimizer %s needs %d", rs.Param, rs.Slots, opt.Name(), want)
	}
	if rs.Rows < 0 || rs.Rows > v || v > maxLazyRows || (rs.Slots == 0 && rs.Rows > 0) {
		return nil, errors.Errorf("optimizer row state of %q: %d rows for a table of %d", rs.Param, rs.Rows, v)
	}
	var rows []int
	var slots []*tensor.Dense
	if rs.Rows > 0 {
		rt, ok := tensors[rowsName(rs.Param)]
		if !ok {
			return nil, errors.Errorf("the file has no optimizer state %q", rowsName(rs.Param))
		}
		rv, ok := rt.Data().([]float64)
		if !ok || !rt.Shape().Eq(tensor.Shape{rs.Rows}) {
			return nil, errors.Errorf("optimizer state %q is %v %v, want float64 (%d)", rowsName(rs.Param), rt.Dtype(), rt.Shape(), rs.Rows)
		}
		seen := make(map[int]bool, len(rv))
		rows = make([]int, len(rv))
		for k, x := range rv {
			r := int(x)
			if float64(r) != x || r < 0 || r >= v || seen[r] {
				return nil, errors.Errorf("optimizer state %q: entry %d (%g) is not a distinct row of [0, %d)", rowsName(rs.Param), k, x, v)
			}
			seen[r] = true
			rows[k] = r
		}
		for sl := 0; sl < rs.Slots; sl++ {
			key := slotName(rs.Param, sl)
			t, ok := tensors[key]
			if !ok {
				return nil, errors.Errorf("the file has no optimizer state %q", key)
			}
			if t.Dtype() != p.Value.Dtype() || !t.Shape().Eq(tensor.Shape{rs.Rows, d}) {
				return nil, errors.Errorf("optimizer state %q is %v %v, want %v (%d, %d)", key, t.Dtype(), t.Shape(), p.Value.Dtype(), rs.Rows, d)
			}
			slots = append(slots, t)
		}
	}
	init := 0.0
	if opt.Name() == "adagrad" {
		init = opt.(stateful).base().cfg.initialAccumulator
	}
	if p.Value.Dtype() == tensor.Float32 {
		s := newRowStore(v, d, rs.Slots, float32(init))
		s.load(rows, slots)
		return s, nil
	}
	s := newRowStore(v, d, rs.Slots, init)
	s.load(rows, slots)
	return s, nil
}

func trainableParams(ps []*graph.Param) []*graph.Param {
	var out []*graph.Param
	for _, p := range ps {
		if p.Trainable {
			out = append(out, p)
		}
	}
	return out
}

func encodeSchedule(s Schedule) (json.RawMessage, error) {
	var typ string
	switch s.(type) {
	case ExponentialDecay, *ExponentialDecay:
		typ = "ExponentialDecay"
	case PiecewiseConstant, *PiecewiseConstant:
		typ = "PiecewiseConstant"
	case CosineDecay, *CosineDecay:
		typ = "CosineDecay"
	default:
		return nil, errors.Errorf("schedule %T cannot be saved (only ExponentialDecay, PiecewiseConstant and CosineDecay can)", s)
	}
	p, err := json.Marshal(s)
	if err != nil {
		return nil, errors.Wrap(err, "schedule")
	}
	return json.Marshal(scheduleJSON{Type: typ, Params: p})
}

func decodeSchedule(raw json.RawMessage) (Schedule, error) {
	var sj scheduleJSON
	if err := json.Unmarshal(raw, &sj); err != nil {
		return nil, errors.Wrap(err, "saved schedule")
	}
	var s Schedule
	var err error
	switch sj.Type {
	case "ExponentialDecay":
		var e ExponentialDecay
		err = json.Unmarshal(sj.Params, &e)
		s = e
	case "PiecewiseConstant":
		var p PiecewiseConstant
		err = json.Unmarshal(sj.Params, &p)
		s = p
	case "CosineDecay":
		var c CosineDecay
		err = json.Unmarshal(sj.Params, &c)
		s = c
	default:
		return nil, errors.Errorf("saved schedule type %q is unknown", sj.Type)
	}
	return s, errors.Wrap(err, "saved schedule")
}
