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

Run: python scripts/F1_unembed_double_descent.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import plt, sweep_figure
from minimem.cli import FigureScript
from minimem.experiments import print_sweep


# --- config
EXPERIMENT = "unembed_dd"  # minimem.experiments: the full sizes run to T=20,000
SHOW = [30, 100, 300, 500, 1000, 2000, 20000]  # W1 panels


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    cfg, res = r.run(EXPERIMENT)
    # --- plot
    print_sweep(cfg, res, "CE", ref=np.log(cfg["n"]))
    acc = res["test_acc"].mean(1)
    above = [T for T, a in zip(cfg["sizes"], acc) if a > 10 / cfg["n"]]
    print(f"test accuracy above 10x chance ({10 / cfg['n']:.3g}) from T={above[0] if above else 'never'}")
    fig, _ = sweep_figure(plt(), cfg, res, "toy unembedding", "CE", (np.log(cfg["n"]), "uniform logits, log V"), SHOW)
    r.save(fig, "F1_unembed_double_descent")


if __name__ == "__main__":
    main()
