"""F1 -- Double descent in the toy unembedding: cross-entropy test loss and test accuracy vs T.

The write-up finds that the final-layer setting (logits = W2 (W1 x) + b2, no ReLU, cross-entropy)
still shows double descent: the test loss has a clear second peak, the test accuracy is roughly
its mirror image, and during the transition from memorisation to generalisation the features
(columns of W1 in the 2-D hidden space) are square-shaped rather than the circles of the MSE
bottleneck.

Settings: n = V = 1000, m=2, S=0.99, unnormalised inputs, hard labels argmax(x); full batch,
AdamW (lr 1e-3, warm-up 2,500 steps, cosine to 0 over 50,000 steps, weight decay 1e-2); PyTorch's
default uniform init of W1 and W2 (U(-1/sqrt(fan_in), 1/sqrt(fan_in))), zero b2; float32; 4 seeds
per T; T from 3 to 20,000, past the second descent; test loss and accuracy on 10,000 fresh
samples. The runs are minimem.experiments' "unembed_dd" (shared with F2), cached in results/.
Every setting, from the catalogue: python -m minimem config F1.

Run: python scripts/F1_unembed_double_descent.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import plt, sweep_figure
from minimem.cli import FigureScript
from minimem.experiments import print_sweep
from minimem import experiments, unembed
from minimem.named import say


# --- config
EXPERIMENT = "unembed_dd"  # minimem.experiments: the full sizes run to T=20,000
SHOW = [30, 100, 300, 500, 1000, 2000, 20000]  # W1 panels


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    cfg, res = r.run(EXPERIMENT)
    # --- plot
    T_peak, _ = print_sweep(cfg, res, "CE", ref=np.log(cfg["n"]))
    sizes = list(cfg["sizes"])
    say("log_V", np.log(cfg["n"]))
    say("seeds", cfg["seeds"])
    say("n_test", cfg["n_test"])
    say("m", cfg["m"])
    say("n", cfg["n"])
    # does the accuracy mirror the loss? its dips and rises in binomial standard errors of n_test x seeds samples
    acc, loss = res["test_acc"].mean(1), res["test_loss"].mean(1)
    N = cfg["n_test"] * cfg["seeds"]
    lo = int(np.argmin(acc[: sizes.index(T_peak) + 3]))  # the dip, around the peak
    if 0 < lo < len(sizes) - 1:  # an interior dip (not under --smoke's two sizes)
        first_hi = int(np.argmax(acc[:lo]))  # before it
        last_hi = lo + int(np.argmax(acc[lo:]))  # after it
        se = lambda a, b: np.sqrt(a * (1 - a) / N + b * (1 - b) / N)  # noqa: E731  of a difference of two accuracies
        say("acc_before_dip", (sizes[first_hi], acc[first_hi]))
        say("acc_dip", (sizes[lo], acc[lo]))
        say("acc_after_dip", (sizes[last_hi], acc[last_hi]))
        say("dip_in_se", ((acc[first_hi] - acc[lo]) / se(acc[first_hi], acc[lo]),
                          (acc[last_hi] - acc[lo]) / se(acc[last_hi], acc[lo])), sig=2)
    rank = lambda v: np.argsort(np.argsort(v))  # noqa: E731
    say("loss_acc_rank_correlation", np.corrcoef(rank(loss), rank(acc))[0, 1], sig=2)  # Spearman over T
    say("acc_max_over_chance", acc.max() * cfg["n"], sig=2)
    # the return: a fit or a collapse to uniform logits? the spread (std over classes) of the test logits
    xt = experiments.test_set(cfg, 0)[None, :2000]  # (1, 2000, n) seed 0's first test samples
    spread = {T: float(unembed.forward(experiments.params_at(res, sizes.index(T), 0), xt)[0].std(axis=-1).mean())
              for T in (T_peak, sizes[-1])}
    say("logit_spread", spread, sig=3)  # seed 0, mean over samples of the std over classes
    say("train_over_log_V", res["train_loss"].mean(1)[-1] / np.log(cfg["n"]), sig=2)
    fig, _ = sweep_figure(plt(), cfg, res, "toy unembedding", "CE", (np.log(cfg["n"]), "uniform logits, log V"), SHOW)
    r.save(fig, "F1_unembed_double_descent")


if __name__ == "__main__":
    main()
