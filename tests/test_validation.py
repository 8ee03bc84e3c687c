"""Bad input raises a ValueError or TypeError that names the argument."""

import numpy as np
import pytest

from minimem import data, init, losses, mlp, relu_output, unembed
from minimem.train import train

RNG = np.random.default_rng(0)


@pytest.mark.parametrize("sparsity", [1.0, -0.1, 1.5, np.nan])
def test_sparsity_outside_unit_interval(sparsity):
    with pytest.raises(ValueError, match="sparsity"):
        data.sparse_features(10, 5, sparsity, RNG)


def test_sparsity_wrong_type_or_count():
    with pytest.raises(TypeError, match="sparsity"):
        data.sparse_features(10, 5, "0.9", RNG)
    with pytest.raises(ValueError, match="sparsity"):
        data.sparse_features(10, 5, [0.1, 0.2], RNG, n_instances=3)


@pytest.mark.parametrize("name,kw", [("n_samples", dict(n_samples=-1)), ("n_features", dict(n_features=0)),
                                     ("n_instances", dict(n_instances=0))])
def test_negative_or_zero_sizes(name, kw):
    args = dict(n_samples=10, n_features=5, sparsity=0.5, rng=RNG) | kw
    with pytest.raises(ValueError, match=name):
        data.sparse_features(**args)


def test_non_integer_sizes_and_missing_generator():
    with pytest.raises(TypeError, match="n_features"):
        data.sparse_features(10, 5.5, 0.5, RNG)
    with pytest.raises(TypeError, match="rng"):
        data.sparse_features(10, 5, 0.5, 0)
    with pytest.raises(TypeError, match="n_hidden"):
        relu_output.init_params(5, True, RNG)


def test_unknown_init_and_label_names():
    with pytest.raises(ValueError, match="init"):
        relu_output.init_params(5, 2, RNG, init="he")
    with pytest.raises(ValueError, match="bias_init"):
        mlp.init_params(5, 2, RNG, bias_init="ones")
    with pytest.raises(ValueError, match="loss"):
        train("relu_output", relu_output.init_params(5, 2, RNG), np.zeros((1, 3, 5)), np.zeros((1, 3, 5)),
              steps=2, loss="hinge", schedule="constant")
    with pytest.raises(ValueError, match="model"):
        train("transformer", {}, np.zeros((1, 3, 5)), np.zeros((1, 3, 5)), steps=2)


def test_wrong_shapes():
    params = relu_output.init_params(5, 2, RNG, n_instances=2)
    with pytest.raises(ValueError, match="x"):
        relu_output.forward(params, np.zeros((3, 5)))
    with pytest.raises(ValueError, match=r"params\['W'\]"):
        relu_output.forward(params, np.zeros((2, 3, 4)))  # 4 features, W has 5
    with pytest.raises(ValueError, match="params is missing"):
        relu_output.forward({"W": params["W"]}, np.zeros((2, 3, 5)))
    with pytest.raises(ValueError, match="target"):
        losses.mse(np.zeros((2, 3, 5)), np.zeros((2, 3, 4)))
    with pytest.raises(ValueError, match="importance"):
        losses.mse(np.zeros((2, 3, 5)), np.zeros((2, 3, 5)), importance=np.ones(4))
    with pytest.raises(ValueError, match="hard labels"):
        losses.cross_entropy(np.zeros((1, 2, 3)), np.array([[0, 3]]))
    with pytest.raises(ValueError, match="mask"):
        losses.mse(np.zeros((1, 2, 3)), np.zeros((1, 2, 3)), mask=np.zeros((1, 2), bool))
    with pytest.raises(TypeError, match="x"):
        unembed.forward(unembed.init_params(3, 2, RNG), [[[1.0, 2.0, 3.0]]])


def test_init_functions():
    W = init.init_weight(RNG, 3, 100, 400, "uniform")
    assert W.shape == (3, 100, 400) and np.abs(W).max() <= 1 / 20
    W = init.init_weight(RNG, 3, 100, 400, "xavier_normal")
    assert abs(W.std() - np.sqrt(2 / 500)) < 1e-3
    W = init.init_weight(RNG, 3, 100, 400, "gaussian", std=2.0)
    assert abs(W.std() - 2.0) < 0.02
    assert np.all(init.init_bias(RNG, 2, 5, 5) == 0)
    b = init.init_bias(RNG, 2, 1000, 4, "uniform")
    assert np.abs(b).max() <= 0.5 and np.abs(b).max() > 0.45
