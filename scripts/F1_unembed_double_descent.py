"""F1 -- Double descent in the toy unembedding: cross-entropy test loss and test accuracy vs T.

The write-up finds that the final-layer setting (logits = W2 (W1 x) + b2, no ReLU, cross-entropy)
still shows double descent: the test loss has a clear second peak, the test accuracy is roughly
its mirror image, and during the transition from memorisation to generalisation the features
(columns of W1 in the 2-D hidden space) are square-shaped rather than the circles of the MSE
bottleneck.

Settings: n = V = 1000, m=2, S=0.99, unnormalised inputs, hard labels argmax(x); full batch,
AdamW (lr 1e-3, warm-up 2,500 steps, cosine to 0 over 50,000 steps, weight decay 1e-2); PyTorch's
default uniform init of W1 and W2 (U(-1/sqrt(fan_in), 1/sqrt(fan_in))), zero b2; float32; 4 seeds
per T (mean and min-max band); T from 3 to 2,000 (cross-entropy costs 1000 exps per sample, so the
sweep stops at 2,000); test loss and accuracy on 10,000 fresh samples. Runs shared with F2
(scripts/_runs.py: unembed_dd) and cached in results/.

Run: python scripts/F1_unembed_double_descent.py [--quick] [--fresh]   (full: ~35 min on two
cores; --quick: ~1 min)
"""

import numpy as np

from _common import parser, plt, save
from _runs import unembed_dd
from B2_double_descent import peak

SHOW = [30, 100, 300, 500, 1000, 2000]


def plot_unembed_sweep(cfg, res, name, quick, what):
    sizes = np.array(cfg["sizes"])
    T_peak, height, per_seed = peak(sizes, res["test_loss"])
    acc_min = int(np.argmin(res["test_acc"].mean(axis=1)))
    print(f"test-loss peak (mean over seeds): T={T_peak}, CE {height:.3f}; per seed: {per_seed}")
    print(f"test accuracy minimum: T={sizes[acc_min]}, {res['test_acc'][acc_min].mean():.3f}; "
          f"test accuracy per T: {dict(zip(sizes.tolist(), np.round(res['test_acc'].mean(1), 3).tolist()))}")
    pyplot = plt()
    show = [T for T in (SHOW if not quick else sizes) if T in sizes]
    fig = pyplot.figure(figsize=(2.3 * max(len(show), 4), 6.4))
    gs = fig.add_gridspec(2, 2 * len(show))
    half = len(show)
    ax = fig.add_subplot(gs[0, :half])
    for key, label, c in [("train_loss", "train", "tab:blue"), ("test_loss", "test", "tab:red")]:
        v = res[key]
        ax.loglog(sizes, v.mean(1), "o-", ms=3, c=c, label=f"{label} CE (mean of {v.shape[1]} seeds)")
        ax.fill_between(sizes, v.min(1), v.max(1), color=c, alpha=0.2, lw=0)
    ax.axhline(np.log(cfg["n"]), c="gray", ls="--", lw=0.8, label="uniform logits, log V")
    ax.axvline(T_peak, c="tab:red", ls=":", lw=0.8)
    ax.set(xlabel="data set size T", ylabel="cross-entropy", title=f"{what}: loss")
    ax.legend(fontsize=7)
    ax = fig.add_subplot(gs[0, half:])
    for key, label, c in [("train_acc", "train", "tab:blue"), ("test_acc", "test", "tab:red")]:
        v = res[key]
        ax.semilogx(sizes, v.mean(1), "o-", ms=3, c=c, label=f"{label} accuracy")
        ax.fill_between(sizes, v.min(1), v.max(1), color=c, alpha=0.2, lw=0)
    ax.axhline(1 / cfg["n"], c="gray", ls="--", lw=0.8, label="chance, 1/V")
    ax.set(xlabel="data set size T", ylabel="accuracy", title=f"{what}: accuracy", ylim=(-0.02, 1.02))
    ax.legend(fontsize=7)
    sizes_l = sizes.tolist()
    for j, T in enumerate(show):
        ax = fig.add_subplot(gs[1, 2 * j:2 * j + 2])
        W1 = res["param_W1"][sizes_l.index(T), 0]  # (m, n), seed 0
        ax.scatter(W1[0], W1[1], s=2, c="tab:blue")
        lim = 1.05 * np.abs(W1).max()
        ax.set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal", xticks=[], yticks=[],
               title=f"W1 columns, T={T}")
    fig.suptitle(f"toy unembedding, n=V={cfg['n']}, m={cfg['m']}, S={cfg['sparsity']}, {cfg['labels']} labels, "
                 f"{cfg['init']} init, {cfg['steps']} steps")
    fig.tight_layout()
    save(fig, name, quick)


def main(argv=None):
    args = parser(__doc__).parse_args(argv)
    cfg, res = unembed_dd(args.quick, args.fresh)
    plot_unembed_sweep(cfg, res, "F1_unembed_double_descent", args.quick, "cross-entropy double descent")


if __name__ == "__main__":
    main()
