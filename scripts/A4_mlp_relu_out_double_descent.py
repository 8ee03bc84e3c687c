"""A4 -- MLP double descent with a ReLU after the second layer: x' = ReLU(W2 ReLU(W1 x + b1) + b2).

The write-up's appendix repeats the MLP double descent (M2) with the output ReLU and notes that
the squares still show up, so they are not an artifact of leaving that ReLU out.

Settings: as M2 (n=1000, m=2, S=0.99, normalised, MSE, 50,000 steps, Henighan schedule, weight
decay 1e-2, PyTorch init, 4 seeds, T from 3 to 5,000, 10,000 test samples) with relu_out=True.
Runs: scripts/_runs.py mlp_dd(relu_out=True), cached.

Run: python scripts/A4_mlp_relu_out_double_descent.py [--quick] [--fresh]   (full: ~10 min)
"""

from _common import parser, plot_sweep
from _runs import mlp_dd


def main(argv=None):
    args = parser(__doc__).parse_args(argv)
    cfg, res = mlp_dd(args.quick, args.fresh, relu_out=True)
    plot_sweep(cfg, res, "A4_mlp_relu_out_double_descent", args.quick, "MLP with output ReLU",
               loss_ref=(1.0, "all-zeros output"), loss_label="MSE")


if __name__ == "__main__":
    main()
