"""X5 -- Beyond the write-up: the test-loss peak of every data-set-size sweep, side by side.

For each sweep the catalogue calls double descent (B2, F4, A4, M2, F1, F3, F5, and M7 per hidden
size), this prints and draws: where the mean test loss peaks and how high, the same per seed, and
the first T after the peak where the mean test loss is back within 5% of the null level (the loss of
the model with every parameter zero: the all-zeros output under MSE, uniform logits under
cross-entropy; minimem.experiments.null_loss). A sweep whose mean test loss is highest at its
smallest or largest T has no interior peak (grey in the figure). Next to them, the published anchors for the ReLU output model:

- Henighan et al. (2023), n=10,000, S=0.999: the middle regime begins near T=700, generalisation
  near T=5,000, test loss in the middle regime near 1.01;
- Jermyn's replication of that setup: the regime near T=100, generalisation near T=20,000, test
  loss up to 5,000; generalisation where T (1 - S) is about 10, which is T=1,000 at S=0.99.

Where a peak comes from (minimem.analysis, experiments.peak_anatomy), at and around each peak of B2,
F4, A4, M2, M7 (m=2) and F1: the test MSE split into the outputs on features that are off in the
sample and the error on the active ones; the pre-activation energy on the off entries of the
training set and how much of it an output ReLU hides from the loss; for cross-entropy the margin of
the largest logit over the correct one and the spread of the logits; the largest weight over
AdamW's reach; the share of features seen in training.

Settings: those of each figure's sweep (see its script); nothing is trained here that the figure
scripts do not train, except M7's m=2 row again with its weights kept ("sparse_grid_m2", the same
runs). X4 varies what sets B2's peak height.
Every setting, from the catalogue: python -m minimem config X5.

Run: python scripts/X5_peak_table.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import plt
from minimem.cli import FigureScript
from minimem.experiments import back_to, peak, rise
from minimem import experiments
from minimem.named import say

# --- config
SWEEPS = {  # figure: the experiment behind it
    "B2": "bottleneck_dd", "F4": "bottleneck_dd_untied", "A4": "mlp_dd_relu_out", "M2": "mlp_dd",
    "F1": "unembed_dd", "F3 x/sum(x)": "unembed_dd_soft", "F3 input": "unembed_dd_input", "F5": "unembed_dd_xavier",
}
GRID = "sparse_grid"  # M7: one sweep over T per hidden size
PUB = experiments.PUBLISHED
ANCHORS = {f"Henighan et al.: test loss ~{PUB['henighan_loss']}": PUB["henighan_loss"],
           f"Jermyn: test loss up to {PUB['jermyn_loss']:,.0f}": PUB["jermyn_loss"]}
RISE = 1.05  # a mean test loss above 1.05 x the null level has risen from it
GENERALISE_T = PUB["jermyn_rule"]  # Jermyn: generalisation where T (1 - S) ~ 10
HENIGHAN = PUB["henighan_regime"]  # Henighan et al.: middle regime to generalisation, n=10,000, S=0.999
EARLIER = PUB["earlier"]  # the write-up: "exactly 10x earlier" at n=1000, S=0.99
ANATOMY = {"B2": "bottleneck_dd", "F4": "bottleneck_dd_untied", "A4": "mlp_dd_relu_out", "M2": "mlp_dd",
           "M7 m=2": "sparse_grid_m2", "F1": "unembed_dd"}


def summary(sizes, test_loss, null):
    """Peak of the mean test loss (sizes, seeds) over T, each seed's peak, and where the mean is
    back within 5% of the null level after its peak."""
    sizes, mean = np.asarray(sizes), test_loss.mean(1)
    T, height, per_seed = peak(sizes, test_loss)
    i = sizes.tolist().index(T)
    return dict(T=T, height=height, first=i == 0, edge=i in (0, len(sizes) - 1), null=null, seeds=per_seed,
                back=back_to(sizes, mean, i + 1, null), last=(int(sizes[-1]), float(mean[-1])),
                rise=rise(sizes, mean, i, null, RISE))


def around(n_sizes, i):
    """The size indices a peak's anatomy is shown at: the first, two either side of the peak, the last."""
    return sorted({0, n_sizes - 1} | {j for j in range(i - 2, i + 3) if 0 <= j < n_sizes})


def anatomy(fig_id, cfg, res):
    """Print where the test loss comes from at and around the peak (means over seeds); return the rows."""
    sizes = list(cfg["sizes"])
    T_peak = peak(np.array(sizes), res["test_loss"])[0]
    rows = []
    for i in around(len(sizes), sizes.index(T_peak)):
        runs = [experiments.peak_anatomy(cfg, res, i, s) for s in range(cfg["seeds"])]
        rows.append(dict({k: float(np.mean([r[k] for r in runs])) for k in runs[0]}, T=sizes[i],
                         test=float(res["test_loss"][i].mean())))
    mse = cfg["loss"] == "mse"
    relu = cfg["model"] == "relu_output" or cfg.get("relu_out", False)
    print(f"{fig_id} ({cfg['model']}, {'output ReLU' if relu else 'no output ReLU'}, {cfg['loss']}), mean of "
          f"{cfg['seeds']} seeds; the peak of the mean test loss at T={T_peak}:")
    if mse:
        print("  T | test MSE | on off entries | on active | train: off-entry energy | of it paid (the train MSE on "
              "off entries) | test: off-entry energy | largest |w| / reach | features seen")
        for r in rows:
            print(f"  {r['T']} | {r['test']:.4g} | {r['test_off']:.4g} | {r['test_on']:.3g} | {r['train_energy']:.4g} | "
                  f"{r['train_off']:.3g} | {r['test_energy']:.4g} | {r['largest_w_over_reach']:.2f} | "
                  f"{r['features_seen']:.2f}")
    else:
        print("  T | test CE | margin of the top logit over the correct one | rest | logits above the correct one | "
              "logit spread: train | test | largest |w| / reach | features seen")
        for r in rows:
            print(f"  {r['T']} | {r['test']:.4g} | {r['test_margin']:.4g} | {r['test_rest']:.3g} | "
                  f"{r['test_beaten']:.0f} | {r['train_spread']:.4g} | {r['test_spread']:.4g} | "
                  f"{r['largest_w_over_reach']:.2f} | {r['features_seen']:.2f}")
    at = next(r for r in rows if r["T"] == T_peak)
    k = fig_id.replace(" ", "_").replace("=", "")
    say(f"{k}_anatomy_T", [r["T"] for r in rows])
    for name in at:
        if name != "T":
            say(f"{k}_{name}", [r[name] for r in rows])  # at the sizes of {k}_anatomy_T, mean over seeds
    if mse:
        say(f"{k}_off_share", at["test_off"] / at["test"], sig=3)
    else:
        say(f"{k}_margin_share", at["test_margin"] / at["test"], sig=3)
    if mse:
        print(f"  {fig_id} at T={T_peak}: off entries carry {at['test_off'] / at['test']:.3f} of the test MSE; on the "
              f"training set the loss pays for {at['train_off']:.3g} of an off-entry energy of {at['train_energy']:.4g}")
    else:
        print(f"  {fig_id} at T={T_peak}: the margin carries {at['test_margin'] / at['test']:.3f} of the test CE")
    return rows, mse, relu


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    rows, missing = {}, []
    for fig_id, name in list(SWEEPS.items()) + [("M7", GRID)]:
        try:
            cfg, res = r.run(name, required=False)
        except experiments.MissingResult as e:  # only with --cached-only: leave the sweep out and say so
            print(f"{fig_id} left out: {e}")
            missing.append(fig_id)
            continue
        if name != GRID:
            rows[fig_id] = (cfg, summary(cfg["sizes"], res["test_loss"], float(experiments.null_loss(cfg).mean())))
            continue
        grid = res
        for m in cfg["hidden"]:
            test = np.stack([res[(T, m)]["test_loss"] for T in cfg["sizes"]])  # (sizes, seeds)
            rows[f"M7 m={m}"] = (dict(cfg, m=m), summary(cfg["sizes"], test,
                                                         float(experiments.null_loss(cfg, m).mean())))
    if not rows:
        raise SystemExit("X5: none of the sweeps is in results/ yet; run it without --cached-only to train them")
    # --- plot
    print(f"| sweep | setting | rises past {RISE} x null at T | peak T (mean) | peak height (mean) | "
          "per seed (T: height) | null level | back within 5% |")
    print("|---|---|---|---|---|---|---|---|")
    for fig_id, (c, s) in rows.items():
        setting = f"{c['model']}, {c['loss']}, m={c['m']}, S={c['sparsity']}, {c['seeds']} seeds"
        per_seed = ", ".join(f"{T}: {v:.3g}" for T, v in s["seeds"])
        back = (f"T={s['back']}" if s["back"] else
                f"not by T={s['last'][0]} ({s['last'][1]:.3g})")
        where = ("none (highest at the smallest T)" if s["first"] else
                 f"{s['T']} (the largest T run)" if s["edge"] else str(s["T"]))
        print(f"| {fig_id} | {setting} | {s['rise'] or '-'} | {where} | {s['height']:.4g} | {per_seed} | {s['null']:.3g} | "
              + ("-" if s["edge"] else back) + " |")
    key = lambda fid: fid.replace(" ", "_").replace("=", "").replace("/", "_")  # noqa: E731  B2, M7_m2, F3_x_sum(x)
    say("rise_factor", RISE)
    say("return_within_percent", 5)
    say("rise_T", {key(f): s["rise"] for f, (_, s) in rows.items()})
    say("peak_T", {key(f): None if s["edge"] else s["T"] for f, (_, s) in rows.items()})  # None: no interior peak
    say("highest_T", {key(f): s["T"] for f, (_, s) in rows.items()})
    say("height", {key(f): s["height"] for f, (_, s) in rows.items()})
    say("null", {key(f): s["null"] for f, (_, s) in rows.items()}, sig=3)
    say("back_T", {key(f): s["back"] for f, (_, s) in rows.items()})
    say("last", {key(f): s["last"] for f, (_, s) in rows.items()}, sig=3)  # (largest T, mean test loss there)
    m7 = [s["height"] for f, (_, s) in rows.items() if f.startswith("M7")]
    if m7:
        say("m7_height_range", (min(m7), max(m7)))
        say("m7_hidden", [int(f.split("=")[1]) for f in rows if f.startswith("M7")])
    say("henighan_regime", HENIGHAN)
    say("henighan_loss", PUB["henighan_loss"])
    say("jermyn_loss", PUB["jermyn_loss"])
    say("jermyn_rule", GENERALISE_T)
    say("earlier", EARLIER)
    say("henighan_regime_earlier", (HENIGHAN[0] // EARLIER, HENIGHAN[1] // EARLIER))
    S = next(iter(rows.values()))[0]["sparsity"]
    say("jermyn_T", GENERALISE_T / (1 - S), sig=4)
    say("sparsity", S)
    if rows.get("B2") and rows["B2"][1]["back"]:
        say("back_over_earlier", rows["B2"][1]["back"] / (HENIGHAN[1] // EARLIER), sig=2)  # B2's return / 5000 / 10
    print(f"anchors: {ANCHORS}; Jermyn's T(1-S)={GENERALISE_T} at S={S}: T={GENERALISE_T / (1 - S):.0f}; "
          f"Henighan et al.'s {HENIGHAN[0]}-{HENIGHAN[1]} at n=10,000, S=0.999, {EARLIER}x earlier (the write-up): "
          f"{HENIGHAN[0] // EARLIER}-{HENIGHAN[1] // EARLIER}")
    print("where the test loss comes from, at and around each peak (minimem.analysis):")
    anatomies = {}
    for fig_id, name in ANATOMY.items():
        try:
            cfg, res = r.run(name, required=False)
        except experiments.MissingResult as e:
            print(f"{fig_id} left out: {e}")
            continue
        if name == "sparse_grid_m2":  # a grid of one row: cells (T, 2) -> arrays over T, as a sweep's
            res = {k: np.stack([res[(T, 2)][k] for T in cfg["sizes"]]) for k in res[(cfg["sizes"][0], 2)]}
            cfg = dict(cfg, m=2)
            if "M7 m=2" in rows:  # the same runs as M7's row m=2, which kept no weights
                m7 = np.stack([grid[(T, 2)]["test_loss"] for T in cfg["sizes"]])
                print(f"M7 m=2 rerun with its weights kept: largest difference from M7's test MSE "
                      f"{np.abs(res['test_loss'] - m7).max():.1e}")
        anatomies[fig_id] = anatomy(fig_id, cfg, res)
    try:  # X7's sparsity arms: how many features a training set of the peak's size has seen (1 - S^T expected)
        pcfg, arms = r.run("peak_position", required=False)
        seen = {}
        for (S_arm, m), a in sorted(arms.items()):
            T = int(peak(a["sizes"], a["test_loss"])[0])
            seen[f"{S_arm}" + ("" if m == 2 else f"_m{m}")] = (T, 1 - S_arm ** T)
        say("x7_peak_features_seen", seen, sig=2)  # {arm: (peak T, 1 - S^T)}
        say("x7_sparsity", {f"{S_arm}" + ("" if m == 2 else f"_m{m}"): S_arm for S_arm, m in sorted(arms)})
    except experiments.MissingResult as e:
        print(f"X7's arms left out: {e}")
    pyplot = plt()
    fig, ((ax, ax2), (ax3, ax4)) = pyplot.subplots(2, 2, figsize=(14, 9.6))
    labels = list(rows)
    for k, fig_id in enumerate(labels):
        s = rows[fig_id][1]
        h = np.array([v for _, v in s["seeds"]]) / s["null"]
        ax.scatter(np.full(h.size, k), h, s=12, c="tab:gray" if s["edge"] else "tab:red", zorder=3)
        ax.scatter([k], [s["height"] / s["null"]], s=90, marker="_", c="k", zorder=4)
        ax2.scatter(np.full(len(s["seeds"]), k), [T for T, _ in s["seeds"]], s=12,
                    c="tab:gray" if s["edge"] else "tab:red", zorder=3)
        if s["back"] and not s["edge"]:
            ax2.scatter([k], [s["back"]], marker="v", s=40, c="tab:green", zorder=3)
    for (name, v), ls in zip(ANCHORS.items(), ("--", ":")):
        ax.axhline(v, c="tab:blue", ls=ls, lw=0.9, label=name + " (ReLU output model, MSE)")
    ax.axhline(1.0, c="0.5", lw=0.8, label="null level (all-zeros output / uniform logits)")
    ax.set(yscale="log", xticks=range(len(labels)), ylabel="peak test loss / null level",
           title="peak height (red dots: each seed's maximum over T; grey: no interior peak;"
                 " bar: mean)")
    ax.title.set_fontsize(8)
    ax.set_xticklabels(labels, rotation=45, ha="right", fontsize=7)
    ax.legend(fontsize=6)
    ax2.axhline(GENERALISE_T / (1 - S), c="tab:blue", ls=":", lw=0.9, label=f"Jermyn: T(1-S)={GENERALISE_T} at S={S}")
    ax2.axhspan(HENIGHAN[0] / EARLIER, HENIGHAN[1] / EARLIER, color="tab:blue", alpha=0.08,
                label=f"Henighan et al.'s middle regime to generalisation ({HENIGHAN[0]}-{HENIGHAN[1]}), "
                      f"{EARLIER}x earlier as the write-up says")
    ax2.scatter([], [], marker="v", c="tab:green", label="mean back within 5% of the null level")
    ax2.set(yscale="log", xticks=range(len(labels)), ylabel="data set size T",
            title="where each seed peaks, and where the mean returns")
    ax2.set_xticklabels(labels, rotation=45, ha="right", fontsize=7)
    ax2.legend(fontsize=6, loc="upper right")
    markers = dict(zip(ANATOMY, "osD^vP"))
    for k, (fig_id, (rows_, mse, relu)) in enumerate(anatomies.items()):
        if not mse:
            continue
        e = np.array([r["train_energy"] for r in rows_])
        off = np.array([r["test_off"] for r in rows_])
        ax3.scatter(e, off, marker=markers[fig_id], s=30, edgecolors=f"C{k}", facecolors=f"C{k}" if relu else "none",
                    label=f"{fig_id} ({'output ReLU' if relu else 'no output ReLU: the loss pays for all of it'})")
        for row, a, b in zip(rows_, e, off):
            ax3.annotate(str(row["T"]), (a, b), fontsize=5, xytext=(2, 2), textcoords="offset points")
    ax3.set(xscale="log", yscale="log", xlabel="training set: off-entry pre-activation energy (sum over features, mean "
            "over samples)", ylabel="test MSE on the off entries", title="MSE sweeps at and around their peaks (labels: T; "
            "mean of seeds)")
    ax3.legend(fontsize=6, loc="upper left")
    if "F1" in anatomies:
        rows_ = anatomies["F1"][0]
        Ts = [r["T"] for r in rows_]
        for key, label, c in (("test", "test CE", "tab:red"), ("test_margin", "its margin: top logit - correct logit",
                                                               "k"), ("train_spread", "training logits' spread (std)",
                                                                      "tab:blue")):
            ax4.plot(Ts, [r[key] for r in rows_], "o" if key != "test_margin" else "x", ms=5, c=c, label=label)
        ax4.axhline(float(np.log(1000)), c="0.5", lw=0.8, label="null level log V")
        ax4.set(xscale="log", yscale="log", xlabel="data set size T", title="F1 (cross-entropy): the test CE is the "
                "margin of a wrong logit (mean of seeds; the sizes around the peak, and the first and last)")
        ax4.legend(fontsize=6, loc="lower center")
    else:
        ax4.axis("off")
    fig.suptitle("The test-loss peak of every sweep over T (each sweep at its figure's setting)"
                 + (f"; not yet run, left out: {', '.join(missing)}" if missing else ""))
    fig.tight_layout()
    r.save(fig, "X5_peak_table")


if __name__ == "__main__":
    main()
