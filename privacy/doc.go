// Package privacy accounts for the privacy that differentially private
// training (DP-SGD) spends: a Rényi differential privacy (RDP) accountant for
// the sampled Gaussian mechanism, reporting epsilon for a target delta.
//
// One step of DP-SGD clips each example's gradient to L2 norm C, sums the
// gradients of a batch in which every example is included independently with
// probability q (Poisson sampling), and adds Gaussian noise of standard
// deviation sigma*C; sigma is the noise multiplier. RDP gives its privacy at
// each Rényi order alpha (RDP; Mironov, Talwar and Zhang 2019, "Rényi
// Differential Privacy of the Sampled Gaussian Mechanism"): a closed-form
// binomial sum for integer orders and a convergent series for fractional ones,
// in log space, as TensorFlow Privacy computes them. IntegratedRDP computes the
// same quantity by numerical integration of its defining integral, an
// independent check (the tests require agreement within 1% over a grid of
// rates, noises and orders; they agree within about 1e-6).
//
// RDP composes by addition: an Accountant adds the RDP of each Step (a noise
// multiplier, a sampling rate, a number of steps) at every order it tracks
// (DefaultOrders: 1.25 to 4.5 by quarters and halves, the integers 5 to 63,
// and 128, 256, 512, as TensorFlow Privacy's compute_dp_sgd_privacy), and
// Epsilon converts the total into (epsilon, delta)-DP, minimizing over the
// orders and reporting the best one. Two conversions are offered: Improved,
// the default (Balle et al. 2020; Canonne, Kamath and Steinke 2020, as used
// by TensorFlow Privacy's dp_accounting and Opacus), and Classic (Mironov 2017,
// eps = rdp + log(1/delta)/(alpha-1), what the original moments accountant
// reported); Improved is never larger. Epsilon is in nats.
//
// DPSGDEpsilon does the usual sum for a training run: q = batch/n and
// epochs*ceil(n/batch) steps. For MNIST (n 60,000, batch 256, noise 1.1, 60
// epochs, delta 1e-5) it gives epsilon 2.60 at order 8 (Classic: 3.01 at order
// 9, the value older TensorFlow Privacy printed for these settings).
//
// The analysis assumes Poisson sampling. Training loops that shuffle the data
// and cut it into fixed-size batches (gokeras' trainers do) are commonly
// reported with this epsilon as an approximation; it is not a proven bound for
// them. Each example must be clipped on its own (a microbatch of several
// examples doubles the sensitivity under add-or-remove-one adjacency).
//
// The values are checked against an independent Python implementation of
// TensorFlow Privacy's accountant (testdata/make_fixtures.py, to 1e-9 relative
// on RDP values and 1e-6 on epsilons) and against values TensorFlow Privacy
// published (its compute_dp_sgd_privacy tests, and the 2.92 of its MNIST
// tutorial). Impossible settings (delta outside (0, 1), a noise multiplier not
// positive, a rate outside (0, 1], a batch larger than n, ...) are errors that
// name the value.
package privacy
