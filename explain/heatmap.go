package explain

import (
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"

	"github.com/pkg/errors"
)

// Overlay draws the attributions of one image as a heat map over a grayscale
// picture of it, each pixel enlarged to a scale×scale square (scale >= 1). pixels
// and attr hold h*w*c values in row-major (H, W, C) order (one row of a batch and
// of its attributions). The picture is the channels' mean, stretched from its
// minimum (black) to its maximum (white). Attributions are summed over channels
// and divided by their largest magnitude: a positive value tints its pixel red, a
// negative one blue, with an opacity of up to 0.7 in proportion to the magnitude,
// so a map of |gradients| is red only.
func Overlay(pixels, attr []float64, h, w, c, scale int) (*image.RGBA, error) {
	if h < 1 || w < 1 || c < 1 || scale < 1 {
		return nil, errors.Errorf("overlay: image %dx%dx%d at scale %d", h, w, c, scale)
	}
	if len(pixels) != h*w*c || len(attr) != h*w*c {
		return nil, errors.Errorf("overlay: %d pixel values and %d attributions for an image %dx%dx%d", len(pixels), len(attr), h, w, c)
	}
	gray := make([]float64, h*w)
	heat := make([]float64, h*w)
	for p := range gray {
		for q := 0; q < c; q++ {
			gray[p] += pixels[p*c+q] / float64(c)
			heat[p] += attr[p*c+q]
		}
	}
	lo, hi := minMax(gray)
	maxAbs := 0.0
	for _, v := range heat {
		if !math.IsNaN(v) {
			maxAbs = math.Max(maxAbs, math.Abs(v))
		}
	}
	img := image.NewRGBA(image.Rect(0, 0, w*scale, h*scale))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			p := y*w + x
			g := 0.0
			if hi > lo {
				g = (gray[p] - lo) / (hi - lo)
			}
			r, gg, b := g, g, g
			if maxAbs > 0 && !math.IsNaN(heat[p]) {
				a := 0.7 * math.Abs(heat[p]) / maxAbs
				tr, tb := 1.0, 0.0 // red
				if heat[p] < 0 {
					tr, tb = 0, 1 // blue
				}
				r, gg, b = (1-a)*g+a*tr, (1-a)*g, (1-a)*g+a*tb
			}
			col := color.RGBA{R: byte8(r), G: byte8(gg), B: byte8(b), A: 255}
			for dy := 0; dy < scale; dy++ {
				for dx := 0; dx < scale; dx++ {
					img.SetRGBA(x*scale+dx, y*scale+dy, col)
				}
			}
		}
	}
	return img, nil
}

func byte8(v float64) uint8 {
	return uint8(math.Round(255 * math.Max(0, math.Min(1, v))))
}

// WritePNG writes img to path as PNG atomically: into a temporary file of the same
// folder, renamed to path once complete, so a reader never sees half a picture.
func WritePNG(path string, img image.Image) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return errors.Wrap(err, "write png")
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err = png.Encode(f, img); err != nil {
		return errors.Wrapf(err, "write png %s", path)
	}
	if err = f.Chmod(0o644); err != nil {
		return errors.Wrapf(err, "write png %s", path)
	}
	if err = f.Close(); err != nil {
		return errors.Wrapf(err, "write png %s", path)
	}
	if err = os.Rename(tmp, path); err != nil {
		return errors.Wrapf(err, "write png %s", path)
	}
	return nil
}
