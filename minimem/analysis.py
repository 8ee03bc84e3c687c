r"""What a test-loss peak is made of, computed from a trained model and its data (numpy only).

A model's test loss rises far above the null level (the loss of the all-zeros output, or of uniform
logits) only when its outputs on fresh samples are far larger than any target. For an MSE model
with outputs out = g(pre) (g the identity or an output ReLU) on data x (I, T, n), the loss per
sample splits over the entries where the feature is off (x_j = 0) and on (x_j > 0):

    MSE      = off + on
    off      = mean_t sum_{j: x_tj = 0} out_tj^2             what it says about absent features
    on       = mean_t sum_{j: x_tj > 0} (out_tj - x_tj)^2    its error on the present ones

and the pre-activations on the off entries carry an energy the loss may or may not see:

    energy   = mean_t sum_{j: x_tj = 0} pre_tj^2
    hidden   = mean_t sum_{j: x_tj = 0, pre_tj < 0} pre_tj^2   zeroed by an output ReLU: no loss, no gradient

Without an output ReLU (out = pre) off = energy: the loss pays for all of it. With one, off + hidden
= energy, and the hidden part costs nothing and sends no gradient, so the weights can grow along it
on the training set; a fresh sample turns part of it positive.

Cross-entropy with logits z and the correct class c splits the same way into the margin of the
largest logit over the correct one and a remainder in [0, log V]:

    CE       = (max_j z_j - z_c) + log sum_j exp(z_j - max_j z_j)

and a logit far below the correct one costs about exp(z_j - z_c), nothing, however low it is.

    # I = n_instances, T = n_samples, n = n_features, V = n_classes, N = number of points
"""

from __future__ import annotations

import numpy as np

from . import mlp, relu_output, unembed


def output_and_pre(model, params, x, **options):
    """A model's output on x (I, T, n) and the values before its output ReLU (the logits for the
    unembedding, which has none): (out, pre), each (I, T, n_out)."""
    if model not in (relu_output, mlp, unembed):
        raise ValueError(f"model must be relu_output, mlp or unembed, got {getattr(model, '__name__', model)!r}")
    out, cache = model.forward(params, x, **options)
    if model is relu_output:
        return out, cache["pre"]  # W^T W x + b  (I, T, n)
    if model is mlp:
        return out, cache["z"]  # W2 h + b2  (I, T, k)
    return out, out  # the unembedding's logits  (I, T, V)


def error_split(out, x):
    """The MSE of out against the target x (I, T, n) split into (off, on), each (I,): the squared
    outputs on the entries with x = 0 and the squared error on the entries with x > 0 (sum over
    features, mean over samples); off + on is the MSE."""
    on = x != 0  # (I, T, n)
    sq = np.square(out)  # (I, T, n)  out_tj^2
    np.copyto(sq, 0, where=on)  # in place (the arrays are 10,000 x 1,000): out_tj^2 where x_tj = 0
    e_off = sq.sum(-1).mean(-1)  # (I,)
    sq = np.subtract(out, x)  # (I, T, n)  out_tj - x_tj
    np.square(sq, out=sq)
    np.copyto(sq, 0, where=~on)  # (out_tj - x_tj)^2 where x_tj > 0
    e_on = sq.sum(-1).mean(-1)  # (I,)
    return e_off, e_on


def off_energy(pre, x):
    """(energy, hidden), each (I,): the squared pre-activations on the entries with x = 0, all of
    them and only the negative ones (what an output ReLU zeroes), sum over features, mean over
    samples."""
    sq = np.square(pre)  # (I, T, n)  pre_tj^2
    np.copyto(sq, 0, where=x != 0)  # in place: pre_tj^2 where x_tj = 0
    energy = sq.sum(-1).mean(-1)  # (I,)
    np.copyto(sq, 0, where=pre >= 0)  # and pre_tj < 0
    hidden = sq.sum(-1).mean(-1)  # (I,)
    return energy, hidden


def logit_split(logits, labels):
    """Cross-entropy of logits (I, T, V) against class labels (I, T) split into (margin, rest,
    beaten), each (I,) and a mean over samples: the largest logit's margin over the correct one,
    the log-sum-exp remainder (CE = margin + rest), and how many logits lie above the correct one."""
    zc = np.take_along_axis(logits, labels[..., None], axis=-1)[..., 0]  # (I, T)  z_c
    top = logits.max(axis=-1)  # (I, T)
    rest = np.log(np.exp(logits - top[..., None]).sum(axis=-1))  # (I, T)  in [0, log V]
    beaten = (logits > zc[..., None]).sum(axis=-1)  # (I, T)
    return (top - zc).mean(-1), rest.mean(-1), beaten.mean(-1)


def angular_harmonics(points, ks, rng, draws=200):
    """How far the angles of a 2-D cloud (2, N) are from uniform, harmonic by harmonic: for each k in
    ``ks`` the radius-weighted strength |sum_i r_i exp(k i theta_i)| / sum_i r_i (a rose with k
    petals, or k/2 for even k, scores high at k), and the 95th percentile of the same number with
    the angles drawn uniformly and the radii kept (what an isotropic cloud of these radii reaches
    by chance). Returns (strength (len(ks),), reference (len(ks),))."""
    P = np.asarray(points, dtype=np.float64)
    if P.ndim != 2 or P.shape[0] != 2:
        raise ValueError(f"points must have shape (2, N), got {P.shape}")
    r = np.hypot(P[0], P[1])  # (N,)
    theta = np.arctan2(P[1], P[0])  # (N,)
    ks = np.asarray(ks)
    total = r.sum() or 1.0

    def strength(th):  # th (..., N) -> (..., len(ks))
        return np.abs(np.einsum("n,...kn->...k", r, np.exp(1j * ks[:, None] * th[..., None, :]))) / total

    ref = strength(rng.uniform(-np.pi, np.pi, (draws, r.size)))  # (draws, len(ks))
    return strength(theta), np.percentile(ref, 95, axis=0)
