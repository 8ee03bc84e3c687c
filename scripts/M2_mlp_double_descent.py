"""M2 -- The MLP block double descends: test loss and accuracy vs data set size T.

The write-up trains the standard MLP h = ReLU(W1 x + b1), x' = W2 h + b2 (no ReLU after the second
layer) as an auto-encoder with the MSE loss in the setting of B2 and finds double descent; accuracy
is 1 when argmax(x') = argmax(x).

Settings: n=1000, m=2 hidden neurons, S=0.99, normalised inputs, MSE with uniform importance; full
batch, AdamW (lr 1e-3, warm-up 2,500, cosine to 0 over 50,000 steps, weight decay 1e-2); PyTorch's
nn.Linear init (W1, b1, W2 uniform +-1/sqrt(fan_in)), b2 zero; float32; 4 seeds per T, T from 3 to
5,000; test loss and accuracy on 10,000 fresh samples. Runs shared with M3, M4, M5
(scripts/_runs.py: mlp_dd), cached in results/.

Run: python scripts/M2_mlp_double_descent.py [--quick] [--fresh]   (full: 21 min on two cores)
"""

from _common import parser, plot_sweep
from _runs import mlp_dd


def main(argv=None):
    args = parser(__doc__).parse_args(argv)
    cfg, res = mlp_dd(args.quick, args.fresh)
    plot_sweep(cfg, res, "M2_mlp_double_descent", args.quick, "MLP auto-encoder double descent",
               loss_ref=(1.0, "all-zeros output"), loss_label="MSE")


if __name__ == "__main__":
    main()
