package audit

import (
	"math"
	"sort"

	"github.com/gokeras/gokeras/trainers"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// MembershipResult is the outcome of a loss-threshold membership-inference
// attack.
type MembershipResult struct {
	// Members and NonMembers are the numbers of rows scored of each kind.
	Members, NonMembers int
	// AUC is the area under the attack's ROC curve: the probability that a
	// random member has a lower loss than a random non-member (ties count half).
	// 0.5 means the losses tell nothing.
	AUC float64
	// Advantage is the membership advantage of Yeom et al. (2018): the largest
	// true-positive rate minus false-positive rate of "member when loss <=
	// threshold" over all thresholds, in [0, 1].
	Advantage float64
	// Threshold is the loss threshold at which Advantage is reached.
	Threshold float64
	// MemberLoss and NonMemberLoss are the mean losses of the two kinds of rows;
	// their difference is the generalization gap the attack exploits.
	MemberLoss, NonMemberLoss float64
}

// MembershipInference runs the loss-threshold attack on a trained model: the
// losses (ExampleLosses) of rows it was trained on (xIn, yIn) against those of
// rows it never saw (xOut, yOut). Use as many rows of each kind, drawn the same
// way, so that AUC and advantage are not skewed. opts are Predict's
// (BatchSize).
func MembershipInference(t *trainers.Trainer, xIn, yIn, xOut, yOut *tensor.Dense, opts ...trainers.FitOption) (*MembershipResult, error) {
	in, err := ExampleLosses(t, xIn, yIn, opts...)
	if err != nil {
		return nil, errors.Wrap(err, "members")
	}
	out, err := ExampleLosses(t, xOut, yOut, opts...)
	if err != nil {
		return nil, errors.Wrap(err, "non-members")
	}
	return LossAttack(in, out)
}

// LossAttack scores the losses of members and non-members (each at least one,
// all finite) as MembershipInference does.
func LossAttack(members, nonMembers []float64) (*MembershipResult, error) {
	if len(members) == 0 || len(nonMembers) == 0 {
		return nil, errors.Errorf("audit: %d member and %d non-member losses: want at least one of each", len(members), len(nonMembers))
	}
	type scored struct {
		loss   float64
		member bool
	}
	all := make([]scored, 0, len(members)+len(nonMembers))
	r := &MembershipResult{Members: len(members), NonMembers: len(nonMembers)}
	for _, v := range members {
		all = append(all, scored{v, true})
		r.MemberLoss += v
	}
	for _, v := range nonMembers {
		all = append(all, scored{v, false})
		r.NonMemberLoss += v
	}
	for i, s := range all {
		if math.IsNaN(s.loss) || math.IsInf(s.loss, 0) {
			return nil, errors.Errorf("audit: loss %d is %v: want finite losses", i, s.loss)
		}
	}
	r.MemberLoss /= float64(len(members))
	r.NonMemberLoss /= float64(len(nonMembers))
	sort.Slice(all, func(i, j int) bool { return all[i].loss < all[j].loss })
	// Sweep thresholds from the lowest loss up, a group of equal losses at a time.
	nIn, nOut := float64(len(members)), float64(len(nonMembers))
	tp, fp := 0.0, 0.0
	auc := 0.0
	r.Threshold = math.Inf(-1)
	for i := 0; i < len(all); {
		j := i
		gin, gout := 0.0, 0.0
		for ; j < len(all) && all[j].loss == all[i].loss; j++ {
			if all[j].member {
				gin++
			} else {
				gout++
			}
		}
		// Members of this group beat every non-member with a higher loss; ties count half.
		auc += gin * (nOut - fp - gout/2)
		tp, fp = tp+gin, fp+gout
		if adv := tp/nIn - fp/nOut; adv > r.Advantage {
			r.Advantage, r.Threshold = adv, all[i].loss
		}
		i = j
	}
	r.AUC = auc / (nIn * nOut)
	return r, nil
}
