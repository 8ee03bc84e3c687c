"""A8 -- Antipodal one-hot inputs: half of the weights per sign.

The write-up: trained on antipodal one-hot vectors ([1,0,...] -> class 0, [-1,0,...] -> class 1,
...), the cross-entropy MLP uses one half of its weights for an input and the other half for its
opposite, and the two parts do not interact; the dictionary can still be read off the weights.

Settings: n=10 features, inputs e_i (class 2i) and -e_i (class 2i+1), V=20 classes, m=10 neurons,
h = ReLU(W1 x + b1), logits = W2 h + b2, cross-entropy, AdamW lr 1e-3 constant, weight decay 1e-2,
3,000 full-batch steps (epochs), PyTorch init, float64. Panels as A1 (inputs in the order e_0, -e_0,
e_1, -e_1, ...).

Run: python scripts/A8_antipodal_onehot.py [--quick] [--fresh]   (~5 s)
"""

import numpy as np

from _common import parser, plt, save
from _runs import small_mlp
from A1_onehot_mse_dictionary import plot_dictionary
from minimem import data


def main(argv=None):
    args = parser(__doc__).parse_args(argv)
    n, m = 10, 10
    x, y = data.antipodal_one_hot(n)
    cfg, r = small_mlp("A8_antipodal_onehot", n, m, x, y, loss="ce", steps=3000, n_out=2 * n, fresh=args.fresh,
                       extra_cfg={"inputs": "antipodal one-hot"})
    pyplot = plt()
    fig, axes = pyplot.subplots(1, 7, figsize=(17, 3.4), gridspec_kw={"width_ratios": [4, 0.6, 4, 4, 2.2, 0.6, 4]})
    out = plot_dictionary(fig, axes, r, x, "logits (classes x inputs)")
    acc = np.mean(np.argmax(out, 1) == y)
    W1 = r["param_W1"]
    # which neurons each sign uses: a neuron serves e_i if W1[:, i] + b1 > 0
    act = np.maximum(x @ W1.T + r["param_b1"], 0) > 1e-3  # (2n, m)
    shared = np.mean([np.sum(act[2 * i] & act[2 * i + 1]) for i in range(n)])
    print(f"CE {float(r['final_loss']):.4f}, accuracy {acc:.2f}; neurons active for both e_i and -e_i: {shared:.2f} "
          f"on average (of {m})")
    fig.suptitle(f"cross-entropy MLP on antipodal one-hot inputs (n={n}, V={2 * n}, m={m}), {cfg['steps']} epochs: "
                 f"accuracy {acc:.2f}")
    fig.tight_layout()
    save(fig, "A8_antipodal_onehot", args.quick)


if __name__ == "__main__":
    main()
