"""The machinery of ``topictag.dask``'s exact distributed solvers: where the block kernels
run (:class:`Runner`) and the driver's optimiser for the one-vs-rest squared hinge loss
(:func:`tron`, trust-region Newton, all outputs in lockstep).

The data never move: each partition's training block (CSR rows and class codes) is computed
once on a worker and kept there. Per solver step the driver sends the weights once to each
worker (``Client.scatter(broadcast=True)``), a task per block computes its share of the
loss, gradient or Hessian-vector product in Rust (``_core.sq_hinge_loss_grad`` etc., GIL
released), and the shares are summed in a tree on the workers; the driver receives one sum.
Without a distributed client the same calls run in this process.
"""

from __future__ import annotations

import functools
import time
from typing import Any, Callable, List, Sequence

import numpy as np

_FAN_IN = 8


class _Now:
    """A value already computed (the in-process stand-in for a future)."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def result(self):
        return self.value


def _sum_shares(*shares, dtype=None):
    """The element-wise sum of tuples of arrays / floats (one task of the tree), in float64;
    a single array is returned as ``dtype`` when given."""
    if not isinstance(shares[0], tuple):
        out = np.array(shares[0], dtype=np.float64, copy=True)
        for s in shares[1:]:
            out += s
        return out if dtype is None else out.astype(dtype)
    out = [np.array(v, dtype=np.float64, copy=True) for v in shares[0]]
    for s in shares[1:]:
        for o, v in zip(out, s):
            o += v
    return tuple(out)


class Runner:
    """Tasks on the distributed client's workers, or in this process without one.

    Counts what crosses the wire: ``stats()`` gives the round trips, the megabytes sent by
    the driver (each broadcast counted once per worker) and received, and the seconds."""

    def __init__(self):
        try:
            from distributed import default_client

            self.client = default_client()
        except (ImportError, ValueError):
            self.client = None
        self.n_workers = len(self.client.scheduler_info(n_workers=-1)["workers"]) if self.client else 1
        self.round_trips, self.sent, self.received, self.t0 = 0, 0, 0, time.perf_counter()

    def compute(self, delayeds: Sequence[Any]) -> List[Any]:
        """Futures of dask delayed objects, kept where they are computed."""
        if self.client is None:
            import dask

            return [_Now(v) for v in dask.compute(*delayeds)]
        return self.client.compute(list(delayeds))

    def scatter(self, value):
        """``value`` sent once to every worker."""
        self.sent += getattr(value, "nbytes", 0) * self.n_workers
        if self.client is None:
            return _Now(value)
        return self.client.scatter(value, broadcast=True, hash=False)

    def submit(self, fn: Callable, *args):
        if self.client is None:
            return _Now(fn(*[a.value if isinstance(a, _Now) else a for a in args]))
        return self.client.submit(fn, *args, pure=False)

    def gather(self, futures):
        if self.client is None:
            return [f.value for f in futures]
        return self.client.gather(list(futures))

    def reduce(self, futures, dtype=None):
        """The sum of the futures' values, added in a tree on the workers (in float64); one
        result comes back (as ``dtype`` when given: a single array)."""
        items = list(futures)
        while len(items) > 1:
            last = len(items) <= _FAN_IN
            items = [self.submit(functools.partial(_sum_shares, dtype=dtype if last else None), *items[i:i + _FAN_IN])
                     if len(items[i:i + _FAN_IN]) > 1 else items[i] for i in range(0, len(items), _FAN_IN)]
        out = items[0].result()
        self.round_trips += 1
        self.received += sum(getattr(v, "nbytes", 8) for v in (out if isinstance(out, tuple) else (out,)))
        return out

    def stats(self) -> dict:
        s = time.perf_counter() - self.t0
        return dict(round_trips=self.round_trips, sent_mb=round(self.sent / 1e6, 1),
                    received_mb=round(self.received / 1e6, 1), seconds=round(s, 3),
                    seconds_per_round_trip=round(s / max(self.round_trips, 1), 4), workers=self.n_workers)


# ---- trust-region Newton, one problem per output, all outputs in lockstep ----------------

def _dots(A, B):
    """Column-wise dot products of two (d, k) arrays."""
    return np.einsum("ij,ij->j", A, B)


def tron(fg: Callable, hessp: Callable, d: int, k: int, tol: float, max_iter: int, eps_cg: float = 0.1,
         release: Callable = lambda live: None):
    """Minimise ``k`` independent problems ``f_o(w_o)`` (``w_o`` a column of ``W``, shape
    ``(d, k)``) by the trust-region Newton method of LIBLINEAR (Lin, Weng and Keerthi,
    JMLR 2008: conjugate gradient inside a trust region, radius updated from the ratio of
    actual to predicted reduction), every output stopping when ``||g_o|| <= tol ||g_o(0)||``.

    All outputs still running share each round trip: ``fg(W, cols)`` returns the losses
    ``f`` (len(cols)) and gradients ``G`` (d, len(cols)) of outputs ``cols`` at the columns
    of ``W``, and remembers the point as point id ``pid`` (its return value's third item);
    ``hessp(V, cols, pids)`` returns the Hessian of output ``cols[j]`` at point ``pids[j]``
    times ``V[:, j]``; ``release(live)`` is told after each step which point ids are still
    in use. Returns ``(W, n_iter, converged)``.
    """
    eta0, eta1, eta2 = 1e-4, 0.25, 0.75
    sigma1, sigma2, sigma3 = 0.25, 0.5, 4.0
    W = np.zeros((d, k))
    allc = np.arange(k)
    f, G, pid = fg(W, allc)
    pids = np.full(k, pid)
    gnorm0 = np.sqrt(_dots(G, G))
    delta = gnorm0.copy()
    done = gnorm0 == 0.0
    it = 0
    while not done.all() and it < max_iter:
        it += 1
        run = np.flatnonzero(~done)
        S, R = _cg(hessp, G[:, run], delta[run], run, pids[run], eps_cg)
        Wt = W[:, run] + S
        ft, Gt, pt = fg(Wt, run)
        gs = _dots(G[:, run], S)
        prered = -0.5 * (gs - _dots(S, R))
        actred = f[run] - ft
        snorm = np.sqrt(_dots(S, S))
        dl = delta[run]
        if it == 1:
            dl = np.minimum(dl, snorm)
        denom = ft - f[run] - gs
        with np.errstate(divide="ignore", invalid="ignore"):
            alpha = np.where(denom <= 0, sigma3, np.maximum(sigma1, -0.5 * gs / denom))
        dl = np.where(actred < eta0 * prered, np.minimum(np.maximum(alpha, sigma1) * snorm, sigma2 * dl),
             np.where(actred < eta1 * prered, np.maximum(sigma1 * dl, np.minimum(alpha * snorm, sigma2 * dl)),
             np.where(actred < eta2 * prered, np.maximum(sigma1 * dl, np.minimum(alpha * snorm, sigma3 * dl)),
                      np.maximum(dl, np.minimum(alpha * snorm, sigma3 * dl)))))
        delta[run] = dl
        acc = actred > eta0 * prered
        ra = run[acc]
        W[:, ra] = Wt[:, acc]
        G[:, ra] = Gt[:, acc]
        f[ra] = ft[acc]
        pids[ra] = pt
        gn = np.sqrt(_dots(G[:, run], G[:, run]))
        done[run] |= gn <= tol * gnorm0[run]
        # no progress possible any more (LIBLINEAR's checks): stop that output
        done[run] |= (np.abs(actred) <= 1e-12 * np.abs(f[run])) & (np.abs(prered) <= 1e-12 * np.abs(f[run]))
        done[run] |= (f[run] < -1e32)
        release(set(pids.tolist()))
    return W, it, bool(done.all())


def _cg(hessp, G, delta, cols, pids, eps_cg):
    """Conjugate gradient for ``H s = -g`` per column, inside the trust region of radius
    ``delta``; columns stop on their own, the round trips are shared. The columns still
    running are kept as compact contiguous arrays (the direction is sent as is)."""
    S_out, R_out = np.zeros_like(G), np.empty_like(G)
    idx = np.arange(G.shape[1])
    R = -G
    S, D = np.zeros_like(G), R.copy()
    rTr = _dots(R, R)
    cgtol = eps_cg * np.sqrt(rTr)
    delta = np.asarray(delta, dtype=np.float64)
    stop = ~(np.sqrt(rTr) > cgtol)
    while True:
        if stop.any():
            S_out[:, idx[stop]], R_out[:, idx[stop]] = S[:, stop], R[:, stop]
            keep = ~stop
            if not keep.any():
                return S_out, R_out
            idx, S, R, D = idx[keep], S[:, keep], R[:, keep], D[:, keep]
            rTr, cgtol, delta = rTr[keep], cgtol[keep], delta[keep]
        HD = hessp(D, cols[idx], pids[idx])
        alpha = rTr / _dots(D, HD)
        Snew = S + alpha * D
        hit = np.sqrt(_dots(Snew, Snew)) > delta
        if hit.any():
            std, sts, dtd = _dots(S, D), _dots(S, S), _dots(D, D)
            dsq = delta ** 2
            rad = np.sqrt(np.maximum(std * std + dtd * (dsq - sts), 0.0))
            with np.errstate(divide="ignore", invalid="ignore"):
                tau = np.where(std >= 0, (dsq - sts) / (std + rad), (rad - std) / dtd)
            alpha = np.where(hit, tau, alpha)
            Snew = S + alpha * D
        S = Snew
        HD *= alpha
        R -= HD
        rnew = _dots(R, R)
        stop = hit | (np.sqrt(rnew) <= cgtol) | ~(rnew > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            D *= np.where(stop, 0.0, rnew / rTr)
        D += R
        rTr = rnew
