package poison_test

import (
	"math/rand"
	"testing"

	"github.com/gokeras/gokeras/poison"
	"gorgonia.org/tensor"
)

// TestActivationClusteringFindsSmallCluster makes class 0 of two natural
// clusters (450 rows each) and a planted one (60 rows, 6.25%), class 1 of two
// natural clusters only, in 20 dimensions; 3 clusters per class and a share
// threshold of 0.2 must flag exactly the planted rows.
func TestActivationClusteringFindsSmallCluster(t *testing.T) {
	const dim = 20
	rng := rand.New(rand.NewSource(4))
	var data []float64
	var labels []int
	var truth []int
	add := func(n, class int, center []float64) {
		for i := 0; i < n; i++ {
			for j := 0; j < dim; j++ {
				data = append(data, center[j]+rng.NormFloat64())
			}
			labels = append(labels, class)
		}
	}
	at := func(j int, v float64) []float64 {
		c := make([]float64, dim)
		c[j] = v
		return c
	}
	add(450, 0, at(0, 6))
	add(450, 0, at(0, -6))
	add(450, 1, at(1, 6))
	add(450, 1, at(1, -6))
	for i := 0; i < 60; i++ {
		truth = append(truth, len(labels)+i)
	}
	add(60, 0, at(2, 8))
	reps := tensor.New(tensor.WithShape(len(labels), dim), tensor.WithBacking(data))
	det, err := poison.ActivationClustering(reps, labels, poison.Clusters(3), poison.MaxShare(0.2))
	if err != nil {
		t.Fatal(err)
	}
	precision, recall := poison.PrecisionRecall(det.Flagged, truth)
	if precision != 1 || recall != 1 || det.PerClass[1] != 0 {
		t.Errorf("precision %.3f recall %.3f, %v flagged per class; want exactly the 60 planted rows", precision, recall, det.PerClass)
	}
	again, err := poison.ActivationClustering(reps, labels, poison.Clusters(3), poison.MaxShare(0.2))
	if err != nil || len(again.Flagged) != len(det.Flagged) {
		t.Errorf("a second run flagged %d rows (%v), the first %d", len(again.Flagged), err, len(det.Flagged))
	}
	if _, err := poison.ActivationClustering(reps, labels, poison.Clusters(1)); err == nil {
		t.Error("one cluster accepted")
	}
}
