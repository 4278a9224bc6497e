package plots

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gokeras/gokeras/internal/atomicfile"
	"github.com/pkg/errors"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// Layout of an image grid, in pixels.
const (
	// DefaultGridMinTile is the side, in pixels, that ImageGrid scales small images
	// up to (by a whole factor) when no GridScale is given: 28x28 MNIST digits are
	// drawn at 2x (56 pixels), 8x8 digits at 7x.
	DefaultGridMinTile = 56
	gridPad            = 4  // white space around each cell
	lineHeight         = 13 // basicfont.Face7x13
	maxGridPixels      = 1 << 26
)

// GridOption sets how ImageGrid lays out the images.
type GridOption interface{ applyGrid(*gridConfig) }

type gridOptionFunc func(*gridConfig)

func (f gridOptionFunc) applyGrid(c *gridConfig) { f(c) }

type gridConfig struct{ scale int }

// GridScale draws every pixel as an n x n block (n from 1 to 64). Without it the
// scale is the smallest whole factor that makes the larger side of an image at least
// DefaultGridMinTile pixels (1 for images that large already).
func GridScale(n int) GridOption {
	return gridOptionFunc(func(c *gridConfig) { c.scale = n })
}

// Grid is a picture of images laid out in rows, each with its label under it;
// ImageGrid makes it.
type Grid struct {
	img *image.Gray
}

// ImageGrid lays out grayscale images cols to a row (fewer if there are fewer
// images), each images[i] holding h*w values in row-major order, 0 black and 1
// white (values outside [0, 1] are clipped, NaN is black), with labels[i] written
// under image i in black on a white background. labels may be nil (no text) or
// have one entry per image; a label may hold several lines separated by "\n"; the
// built-in 7x13 pixel font draws printable ASCII (other characters are skipped).
// Small images are scaled up (see GridScale). It is an error for there to be no
// image, for h, w or cols to be below 1, for an image to have other than h*w
// values, or for the picture to exceed 2^26 pixels.
//
// For misclassified digits, pick the images where yTrue and yPred differ and label
// them "true 7\npred 1" (Misclassified does that).
func ImageGrid(images [][]float64, h, w, cols int, labels []string, opts ...GridOption) (*Grid, error) {
	switch {
	case len(images) == 0:
		return nil, errors.New("image grid: no images")
	case h < 1 || w < 1:
		return nil, errors.Errorf("image grid: image size %dx%d must be at least 1x1", h, w)
	case cols < 1:
		return nil, errors.Errorf("image grid: %d columns, want at least 1", cols)
	case labels != nil && len(labels) != len(images):
		return nil, errors.Errorf("image grid: %d labels for %d images", len(labels), len(images))
	case h > maxGridPixels || w > maxGridPixels || h*w > maxGridPixels:
		return nil, errors.Errorf("image grid: image size %dx%d is too large", h, w)
	}
	for i, im := range images {
		if len(im) != h*w {
			return nil, errors.Errorf("image grid: image %d has %d values, want %d (%dx%d)", i, len(im), h*w, h, w)
		}
	}
	cfg := gridConfig{}
	for _, o := range opts {
		if o != nil {
			o.applyGrid(&cfg)
		}
	}
	scale := cfg.scale
	if scale == 0 {
		scale = max(1, (DefaultGridMinTile+max(h, w)-1)/max(h, w))
	}
	if scale < 1 || scale > 64 {
		return nil, errors.Errorf("image grid: scale %d is not in 1..64", scale)
	}

	face := basicfont.Face7x13
	lines := make([][]string, len(images))
	maxLines, textW := 0, 0
	for i := range labels {
		lines[i] = strings.Split(strings.TrimRight(labels[i], "\n"), "\n")
		if labels[i] == "" {
			lines[i] = nil
		}
		maxLines = max(maxLines, len(lines[i]))
		for _, l := range lines[i] {
			textW = max(textW, font.MeasureString(face, l).Ceil())
		}
	}
	tileW, tileH := w*scale, h*scale
	cellW := max(tileW, textW) + 2*gridPad
	cellH := tileH + maxLines*lineHeight + 2*gridPad
	cols = min(cols, len(images))
	rows := (len(images) + cols - 1) / cols
	if int64(cellW)*int64(cols)*int64(cellH)*int64(rows) > maxGridPixels {
		return nil, errors.Errorf("image grid: %d images of %dx%d at scale %d make a picture over 2^26 pixels", len(images), h, w, scale)
	}
	img := image.NewGray(image.Rect(0, 0, cellW*cols, cellH*rows))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	d := font.Drawer{Dst: img, Src: image.Black, Face: face}
	for n, im := range images {
		x0, y0 := (n%cols)*cellW, (n/cols)*cellH
		left := x0 + (cellW-tileW)/2
		top := y0 + gridPad
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				g := color.Gray{Y: gray(im[y*w+x])}
				for dy := 0; dy < scale; dy++ {
					off := img.PixOffset(left+x*scale, top+y*scale+dy)
					for dx := 0; dx < scale; dx++ {
						img.Pix[off+dx] = g.Y
					}
				}
			}
		}
		for k, l := range lines[n] {
			lw := font.MeasureString(face, l).Ceil()
			d.Dot = fixed.P(x0+(cellW-lw)/2, top+tileH+k*lineHeight+face.Ascent+1)
			d.DrawString(l)
		}
	}
	return &Grid{img: img}, nil
}

func gray(v float64) uint8 {
	if !(v > 0) { // also NaN
		return 0
	}
	if v >= 1 {
		return 255
	}
	return uint8(math.Round(v * 255))
}

// Image returns the picture (not a copy).
func (g *Grid) Image() *image.Gray {
	if g == nil {
		return nil
	}
	return g.img
}

// WritePNG writes the picture to w as a grayscale PNG.
func (g *Grid) WritePNG(w io.Writer) error {
	if g == nil || g.img == nil {
		return errors.New("image grid: nil")
	}
	return errors.Wrap(png.Encode(w, g.img), "image grid: encode PNG")
}

// PNG returns the picture as PNG bytes, for notebooks: in gophernotes end a cell
// with display.PNG(b); in GoNB call gonbui.DisplayPNG(b).
func (g *Grid) PNG() ([]byte, error) {
	var buf bytes.Buffer
	if err := g.WritePNG(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Save writes the picture to path as PNG, atomically (a temporary file beside path
// is renamed to path). The extension must be ".png" (any case).
func (g *Grid) Save(path string) error {
	if ext := strings.ToLower(filepath.Ext(path)); ext != ".png" {
		return errors.Errorf("image grid: %s: only .png is supported", path)
	}
	if g == nil || g.img == nil {
		return errors.New("image grid: nil")
	}
	return atomicfile.Write(path, g.WritePNG)
}

// Misclassified picks, in order, up to limit images (all of them for limit <= 0)
// whose true class differs from the predicted one, with labels "true A\npred B"
// for ImageGrid, A and B taken from classes (or the label numbers when classes is
// nil). It also returns the indices picked. The three slices must be equally long,
// and labels must name a class when classes is given.
func Misclassified(images [][]float64, yTrue, yPred []int, classes []string, limit int) (picked [][]float64, labels []string, indices []int, err error) {
	if len(images) != len(yTrue) || len(yTrue) != len(yPred) {
		return nil, nil, nil, errors.Errorf("misclassified: %d images, %d true labels, %d predictions", len(images), len(yTrue), len(yPred))
	}
	name := func(c int) (string, error) {
		if classes == nil {
			return strconv.Itoa(c), nil
		}
		if c < 0 || c >= len(classes) {
			return "", errors.Errorf("misclassified: label %d is not in 0..%d", c, len(classes)-1)
		}
		return classes[c], nil
	}
	for i := range yTrue {
		if yTrue[i] == yPred[i] {
			continue
		}
		if limit > 0 && len(picked) == limit {
			break
		}
		t, err := name(yTrue[i])
		if err != nil {
			return nil, nil, nil, errors.Wrapf(err, "sample %d", i)
		}
		p, err := name(yPred[i])
		if err != nil {
			return nil, nil, nil, errors.Wrapf(err, "sample %d", i)
		}
		picked = append(picked, images[i])
		labels = append(labels, "true "+t+"\npred "+p)
		indices = append(indices, i)
	}
	return picked, labels, indices, nil
}
