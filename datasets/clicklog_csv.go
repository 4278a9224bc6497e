package datasets

import (
	"bufio"
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"github.com/pkg/errors"
)

// ClickBagSeparator separates the ids of a bag in a ClickLog CSV column.
const ClickBagSeparator = "|"

// ClickCSVOption configures ClickLogData.WriteCSV; the only one is
// ClickCSVStringIDs.
type ClickCSVOption interface{ applyClickCSV(*clickCSVConfig) }

type clickCSVOptionFunc func(*clickCSVConfig)

func (f clickCSVOptionFunc) applyClickCSV(c *clickCSVConfig) { f(c) }

type clickCSVConfig struct{ stringIDs bool }

// ClickCSVStringIDs writes the ids of the categorical fields as text, the
// field name, an underscore and the id ("user_id_17"), so that ReadCSV (and
// `demo csv`) takes them as categories instead of numbers. Default: plain
// integers ("17"). The bag column is text either way.
func ClickCSVStringIDs() ClickCSVOption {
	return clickCSVOptionFunc(func(c *clickCSVConfig) { c.stringIDs = true })
}

// numericColumn names numeric feature j in the CSV: "numeric_0", ...
func numericColumn(j int) string { return ClickNumeric + "_" + strconv.Itoa(j) }

// CSVHeader returns the column names WriteCSV writes: the categorical
// fields, the bag, "numeric_0" .. "numeric_<count-1>", "click"; nil for a
// nil or zero ClickLogData.
func (d *ClickLogData) CSVHeader() []string {
	if d == nil || d.Data == nil {
		return nil
	}
	h := make([]string, 0, d.nf+1+d.numeric+1)
	for _, f := range d.Fields[:d.nf+1] {
		h = append(h, f.Name)
	}
	for j := 0; j < d.numeric; j++ {
		h = append(h, numericColumn(j))
	}
	return append(h, clickTarget)
}

// WriteCSV writes the rows as CSV to w: a header (see CSVHeader), then one
// line per row with the id of each categorical field (an integer, or text
// with ClickCSVStringIDs), the bag as its MaxLen ids joined by "|" with the
// padding included ("3|17|5|0|0|0": a fixed number of ids per row, and text
// even when a bag holds one id), the numeric features (float32 values in
// the shortest form that reads back exactly) and the click (0 or 1, the
// last column, which ReadCSV takes as the target by default). P is not
// written. Errors come from w.
func (d *ClickLogData) WriteCSV(w io.Writer, opts ...ClickCSVOption) error {
	const fn = "datasets.ClickLogData.WriteCSV"
	if d == nil || d.Data == nil {
		return errors.New(fn + ": nil click log")
	}
	if w == nil {
		return errors.New(fn + ": nil writer")
	}
	var c clickCSVConfig
	for _, o := range opts {
		if o != nil {
			o.applyClickCSV(&c)
		}
	}
	bw := bufio.NewWriter(w)
	cw := csv.NewWriter(bw)
	if err := cw.Write(d.CSVHeader()); err != nil {
		return errors.Wrap(err, fn)
	}
	rec := make([]string, d.nf+1+d.numeric+1)
	var bag strings.Builder
	for i := range d.Clicks {
		for f := 0; f < d.nf; f++ {
			id := strconv.FormatInt(d.ids[f][i], 10)
			if c.stringIDs {
				id = d.Fields[f].Name + "_" + id
			}
			rec[f] = id
		}
		bag.Reset()
		for j, id := range d.bag[i*d.bagLen : (i+1)*d.bagLen] {
			if j > 0 {
				bag.WriteString(ClickBagSeparator)
			}
			bag.WriteString(strconv.FormatInt(id, 10))
		}
		rec[d.nf] = bag.String()
		for j, x := range d.num[i*d.numeric : (i+1)*d.numeric] {
			rec[d.nf+1+j] = strconv.FormatFloat(float64(x), 'g', -1, 32)
		}
		rec[len(rec)-1] = strconv.Itoa(int(d.Clicks[i]))
		if err := cw.Write(rec); err != nil {
			return errors.Wrap(err, fn)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return errors.Wrap(err, fn)
	}
	return errors.Wrap(bw.Flush(), fn)
}

// ParseClickBag parses a bag column written by WriteCSV ("3|17|5|0|0|0")
// into its ids, padding included. An empty string, or a part that is not a
// non-negative integer, is an error naming it.
func ParseClickBag(s string) ([]int64, error) {
	if s == "" {
		return nil, errors.New("datasets.ParseClickBag: empty bag")
	}
	parts := strings.Split(s, ClickBagSeparator)
	ids := make([]int64, len(parts))
	for i, p := range parts {
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil || id < 0 {
			return nil, errors.Errorf("datasets.ParseClickBag: id %d of %q is %q, want a non-negative integer", i, s, p)
		}
		ids[i] = id
	}
	return ids, nil
}
