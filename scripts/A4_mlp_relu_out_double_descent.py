"""A4 -- MLP double descent with a ReLU after the second layer: x' = ReLU(W2 ReLU(W1 x + b1) + b2).

The write-up's appendix repeats the MLP double descent (M2) with the output ReLU and notes that
the squares still show up, so they are not an artifact of leaving that ReLU out.

Settings: as M2 (n=1000, m=2, S=0.99, normalised, MSE, 50,000 steps, Henighan schedule, weight
decay 1e-2, PyTorch init, 4 seeds, T from 3 to 5,000, 10,000 test samples) with relu_out=True.
Runs: minimem.experiments "mlp_dd_relu_out", cached.

Run: python scripts/A4_mlp_relu_out_double_descent.py [--quick] [--fresh]   (full: ~10 min)
"""

from _plot import Run, plt, print_sweep, sweep_figure

# --- config
EXPERIMENT = "mlp_dd_relu_out"
SHOW = [5, 20, 100, 300, 1000, 5000]  # W1 panels


def main(argv=None):
    r = Run(__doc__, argv)
    # --- compute (cached)
    cfg, res = r.run(EXPERIMENT)
    # --- plot
    print_sweep(cfg, res, "MSE", ref=1.0)
    fig, _ = sweep_figure(plt(), cfg, res, "MLP with output ReLU", "MSE", (1.0, "all-zeros output"), SHOW)
    r.save(fig, "A4_mlp_relu_out_double_descent")


if __name__ == "__main__":
    main()
