package main

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gokeras/gokeras/serving"
	"github.com/gokeras/gokeras/trainers"
)

// repoStats sums the counts of the Predictors of every version served now.
func repoStats(repo *serving.Repository) trainers.PredictorStats {
	var sum trainers.PredictorStats
	for _, ms := range repo.Models() {
		for _, v := range ms.Versions {
			if v.State != serving.Available {
				continue
			}
			h, err := repo.Get(ms.Name, v.Version)
			if err != nil {
				continue // retired meanwhile
			}
			if sm, ok := h.Servable.(*servingModel); ok {
				st := sm.pred.Stats()
				sum.Requests += st.Requests
				sum.Rows += st.Rows
				sum.Batches += st.Batches
				sum.Canceled += st.Canceled
			}
			h.Release()
		}
	}
	return sum
}

// describeModel is ms with the inputs and outputs of its AVAILABLE versions.
func describeModel(repo *serving.Repository, ms serving.ModelStatus) modelInfo {
	mi := modelInfo{Name: ms.Name, Versions: []versionInfo{}}
	for _, v := range ms.Versions {
		vi := versionInfo{VersionStatus: v}
		if v.State == serving.Available {
			if h, err := repo.Get(ms.Name, v.Version); err == nil {
				if sm, ok := h.Servable.(*servingModel); ok {
					vi.Inputs, vi.Outputs = modelIO(sm)
				}
				h.Release()
			}
		}
		mi.Versions = append(mi.Versions, vi)
	}
	return mi
}

// versionResponse is the answer of GET /v1/models/NAME/versions/V.
type versionResponse struct {
	Name string `json:"name"`
	versionInfo
}

// describeVersion answers GET /v1/models/NAME/versions/V: the version's state
// and, when AVAILABLE, its inputs and outputs; 404 for an unknown model or
// version.
func describeVersion(w http.ResponseWriter, repo *serving.Repository, name string, version int64) {
	ms, ok := repo.Model(name)
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no model %q (see GET /v1/models)", name))
		return
	}
	for _, vi := range describeModel(repo, ms).Versions {
		if vi.Version == version {
			writeJSON200(w, versionResponse{Name: name, versionInfo: vi})
			return
		}
	}
	writeError(w, http.StatusNotFound, fmt.Sprintf("model %q has no version %d (see GET /v1/models/%s)", name, version, name))
}

// notReady says which models have no version available yet.
func notReady(repo *serving.Repository) string {
	var waiting []string
	for _, ms := range repo.Models() {
		ok := false
		var states []string
		for _, v := range ms.Versions {
			ok = ok || v.State == serving.Available
			states = append(states, fmt.Sprintf("%d %s", v.Version, v.State))
		}
		if !ok {
			waiting = append(waiting, fmt.Sprintf("%s (%s)", ms.Name, strings.Join(states, ", ")))
		}
	}
	if len(waiting) == 0 {
		return "the first scan of the model repository is not done"
	}
	return "no version available yet for " + strings.Join(waiting, "; ")
}
