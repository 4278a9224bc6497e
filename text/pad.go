package text

import "github.com/pkg/errors"

// PadOptions are the settings of Pad.
type PadOptions struct {
	// Length is the number of ids per row, T (required, at least 1).
	Length int
	// Truncate says which ids a row longer than Length loses: "post" (the end,
	// as TextVectorization does), "pre" (the start, as Keras' pad_sequences), or ""
	// (the default: a longer row is an error naming it).
	Truncate string
	// RejectEmpty makes a row without ids an error naming it (default false: an
	// all-padding row).
	RejectEmpty bool
}

// Pad lays rows of ids out as a (len(rows), opts.Length) batch in row-major order,
// filling the end of short rows with PadID, and returns it with its mask, true where
// the id is not padding. A row holding the padding id is an error (the mask could not
// tell it from padding).
func Pad(rows [][]int, opts PadOptions) (flat []int, mask []bool, err error) {
	T := opts.Length
	if T < 1 {
		return nil, nil, errors.Errorf("pad: length %d must be positive", T)
	}
	if opts.Truncate != "" && opts.Truncate != "pre" && opts.Truncate != "post" {
		return nil, nil, errors.Errorf("pad: truncate %q (want \"pre\", \"post\" or \"\")", opts.Truncate)
	}
	if len(rows) > 0 && T > maxVocab*64/len(rows) {
		return nil, nil, errors.Errorf("pad: %d rows of %d ids are too many", len(rows), T)
	}
	flat = make([]int, len(rows)*T)
	mask = make([]bool, len(rows)*T)
	for i, r := range rows {
		if len(r) == 0 && opts.RejectEmpty {
			return nil, nil, errors.Errorf("pad: row %d has no ids", i)
		}
		if len(r) > T {
			switch opts.Truncate {
			case "":
				return nil, nil, errors.Errorf("pad: row %d has %d ids, more than the length %d (and no truncation)", i, len(r), T)
			case "pre":
				r = r[len(r)-T:]
			default:
				r = r[:T]
			}
		}
		for j, id := range r {
			if id == PadID {
				return nil, nil, errors.Errorf("pad: row %d holds the padding id at position %d", i, j)
			}
			flat[i*T+j] = id
			mask[i*T+j] = true
		}
	}
	return flat, mask, nil
}
