"""The kernels' scratch rows and their layout in memory: what a thread (or a chunk of samples)
writes for every sample, laid out so that no two threads share a cache line (SPREAD) and the m = 2
tile's rows avoid 4K aliasing (tile_rows). Allocated once per kernel call, outside the parallel
loops (kernels.run_instances, run_samples)."""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from .tile import GROUP, Group

# Per-thread scratch rows of one sample: a, h, dh (m,); z, dz, y (K,), y all zero between samples;
# grp the m = 2 tile's rows (tile.Group).
Scratch = namedtuple("Scratch", "a h dh z dz y grp")
Pool = namedtuple("Pool", "a h dh z dz y A S H dH Z dZ tile")  # Scratch and Group's rows for C chunks: (C, ...)

SPREAD = 32  # elements between two chunks' small scratch rows (128 bytes or more): no cache line is written by two threads


@njit(inline="always")
def small_rows(w):
    """Spare rows of w elements that put SPREAD elements or more between two threads' rows of a
    gradient buffer shaped (C, rows, w) (the hidden bias's, w = m, written for every sample)."""
    return (SPREAD + w - 1) // w


@njit(inline="always")
def padded_rows(C, w, dt):
    """C rows of w elements (C, w), each SPREAD elements apart from the next: a view."""
    return np.empty((C, w + SPREAD), dt)[:, :w]


TILE_ROWS = 2 + GROUP + 4  # the MSE tile's rows per chunk: Ws (2), Y (GROUP), then those it stores to: dWu (2), dbu, L
ROW_SHIFT = 384  # bytes, modulo a page, from one tile row to the next (tile_rows)


@njit(inline="always")
def tile_rows(C, K, like):
    """The MSE tile's rows for C chunks in the dtype of the array ``like``, all zero:
    (C, TILE_ROWS, Kp), each row 64-byte aligned (a vector load never straddles two cache lines)
    and Kp >= K chosen so that a row starts ROW_SHIFT bytes after the previous one modulo 4096.
    The tile loads from these rows and stores to four of them at the same column j; a load whose
    address agrees with a pending store's in its low 12 bits can be held up behind it (4K
    aliasing), so the rows it stores to lie 384 to 3456 bytes after the rows it only loads from,
    modulo a page (SPEED.md, why the kernels are written so)."""
    isz = like.itemsize
    step = 4096 // isz
    base = ROW_SHIFT // isz
    Kp = base if K <= base else base + (K - base + step - 1) // step * step
    blk = np.zeros(C * TILE_ROWS * Kp + 64 // isz, like.dtype)
    o = ((-blk.ctypes.data) % 64) // isz
    return blk[o:o + C * TILE_ROWS * Kp].reshape(C, TILE_ROWS, Kp)


@njit(inline="always")
def scratch_pool(C, m, K, like):
    """Scratch rows for C chunks, each array with a leading axis C (a flat Pool: a parallel
    kernel's loop body cannot take nested structures), allocated once per kernel call rather than
    once per step; Y and y are all zero. The small rows (a, h, dh, A, S, H, dH: a few numbers per
    chunk, written for every sample) are views into rows SPREAD elements longer, so that two
    chunks' rows never share a cache line: threads writing one line in turn pass it between the
    cores on every write."""
    dt = like.dtype
    return Pool(padded_rows(C, m, dt), padded_rows(C, m, dt), padded_rows(C, m, dt),
                np.empty((C, K), dt), np.empty((C, K), dt), np.zeros((C, K), dt),
                np.empty((C, GROUP + SPREAD, m), dt)[:, :GROUP], np.empty((C, 2 + SPREAD, GROUP), dt)[:, :2],
                padded_rows(C, 2 * GROUP, dt), padded_rows(C, 2 * GROUP, dt),
                np.empty((C, GROUP, K), dt), np.empty((C, GROUP, K), dt), tile_rows(C, K, like))


@njit(inline="always")
def scratch_of(pool, c):
    """Chunk c's scratch rows from a Pool (views), as a Scratch."""
    return Scratch(pool.a[c], pool.h[c], pool.dh[c], pool.z[c], pool.dz[c], pool.y[c],
                   Group(pool.A[c], pool.S[c], pool.H[c], pool.dH[c], pool.Z[c], pool.dZ[c], pool.tile[c][0:2],
                         pool.tile[c][2:2 + GROUP], pool.tile[c][2 + GROUP:4 + GROUP], pool.tile[c][4 + GROUP],
                         pool.tile[c][5 + GROUP]))


@njit(inline="always")
def scratch(m, K, like):
    """One thread's scratch rows."""
    return scratch_of(scratch_pool(1, m, K, like), 0)
