package graph

import "math"

// bnStats computes the per-channel mean and biased variance of x, read as (rows,
// c), in float64 (two passes, for accuracy).
func bnStats[T float](x []T, c int, mean, variance []float64) {
	clear(mean)
	clear(variance)
	rows := len(x) / c
	for r := 0; r < len(x); r += c {
		for i, v := range x[r : r+c] {
			mean[i] += float64(v)
		}
	}
	for i := range mean {
		mean[i] /= float64(rows)
	}
	for r := 0; r < len(x); r += c {
		for i, v := range x[r : r+c] {
			d := float64(v) - mean[i]
			variance[i] += d * d
		}
	}
	for i := range variance {
		variance[i] /= float64(rows)
	}
}

// bnLoad widens the first len(dst) values of src into dst.
func bnLoad[T float](src []T, dst []float64) {
	for i := range dst {
		dst[i] = float64(src[i])
	}
}

// bnInvStd sets inv[i] = 1/sqrt(variance[i] + eps).
func bnInvStd(variance []float64, eps float64, inv []float64) {
	for i, v := range variance {
		inv[i] = 1 / math.Sqrt(v+eps)
	}
}

// bnApply computes y = gamma·(x - mean)·inv + beta per channel.
func bnApply[T float](x, gamma, beta, y []T, mean, inv []float64) {
	c := len(mean)
	for r := 0; r < len(x); r += c {
		xr, yr := x[r:r+c], y[r:r+c]
		for i, v := range xr {
			yr[i] = T(float64(gamma[i])*(float64(v)-mean[i])*inv[i] + float64(beta[i]))
		}
	}
}

// bnUpdate moves the moving statistics toward the batch ones:
// moving = momentum·moving + (1-momentum)·batch, with the unbiased batch variance
// (rows/(rows-1) times the biased one) as Keras and PyTorch do, except for a batch
// of one row, whose biased variance (0) is used instead of a NaN.
func bnUpdate[T float](movingMean, movingVar []T, mean, variance []float64, rows int, momentum float64) {
	corr := 1.0
	if rows > 1 {
		corr = float64(rows) / float64(rows-1)
	}
	for i := range mean {
		movingMean[i] = T(momentum*float64(movingMean[i]) + (1-momentum)*mean[i])
		movingVar[i] = T(momentum*float64(movingVar[i]) + (1-momentum)*variance[i]*corr)
	}
}

// bnSums computes per channel sum(dy) and sum(dy·xhat), xhat = (x - mean)·inv.
func bnSums[T float](x, dy []T, mean, inv, sumDy, sumDyXhat []float64) {
	clear(sumDy)
	clear(sumDyXhat)
	c := len(mean)
	for r := 0; r < len(x); r += c {
		xr, dr := x[r:r+c], dy[r:r+c]
		for i, v := range xr {
			d := float64(dr[i])
			sumDy[i] += d
			sumDyXhat[i] += d * (float64(v) - mean[i]) * inv[i]
		}
	}
}

// bnInputGrad computes dx. With batch statistics (train) it is
// gamma·inv·(dy - mean(dy) - xhat·mean(dy·xhat)); with fixed statistics (infer)
// it is gamma·inv·dy.
func bnInputGrad[T float](train bool, x, gamma, dy, dx []T, mean, inv, sumDy, sumDyXhat []float64) {
	c := len(mean)
	rows := float64(len(x) / c)
	for r := 0; r < len(x); r += c {
		xr, dr, or := x[r:r+c], dy[r:r+c], dx[r:r+c]
		for i, v := range xr {
			g := float64(dr[i])
			if train {
				xhat := (float64(v) - mean[i]) * inv[i]
				g -= (sumDy[i] + xhat*sumDyXhat[i]) / rows
			}
			or[i] = T(float64(gamma[i]) * inv[i] * g)
		}
	}
}
