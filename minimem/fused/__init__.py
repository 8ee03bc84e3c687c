"""The fused numba kernels (``kernels``; the m = 2 tile ``tile``, the scratch rows ``scratch``), their
host side (``host``) and their float32 exp (``exp``): whole trainings inside compiled code, tested equal to the numpy models. ``train`` uses
them by default; see ``kernels`` for the math and how each function pairs with the numpy lines."""

from .exp import EXP_HI, EXP_LO, FASTMATH, exp_f32, kernel_exp
from .host import (COMPILE_SECONDS, PLAIN_COMPILE_SECONDS, TILE, Evaluation, KernelMismatch, Run, announce_compile, assign_threads, choose_parallel, evaluate, from_general, loss_and_grads,
                   prepare, targets_to_csr, to_csr, to_general, verify_model, will_compile)
from .kernels import (Data, Decay, General, Optimiser, Structure, ce_grad, correct_at_nonzeros, grads_kernel,
                      run_instances, run_samples)
from .tile import GROUP, ce_grad_tile, decode_tile_backward, decode_tile_forward, decode_tile_mse

__all__ = ["COMPILE_SECONDS", "PLAIN_COMPILE_SECONDS", "TILE", "Evaluation", "EXP_HI", "EXP_LO", "FASTMATH", "exp_f32", "kernel_exp", "Run", "announce_compile", "assign_threads",
           "choose_parallel", "evaluate", "from_general", "loss_and_grads", "prepare", "targets_to_csr", "to_csr",
           "to_general", "will_compile", "verify_model", "KernelMismatch", "GROUP", "Data", "Decay", "General", "Optimiser", "Structure", "ce_grad", "ce_grad_tile",
           "correct_at_nonzeros", "decode_tile_backward", "decode_tile_forward", "decode_tile_mse",
           "grads_kernel", "run_instances", "run_samples"]
