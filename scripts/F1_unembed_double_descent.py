"""F1 -- Double descent in the toy unembedding: cross-entropy test loss and test accuracy vs T.

The write-up finds that the final-layer setting (logits = W2 (W1 x) + b2, no ReLU, cross-entropy)
still shows double descent: the test loss has a clear second peak, the test accuracy is roughly
its mirror image, and during the transition from memorisation to generalisation the features
(columns of W1 in the 2-D hidden space) are square-shaped rather than the circles of the MSE
bottleneck.

Settings: n = V = 1000, m=2, S=0.99, unnormalised inputs, hard labels argmax(x); full batch,
AdamW (lr 1e-3, warm-up 2,500 steps, cosine to 0 over 50,000 steps, weight decay 1e-2); PyTorch's
default uniform init of W1 and W2 (U(-1/sqrt(fan_in), 1/sqrt(fan_in))), zero b2; float32; 4 seeds
per T (mean and min-max band); T from 3 to 2,000 (cross-entropy costs 1000 exps per sample); test loss and accuracy on 10,000 fresh samples. Runs shared with F2
(scripts/_runs.py: unembed_dd) and cached in results/.

Run: python scripts/F1_unembed_double_descent.py [--quick] [--fresh]   (full: 30 min on two
cores, measured 2026-11-26 -- 1000 exps per sample per step; --quick: ~1 min)
"""

import numpy as np

from _common import parser, plot_sweep
from _runs import unembed_dd


def main(argv=None):
    args = parser(__doc__).parse_args(argv)
    cfg, res = unembed_dd(args.quick, args.fresh)
    plot_sweep(cfg, res, "F1_unembed_double_descent", args.quick, "cross-entropy double descent")


if __name__ == "__main__":
    main()
