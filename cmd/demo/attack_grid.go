package main

import (
	"image"
	"image/color"
	"math"

	"github.com/pkg/errors"
)

// attackGridColumns is the most images an attack grid shows.
const attackGridColumns = 10

// attackGrid draws the first images (up to attackGridColumns) as three rows of
// cells: the originals, the perturbations (mid-gray 0, white the largest rise,
// black the largest fall, one scale for all cells so they compare) and the
// adversarial images. clean and adv hold n images of h*w*c values in [0, top].
func attackGrid(clean, adv []float64, n, h, w, c int, top float64) (*image.Gray, error) {
	per := h * w * c
	if n < 1 || len(clean) < n*per || len(adv) < n*per || !(top > 0) {
		return nil, errors.Errorf("attack grid: %d and %d values for %d images of %dx%dx%d", len(clean), len(adv), n, h, w, c)
	}
	cols := min(n, attackGridColumns)
	scale := max(1, 56/max(h, w)) // cells about 56 pixels wide
	const gap = 2
	cw, ch := w*scale, h*scale
	img := image.NewGray(image.Rect(0, 0, cols*(cw+gap)+gap, 3*(ch+gap)+gap))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	biggest := 0.0
	for j := 0; j < cols*per; j++ {
		biggest = math.Max(biggest, math.Abs(adv[j]-clean[j]))
	}
	for col := 0; col < cols; col++ {
		for row := 0; row < 3; row++ {
			x0, y0 := gap+col*(cw+gap), gap+row*(ch+gap)
			for py := 0; py < h; py++ {
				for px := 0; px < w; px++ {
					v := 0.0 // the pixel's channels averaged, in [0, 1]
					for k := 0; k < c; k++ {
						j := col*per + (py*w+px)*c + k
						switch row {
						case 0:
							v += clean[j] / top
						case 1:
							d := 0.0
							if biggest > 0 {
								d = (adv[j] - clean[j]) / biggest
							}
							v += 0.5 + d/2
						case 2:
							v += adv[j] / top
						}
					}
					g := color.Gray{Y: uint8(math.Round(255 * math.Max(0, math.Min(1, v/float64(c)))))}
					for sy := 0; sy < scale; sy++ {
						for sx := 0; sx < scale; sx++ {
							img.SetGray(x0+px*scale+sx, y0+py*scale+sy, g)
						}
					}
				}
			}
		}
	}
	return img, nil
}
