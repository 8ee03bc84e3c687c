"""The fused numba kernels (``kernels``; the m = 2 tile ``tile``, the scratch rows ``scratch``), their
host side (``host``) and their float32 exp (``exp``): whole trainings inside compiled code, tested
equal to the numpy models. ``train`` uses them by default; see ``kernels`` for the math and how each
function pairs with the numpy lines. Exported here: what is used outside this package."""

from .exp import EXP_HI, EXP_LO, FASTMATH, exp_f32, kernel_exp
from .host import (COMPILE_SECONDS, PLAIN_COMPILE_SECONDS, TILE, Evaluation, KernelMismatch, Run, assign_threads,
                   evaluate, loss_and_grads, prepare, verify_model)
from .kernels import grads_kernel, run_instances, run_samples

__all__ = ["COMPILE_SECONDS", "EXP_HI", "EXP_LO", "Evaluation", "FASTMATH", "KernelMismatch", "PLAIN_COMPILE_SECONDS",
           "Run", "TILE", "assign_threads", "evaluate", "exp_f32", "kernel_exp", "loss_and_grads", "prepare",
           "grads_kernel", "run_instances", "run_samples", "verify_model"]
