"""A8 -- Antipodal one-hot inputs: half of the weights per sign.

The write-up: trained on antipodal one-hot vectors ([1,0,...] -> class 0, [-1,0,...] -> class 1,
...), the cross-entropy MLP uses one half of its weights for an input and the other half for its
opposite, and the two parts do not interact; the dictionary can still be read off the weights.

Settings: n=10 features, inputs e_i (class 2i) and -e_i (class 2i+1), V=20 classes, m=10 neurons,
h = ReLU(W1 x + b1), logits = W2 h + b2, cross-entropy, AdamW lr 1e-3 constant, weight decay 1e-2,
3,000 full-batch steps (epochs), PyTorch init, float64. Panels as A1 (inputs in the order e_0, -e_0,
e_1, -e_1, ...).
Every setting, from the catalogue: python -m minimem config A8.

Run: python scripts/A8_antipodal_onehot.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import describe, dictionary, plt
from minimem.cli import FigureScript
from minimem import experiments, mlp
from minimem.named import say

# --- config
EXPERIMENT = "antipodal_onehot"


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    cfg, res = r.run(EXPERIMENT)
    # --- plot
    x, y = experiments.small_data(cfg)  # (2n, n) rows +e_i, -e_i; classes (2n,)
    n, m = cfg["n_in"], cfg["m"]
    pyplot = plt()
    fig, axes = pyplot.subplots(1, 7, figsize=(17, 3.4), gridspec_kw={"width_ratios": [4, 0.6, 4, 4, 2.2, 0.6, 4]})
    out, c = mlp.forward(res, x[None])  # (1, N, classes): the logits, and the pre-activations and activations
    out, h = out[0], c["h"][0]
    dictionary(fig, axes, res, (c["a"][0], h, out), "logits (classes x inputs)")
    acc = np.mean(np.argmax(out, 1) == y)
    hp, hm = h[0::2], h[1::2]  # (n, m) activations for +e_i and for -e_i
    # shared activation mass of a pair: sum_j min(h+_j, h-_j) / sum_j max(h+_j, h-_j); 0 when no neuron serves both
    shared = np.minimum(hp, hm).sum(1) / np.maximum(hp, hm).sum(1)
    # a neuron serves an input when its activation is at least a quarter of that input's largest one
    serves_p, serves_m = hp >= 0.25 * hp.max(1, keepdims=True), hm >= 0.25 * hm.max(1, keepdims=True)
    both, only_p, only_m = (serves_p & serves_m).sum(1), (serves_p & ~serves_m).sum(1), (serves_m & ~serves_p).sum(1)
    # the split: a live neuron j (b1_j > 0) gives b1_j + |W1_ji| to the input of W1_ji's sign, ReLU(b1_j - |W1_ji|)
    # to the other
    live = res["b1"][0] > 0  # (m,)
    w, b1 = np.abs(res["W1"][0][live]), res["b1"][0][live][:, None]  # (live, n), (live, 1)
    print(f"CE {float(res['final_loss'][0]):.4f}, accuracy {acc:.2f} (chance {1 / (2 * n):.2f}); b1 "
          f"{np.round(res['b1'][0], 2)}, |W1| of the live neurons {w.mean():.2f} on average")
    print(f"per pair (+e_i, -e_i), i=0..{n - 1}: shared activation mass {np.round(shared, 2)} (max {shared.max():.2f}); "
          f"neurons serving +e_i only {only_p}, -e_i only {only_m}, both {both}; still above 1e-3 for both (the "
          f"bias's residue): {np.mean(np.sum((hp > 1e-3) & (hm > 1e-3), 1)):.1f} on average")
    say("accuracy", acc, sig=3)
    say("ce", float(res["final_loss"][0]), sig=2)
    say("shared_range", (shared.min(), shared.max()), sig=1)
    for key, v in (("only_plus", only_p), ("only_minus", only_m), ("both", both)):
        say(f"{key}_range", (v.min(), v.max()))
    say("b1_live_range", (b1.min(), b1.max()), sig=3)
    say("abs_W1_live_mean", w.mean(), sig=3)
    say("same_sign_over_w_median", np.median((b1 + w) / w), sig=2)
    other = np.maximum(b1 - w, 0)  # (live, n)
    say("other_sign_share", other.sum() / (other.sum() + (b1 + w).sum()), sig=2)
    fig.suptitle(f"cross-entropy MLP on antipodal one-hot inputs (n={n}, V={2 * n}, m={m}), "
                 + describe(cfg, "steps", "weight_decay") + f": accuracy {acc:.2f}")
    fig.tight_layout()
    r.save(fig, "A8_antipodal_onehot")


if __name__ == "__main__":
    main()
