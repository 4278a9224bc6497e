package poison

import (
	"math"
	"math/rand"
	"sort"

	"github.com/pkg/errors"
	"gonum.org/v1/gonum/mat"
	"gorgonia.org/tensor"
)

// ClusterOption changes ActivationClustering's defaults.
type ClusterOption func(*clusterConfig)

type clusterConfig struct {
	k, dims, restarts, iters int
	maxShare                 float64
	seed                     int64
}

// Clusters sets the number of k-means clusters per class (default 2, as in Chen
// et al.; more when a class is naturally split in two).
func Clusters(k int) ClusterOption { return func(c *clusterConfig) { c.k = k } }

// Components sets the number of principal components each class's
// representations are projected on before clustering (default 10).
func Components(n int) ClusterOption { return func(c *clusterConfig) { c.dims = n } }

// MaxShare sets the share of its class below which a cluster is flagged
// (default 0.35, Chen et al.'s relative size threshold).
func MaxShare(s float64) ClusterOption { return func(c *clusterConfig) { c.maxShare = s } }

// ClusterSeed seeds the k-means++ starts (default 1).
func ClusterSeed(seed int64) ClusterOption { return func(c *clusterConfig) { c.seed = seed } }

// ActivationClustering is the defense of Chen et al. (2018), "Detecting backdoor
// attacks on deep neural networks by activation clustering", with principal
// components in place of ICA. reps (N, D...) holds a representation of every
// training row, float32 or float64, flattened to N x D; labels (N) the rows'
// training labels. For each class it centers the class's representations,
// projects them on their top Components (default 10, at most D) principal
// directions, runs k-means with Clusters (default 2) clusters (k-means++ starts
// seeded by ClusterSeed, default 1; the best of 5 by inertia, at most 100
// Lloyd steps each) and flags every row of a cluster holding less than MaxShare
// (default 0.35) of the class: poisoned rows form a small cluster of their own.
// Detection.Scores holds each row's cluster's share of its class (a smaller
// share is more suspect).
func ActivationClustering(reps *tensor.Dense, labels []int, opts ...ClusterOption) (*Detection, error) {
	d, err := activationClustering(reps, labels, opts)
	return d, errors.Wrap(err, "poison.ActivationClustering")
}

func activationClustering(reps *tensor.Dense, labels []int, opts []ClusterOption) (*Detection, error) {
	c := clusterConfig{k: 2, dims: 10, restarts: 5, iters: 100, maxShare: 0.35, seed: 1}
	for _, o := range opts {
		o(&c)
	}
	if c.k < 2 || c.dims < 1 || !(c.maxShare > 0 && c.maxShare < 1) {
		return nil, errors.Errorf("%d clusters, %d components, max share %g: want at least 2 clusters, 1 component and a share in (0, 1)",
			c.k, c.dims, c.maxShare)
	}
	rows, dim, data, classes, byClass, err := byClassOf(reps, labels)
	if err != nil {
		return nil, err
	}
	det := &Detection{Scores: make([]float64, rows), PerClass: map[int]int{}}
	rng := rand.New(rand.NewSource(c.seed))
	for _, l := range classes {
		idx := byClass[l]
		det.PerClass[l] = 0
		if len(idx) <= c.k {
			for _, i := range idx {
				det.Scores[i] = 1
			}
			continue
		}
		z, err := principal(data, dim, idx, c.dims)
		if err != nil {
			return nil, errors.Wrapf(err, "class %d", l)
		}
		assign := kmeans(z, c.k, c.restarts, c.iters, rng)
		sizes := make([]int, c.k)
		for _, a := range assign {
			sizes[a]++
		}
		for r, i := range idx {
			share := float64(sizes[assign[r]]) / float64(len(idx))
			det.Scores[i] = share
			if share < c.maxShare {
				det.Flagged = append(det.Flagged, i)
				det.PerClass[l]++
			}
		}
	}
	sort.Ints(det.Flagged)
	return det, nil
}

// principal returns the rows idx of data (rows of dim values), centered and
// projected on their top n principal directions (n at most dim), as a
// len(idx) x n row-major slice.
func principal(data []float64, dim int, idx []int, n int) ([][]float64, error) {
	if n > dim {
		n = dim
	}
	centered, err := centeredRows(data, dim, idx)
	if err != nil {
		return nil, err
	}
	vecs, err := topEigen(centered, dim)
	if err != nil {
		return nil, err
	}
	basis := vecs.Slice(0, dim, dim-n, dim) // eigenvalues come in ascending order
	var proj mat.Dense
	proj.Mul(centered, basis)
	out := make([][]float64, len(idx))
	for r := range out {
		out[r] = append([]float64(nil), proj.RawRowView(r)...)
	}
	return out, nil
}

// kmeans clusters the points z into k clusters: restarts k-means++ starts
// drawn from rng, at most iters Lloyd steps each, the lowest inertia kept. It
// returns each point's cluster.
func kmeans(z [][]float64, k, restarts, iters int, rng *rand.Rand) []int {
	var best []int
	bestInertia := math.Inf(1)
	for r := 0; r < restarts; r++ {
		centers := kmeansPlusPlus(z, k, rng)
		assign := make([]int, len(z))
		var inertia float64
		for it := 0; it < iters; it++ {
			changed := false
			inertia = 0
			for i, p := range z {
				a, d := nearest(p, centers)
				inertia += d
				if a != assign[i] {
					assign[i], changed = a, true
				}
			}
			if !changed && it > 0 {
				break
			}
			centers = means(z, assign, centers)
		}
		if inertia < bestInertia {
			bestInertia, best = inertia, append([]int(nil), assign...)
		}
	}
	return best
}

// kmeansPlusPlus draws k starting centers among z (Arthur and Vassilvitskii).
func kmeansPlusPlus(z [][]float64, k int, rng *rand.Rand) [][]float64 {
	centers := [][]float64{append([]float64(nil), z[rng.Intn(len(z))]...)}
	dist := make([]float64, len(z))
	for len(centers) < k {
		var total float64
		for i, p := range z {
			_, dist[i] = nearest(p, centers)
			total += dist[i]
		}
		pick := len(z) - 1
		if total > 0 {
			u := rng.Float64() * total
			for i, d := range dist {
				if u -= d; u <= 0 {
					pick = i
					break
				}
			}
		} else {
			pick = rng.Intn(len(z))
		}
		centers = append(centers, append([]float64(nil), z[pick]...))
	}
	return centers
}

// nearest returns the index of the center nearest to p and the squared distance.
func nearest(p []float64, centers [][]float64) (int, float64) {
	best, bestD := 0, math.Inf(1)
	for j, c := range centers {
		var d float64
		for t, v := range p {
			d += (v - c[t]) * (v - c[t])
		}
		if d < bestD {
			best, bestD = j, d
		}
	}
	return best, bestD
}

// means returns the mean of each cluster's points (an empty cluster keeps its
// old center).
func means(z [][]float64, assign []int, old [][]float64) [][]float64 {
	sums := make([][]float64, len(old))
	counts := make([]int, len(old))
	for j := range sums {
		sums[j] = make([]float64, len(z[0]))
	}
	for i, p := range z {
		counts[assign[i]]++
		for t, v := range p {
			sums[assign[i]][t] += v
		}
	}
	for j := range sums {
		if counts[j] == 0 {
			sums[j] = old[j]
			continue
		}
		for t := range sums[j] {
			sums[j][t] /= float64(counts[j])
		}
	}
	return sums
}
