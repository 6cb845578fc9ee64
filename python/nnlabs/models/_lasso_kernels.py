"""glmnet's gaussian coordinate descent (covariance method, elnet1) compiled by numba.

The loops of ``baselines._CovarianceDescent``, one for one: the same sweeps, the same
order of every addition and multiplication, so the numbers are glmnet's to the last
bit (no fastmath, nothing reassociated). The state lives in arrays the caller owns:

- ``beta``, ``g`` (p,): coefficients and gradient ``X'r`` of the standardized columns;
- ``slot`` (p,): each variable's position in the active set (-1: never active);
- ``active`` (p,): the active variables in the order they entered;
- ``gram`` (p, p): row l is ``X_j' X_{active[l]}`` for every j (1 on the diagonal);
- ``inner`` (p, p): ``X'X`` of the standardized columns (0 for unused ones);
- ``counts``: [passes, active count, warm (0/1)]; ``rsq`` (1,): deviance explained.

``fit_point`` returns 0 when the point converged and 1 when ``max_passes`` ran out.
"""

from __future__ import annotations

import math

import numba
import numpy as np

_jit = numba.njit(cache=True, nogil=True)


@_jit
def _activate(k, slot, active, counts, gram, inner):
    nin = counts[1]
    for j in range(gram.shape[1]):
        gram[nin, j] = inner[k, j]
    for m in range(nin):
        j = active[m]
        gram[nin, j] = gram[slot[j], k]
    gram[nin, k] = 1.0
    slot[k] = nin
    active[nin] = k
    counts[1] = nin + 1


@_jit
def _full_pass(lam, beta, g, slot, active, counts, rsq, gram, inner, columns):
    counts[0] += 1
    dlx = 0.0
    explained = rsq[0]
    for i in range(columns.shape[0]):
        k = columns[i]
        old = beta[k]
        gk = g[k]
        u = gk + old
        size = abs(u) - lam
        new = math.copysign(size, u) if size > 0.0 else 0.0
        if new == old:
            continue
        beta[k] = new
        if slot[k] < 0:
            _activate(k, slot, active, counts, gram, inner)
        d = new - old
        explained += d * (2.0 * gk - d)
        if d * d > dlx:
            dlx = d * d
        row = slot[k]
        for j in range(g.shape[0]):
            g[j] = g[j] - gram[row, j] * d
    rsq[0] = explained
    return dlx


@_jit
def _partial(lam, beta, g, slot, active, counts, rsq, gram, columns, thresh, max_passes):
    counts[2] = 1
    nin = counts[1]
    ga = np.empty(nin)
    ba = np.empty(nin)
    for m in range(nin):
        ga[m] = g[active[m]]
        ba[m] = beta[active[m]]
    before = ba.copy()
    block = np.empty((nin, nin))
    for m in range(nin):
        for i in range(nin):
            block[m, i] = gram[m, active[i]]
    explained = rsq[0]
    while True:
        counts[0] += 1
        dlx = 0.0
        for m in range(nin):
            old = ba[m]
            gm = ga[m]
            u = gm + old
            size = abs(u) - lam
            new = math.copysign(size, u) if size > 0.0 else 0.0
            if new == old:
                continue
            ba[m] = new
            d = new - old
            explained += d * (2.0 * gm - d)
            if d * d > dlx:
                dlx = d * d
            for i in range(nin):
                ga[i] = ga[i] - block[m, i] * d
        rsq[0] = explained
        if dlx < thresh:
            break
        if counts[0] > max_passes:
            return 1
    for m in range(nin):
        g[active[m]] = ga[m]
        beta[active[m]] = ba[m]
    if nin == 0:
        return 0
    change = before - ba
    for jj in range(columns.shape[0]):
        j = columns[jj]
        if slot[j] >= 0:
            continue
        total = change[0] * gram[0, j]
        for m in range(1, nin):
            total += change[m] * gram[m, j]
        g[j] += total
    return 0


@_jit
def fit_point(lam, beta, g, slot, active, counts, rsq, gram, inner, columns, thresh, max_passes):
    """Solve at ``lam`` from the current state, as glmnet's point solver; 0 or 1 (maxit)."""
    if counts[2] and _partial(
        lam, beta, g, slot, active, counts, rsq, gram, columns, thresh, max_passes
    ):
        return 1
    while True:
        dlx = _full_pass(lam, beta, g, slot, active, counts, rsq, gram, inner, columns)
        if dlx < thresh:
            return 0
        if counts[0] > max_passes:
            return 1
        if _partial(lam, beta, g, slot, active, counts, rsq, gram, columns, thresh, max_passes):
            return 1
