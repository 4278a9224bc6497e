package trainers

import (
	"bufio"
	"os"
	"strconv"

	"github.com/pkg/errors"
)

// CSVLogger writes one row per epoch (epoch, then every log sorted) to a CSV file,
// as Keras' CSVLogger. The file is written to a temporary name beside Path and
// renamed at the end of each epoch, so it is never left half-written.
type CSVLogger struct {
	BaseCallback
	// Path is the CSV file to write.
	Path string
	// Append keeps the rows already in the file (default false: start afresh).
	Append bool

	prefix string // the file's earlier content, when appending
	header []string
	rows   [][]string
}

// OnTrainBegin reads the existing rows when appending.
func (c *CSVLogger) OnTrainBegin(*Trainer) error {
	c.prefix, c.header, c.rows = "", nil, nil
	if c.Path == "" {
		return errors.New("csv logger: no path")
	}
	if c.Append {
		if b, err := os.ReadFile(c.Path); err == nil {
			c.prefix = string(b)
		}
	}
	return nil
}

// OnEpochEnd adds the epoch's row and rewrites the file.
func (c *CSVLogger) OnEpochEnd(_ *Trainer, epoch int, logs Logs) error {
	if c.header == nil {
		c.header = append([]string{"epoch"}, logs.Names()...)
	}
	row := []string{strconv.Itoa(epoch)}
	for _, k := range c.header[1:] {
		row = append(row, strconv.FormatFloat(logs[k], 'g', -1, 64))
	}
	c.rows = append(c.rows, row)
	return errors.Wrap(c.write(), "csv logger")
}

func (c *CSVLogger) write() error {
	tmp := c.Path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	if c.prefix != "" {
		w.WriteString(c.prefix)
	} else {
		writeCSVRow(w, c.header)
	}
	for _, r := range c.rows {
		writeCSVRow(w, r)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, c.Path)
}

func writeCSVRow(w *bufio.Writer, fields []string) {
	for i, f := range fields {
		if i > 0 {
			w.WriteByte(',')
		}
		w.WriteString(f)
	}
	w.WriteByte('\n')
}
