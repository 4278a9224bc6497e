package trainers

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// ProgressBar prints training progress as Keras does. Per step (on a terminal) it
// redraws one line: "12/32 [=====>....] - ETA: 1s - loss: 0.6931"; otherwise it
// prints one line per epoch: "Epoch 1/10 - 32/32 - 0.41s - loss: 0.6931 - ...".
type ProgressBar struct {
	BaseCallback
	w       io.Writer
	perStep bool
	start   time.Time
	last    time.Time
}

// NewProgressBar returns a progress bar writing to w; perStep redraws a bar at
// every step (for terminals), otherwise one line is printed per epoch.
func NewProgressBar(w io.Writer, perStep bool) *ProgressBar {
	return &ProgressBar{w: w, perStep: perStep}
}

// progressCallbacks returns the progress bar for a verbosity: none at 0, a
// per-step bar at 1 on a terminal, one line per epoch otherwise.
func progressCallbacks(w io.Writer, verbose int) []Callback {
	if verbose == 0 || w == nil {
		return nil
	}
	return []Callback{NewProgressBar(w, verbose == 1 && IsTerminal(w))}
}

// IsTerminal reports whether w is a character device such as a terminal (not a
// file, a pipe or a notebook's output).
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// OnEpochBegin starts the clock and, per step, prints the epoch header.
func (p *ProgressBar) OnEpochBegin(t *Trainer, epoch int) error {
	p.start = time.Now()
	p.last = time.Time{}
	if p.perStep {
		_, err := fmt.Fprintf(p.w, "Epoch %d/%d\n", epoch+1, t.fit.epochs)
		return err
	}
	return nil
}

// OnBatchEnd redraws the bar (at most 20 times a second, and at the last step).
func (p *ProgressBar) OnBatchEnd(t *Trainer, _, batch int, logs Logs) error {
	if !p.perStep {
		return nil
	}
	steps := t.fit.steps
	now := time.Now()
	if batch+1 < steps && now.Sub(p.last) < 50*time.Millisecond {
		return nil
	}
	p.last = now
	const width = 30
	done := (batch + 1) * width / steps
	bar := strings.Repeat("=", done)
	if done < width {
		bar += ">" + strings.Repeat(".", width-done-1)
	}
	elapsed := now.Sub(p.start)
	eta := time.Duration(float64(elapsed) / float64(batch+1) * float64(steps-batch-1))
	_, err := fmt.Fprintf(p.w, "\r%*d/%d [%s] - ETA: %s%s\x1b[K", len(fmt.Sprint(steps)), batch+1, steps, bar, fmtDuration(eta), fmtLogs(logs))
	return err
}

// OnEpochEnd finishes the epoch's line with the validation metrics.
func (p *ProgressBar) OnEpochEnd(t *Trainer, epoch int, logs Logs) error {
	elapsed := time.Since(p.start)
	steps := t.fit.steps
	var err error
	if p.perStep {
		bar := strings.Repeat("=", 30)
		_, err = fmt.Fprintf(p.w, "\r%d/%d [%s] - %s %s/step%s\x1b[K\n", steps, steps, bar, fmtDuration(elapsed),
			fmtDuration(elapsed/time.Duration(max(steps, 1))), fmtLogs(logs))
	} else {
		_, err = fmt.Fprintf(p.w, "Epoch %d/%d - %d/%d - %s%s\n", epoch+1, t.fit.epochs, steps, steps, fmtDuration(elapsed), fmtLogs(logs))
	}
	return err
}

func fmtLogs(logs Logs) string {
	var b strings.Builder
	for _, k := range logs.Names() {
		fmt.Fprintf(&b, " - %s: %.4f", k, logs[k])
	}
	return b.String()
}

// fmtDuration writes d as Keras does, in the largest unit that leaves a whole
// number of at least 1 (or one decimal for seconds): "2m3s", "1.5s", "12ms",
// "850µs"; a step under a millisecond is not shown as "0ms".
func fmtDuration(d time.Duration) string {
	switch {
	case d >= time.Minute:
		return d.Round(time.Second).String()
	case d >= time.Second:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%dms", d.Milliseconds())
	default:
		return fmt.Sprintf("%dµs", d.Microseconds())
	}
}
