// Package audit measures how much a trained model gives away about its training
// data: a membership-inference attack that guesses, from a row's loss alone,
// whether the row was in the training set (Yeom et al. 2018, "Privacy Risk in
// Machine Learning: Analyzing the Connection to Overfitting").
//
// MembershipInference scores rows the model was trained on (members) and rows
// it never saw (non-members) by their negated loss and reports the attack's
// ROC AUC (0.5: the attack is no better than a coin; 1: it always tells) and its
// membership advantage, the best true-positive rate minus false-positive rate
// over loss thresholds (0: nothing leaks). A model that generalizes leaks less;
// one trained with differential privacy has a proven bound on the advantage.
//
// ExampleLosses computes each row's loss outside the graph from the model's
// predictions, with the trainer's loss (see its doc for the losses it knows).
package audit
