"""Memorisation in the 2-D ReLU output model: train loss far below test loss at small T.

The bottleneck model x' = ReLU(W^T W x + b) with n=1000 features, m=2 hidden dimensions,
sparsity S=0.99 and normalised inputs (Henighan et al. 2023; the write-up's B2/B3 setting) is
trained full batch with AdamW on a few small data sets. With T points and only 2 dimensions it
memorises: the hidden vectors h_t = W x_t spread out as a T-gon, the train loss falls towards 0,
and the test loss on fresh samples stays at the all-zeros level 1.0.

Settings: T in (5, 10, 20, 50, 100), one seed each, trained as 5 instances in one call (ragged data
sets with a mask); Henighan schedule (lr 1e-3, warm-up then cosine to 0), weight decay 1e-2;
test loss on fresh samples.
--quick (default): 5,000 steps, warm-up 250, 2,000 test samples.
--full: 50,000 steps, warm-up 2,500, 10,000 test samples.

Run: python scripts/memorisation_demo.py [--full]
Writes figures/demo_memorisation.png (--full) or figures/quick/demo_memorisation.png (quick).
"""

from __future__ import annotations

import argparse
import pathlib
import time

import numpy as np

from minimem import data, relu_output
from minimem.train import compile_time, evaluate, train

ROOT = pathlib.Path(__file__).resolve().parents[1]


def main(argv=None):
    # --- config
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--full", action="store_true", help="50,000 steps (default: a quick 5,000)")
    ap.add_argument("--sizes", type=int, nargs="+", default=[5, 10, 20, 50, 100], help="data set sizes T")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--n-features", type=int, default=1000)
    ap.add_argument("--sparsity", type=float, default=0.99)
    ap.add_argument("--n-test", type=int, default=None, help="test samples (default: 2,000; --full 10,000)")
    args = ap.parse_args(argv)
    steps, warmup = (50_000, 2_500) if args.full else (5_000, 250)
    for name, bad in (("--n-test", args.n_test is not None and args.n_test < 1),
                      ("--sizes", min(args.sizes) < 1), ("--n-features", args.n_features < 1),
                      ("--sparsity", not 0 <= args.sparsity < 1)):
        if bad:  # a clear line, not a traceback from inside the package
            ap.error(f"{name} out of range (sizes, features and test samples at least 1; sparsity in [0, 1))")
    n_test = args.n_test if args.n_test is not None else (10_000 if args.full else 2_000)  # (I, n_test, n) float64: 400 MB at 10,000
    n, m, S = args.n_features, 2, args.sparsity
    print(f"relu_output n={n} m={m} S={S} T={args.sizes} steps={steps} warmup={warmup} seed={args.seed}")

    # --- compute
    train_sets = [data.sparse_features(T, n, S, np.random.default_rng([args.seed, T]), normalize=True)[0]
                  for T in args.sizes]  # each (T, n): the train set is fixed per (seed, T)
    x, mask = data.stack_ragged(train_sets)  # (I, T_max, n), (I, T_max)
    I = len(args.sizes)
    params = relu_output.init_params(n, m, np.random.default_rng([args.seed, 1]), n_instances=I)
    t0 = time.perf_counter()
    with compile_time() as compiling:  # a first run compiles the kernels: said apart from the training
        res = train(relu_output, params, x, x, mask=mask, steps=steps, warmup=warmup, desc="memorisation")
    wall = time.perf_counter() - t0 - compiling.seconds
    x_test = data.sparse_features(n_test, n, S, np.random.default_rng([args.seed, 2]), n_instances=I,
                                  normalize=True)  # fresh draws
    test_loss = evaluate(relu_output, res.params, x_test, x_test)  # (I,): the kernels, no (T, n) temporaries
    print(f"{'T':>5} {'train loss':>11} {'test loss':>10}")
    for T, tr, te in zip(args.sizes, res.final_loss, test_loss):
        print(f"{T:>5} {tr:>11.3e} {te:>10.4f}")
    print(f"trained {I} models x {steps} steps in {wall:.1f} s"
          + (f" (and {compiling.seconds:.0f} s compiling the kernels, once)" if compiling.seconds >= 1 else ""))

    # --- plot
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, I + 1, figsize=(3 * (I + 1), 3.2))
    H = relu_output.hidden(res.params, x)  # (I, T_max, m)
    for k, T in enumerate(args.sizes):
        ax = axes[k]
        W = res.params["W"][k]  # (m, n)
        ax.scatter(W[0], W[1], s=2, c="tab:blue", label="features W_i")
        h = H[k][mask[k]]  # (T, m)
        for hx, hy in h:
            ax.plot([0, hx], [0, hy], c="tab:red", lw=0.8)
        ax.scatter(h[:, 0], h[:, 1], s=6, c="tab:red", label="hidden h_t")
        lim = 1.1 * max(np.abs(W).max(), np.abs(h).max(), 1e-3)
        ax.set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal", xticks=[], yticks=[],
               title=f"T={T}: train {res.final_loss[k]:.1e}\ntest {test_loss[k]:.3f}")
    axes[0].legend(fontsize=7, loc="lower left")
    ax = axes[-1]
    ax.loglog(args.sizes, res.final_loss, "o-", label="train")
    ax.loglog(args.sizes, test_loss, "s-", label="test")
    ax.axhline(1.0, c="gray", ls="--", lw=0.8, label="all-zero output")
    ax.set(xlabel="T", ylabel="loss", title="memorisation")
    ax.legend(fontsize=7)
    fig.suptitle(f"ReLU output model, n={n}, m={m}, S={S}, {steps} steps")
    fig.tight_layout()
    out = ROOT / "figures" / ("demo_memorisation.png" if args.full else "quick/demo_memorisation.png")
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=120)
    print(f"wrote {out.relative_to(ROOT)}")
    return res, test_loss


if __name__ == "__main__":
    main()
