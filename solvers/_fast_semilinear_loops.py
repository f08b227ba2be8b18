"""The compiled loops behind :mod:`solvers.fast_semilinear` (this module imports numba).

Imported only when a compiled semilinear kernel is first requested, never at
``import solvers``. Module-level functions, so numba's on-disk cache (``cache=True``) finds
them in the next process: one compilation per machine and combination of tap counts (the
lengths of the linear, ``D(u**2)`` and ``u D(u)`` tap tuples are part of the signature).

The right-hand side at a point follows :class:`solvers.rhs.SemilinearRhs`'s order of
operations: ``acc = L u`` (first non-zero tap, further taps added in order), then
``acc + alpha * s`` with ``s = sum_j w_j u[i + o_j]**2``, then ``acc + (d * u) * beta`` with
``d = sum_j w_j u[i + o_j]``, then ``+ f`` (the forcing summed over distinct wavenumbers, a
different order than NumPy's ``dgemv``: agreement to round-off, not bitwise). Flux taps with
zero weight are skipped (they add zero).
"""

from __future__ import annotations

import math

import numba
import numpy as np

__all__ = ["run"]

@numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _rhs(x, t, relL, wL, relF, wA, alpha, wB, beta, cen, fv):  # pragma: no cover - compiled
    """The right-hand side at local point t of the source view x.

    wA / wB / fv are None when the ``D(u**2)`` part, the ``u D(u)`` part or the forcing is
    absent: numba prunes those branches at compile time (no flag tests in the point loop).
    """
    acc = wL[0] * x[np.uint64(t + relL[0])]
    for j in range(1, len(wL)):
        acc += wL[j] * x[np.uint64(t + relL[j])]
    if wA is not None:
        v = x[np.uint64(t + relF[0])]
        s = wA[0] * (v * v)
        for j in range(1, len(wA)):
            v = x[np.uint64(t + relF[j])]
            s += wA[j] * (v * v)
        acc = acc + alpha * s
    if wB is not None:
        d = wB[0] * x[np.uint64(t + relF[0])]
        for j in range(1, len(wB)):
            d += wB[j] * x[np.uint64(t + relF[j])]
        acc = acc + (d * x[np.uint64(t + cen)]) * beta
    if fv is not None:
        acc = acc + fv[t]
    return acc


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _final(x, relL, wL, relF, wA, alpha, wB, beta, cen, fv, fs, dst, c2,
           m):  # pragma: no cover - compiled
    """dst = fs + c2 k (the step's last stage)."""
    for t in range(m):
        dst[t] = fs[t] + c2 * _rhs(x, t, relL, wL, relF, wA, alpha, wB, beta, cen, fv)


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _keep(x, relL, wL, relF, wA, alpha, wB, beta, cen, fv, yb, fs, fd, yn, kd, c1, c2,
          m):  # pragma: no cover - compiled
    """kd = k; yn = yb + c1 k; fd = fs + c2 k (k read again by a later stage)."""
    for t in range(m):
        k = _rhs(x, t, relL, wL, relF, wA, alpha, wB, beta, cen, fv)
        kd[t] = k
        yn[t] = yb[t] + c1 * k
        fd[t] = fs[t] + c2 * k


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _first(x, relL, wL, relF, wA, alpha, wB, beta, cen, fv, uu, fd, yn, c1, c2,
           m):  # pragma: no cover - compiled
    """yn = uu + c1 k; fd = uu + c2 k (stage 0, k not kept)."""
    for t in range(m):
        k = _rhs(x, t, relL, wL, relF, wA, alpha, wB, beta, cen, fv)
        yn[t] = uu[t] + c1 * k
        fd[t] = uu[t] + c2 * k


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _update(x, relL, wL, relF, wA, alpha, wB, beta, cen, fv, yb, fd, yn, c1, c2,
            m):  # pragma: no cover - compiled
    """yn = yb + c1 k; fd = fd + c2 k (in place, k not kept)."""
    for t in range(m):
        k = _rhs(x, t, relL, wL, relF, wA, alpha, wB, beta, cen, fv)
        yn[t] = yb[t] + c1 * k
        fd[t] = fd[t] + c2 * k


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _forcing_values(tsin, tcos, ca, cb, col, fv, m):  # pragma: no cover - compiled
    """fv[q] = sum_g ca[g] tsin[g, col + q] + sum_g cb[g] tcos[g, col + q]."""
    groups = ca.size
    for q in range(m):
        fs = ca[0] * tsin[0, col + q]
        for g in range(1, groups):
            fs += ca[g] * tsin[g, col + q]
        fc = cb[0] * tcos[0, col + q]
        for g in range(1, groups):
            fc += cb[g] * tcos[g, col + q]
        fv[q] = fs + fc


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _measures(v, prev):  # pragma: no cover - compiled
    """(sum v**2, max|v|, sum |v[t] - v[t-1]|) over v, with v[-1] taken as prev."""
    sq = 0.0
    big = 0.0
    tv = 0.0
    last = prev
    for t in range(v.size):
        x = v[t]
        sq += x * x
        ax = abs(x)
        # written so that a nan is kept (max would drop it)
        big = ax if not ax <= big else big
        tv += abs(x - last)
        last = x
    return sq, big, tv


@numba.njit(cache=True, nogil=True, error_model="numpy")
def run(cur, nxt, relL, wL, relF, wA, alpha, wB, beta, cen, omin,
        a, b, c, t0, dt, steps, n, gl, gr, bounds, tsin, tcos, amp, freq, phase, group,
        check_every, ceil2, sq, watch, limits, largest, h):  # pragma: no cover - compiled
    """Take up to ``steps`` steps from time ``t0``; return the number taken.

    cur/nxt: (rows, hl + n + hr) periodic state buffers (hl = s gl ghosts on the left,
    hr = s gr on the right); the state after step m is in cur for even m, nxt for odd m.
    relL/wL: the linear part's tap tuples (offsets minus omin, weights); relF: the flux
    taps' offsets minus omin, wA / wB their weights for the ``D(u**2)`` / ``u D(u)`` part
    (None when that part is absent); cen = -omin (the point itself). bounds: (blocks, 2).
    tsin/tcos: (groups, hl + n + hr) sin / cos of each distinct wavenumber at the nodes
    (ghosts included); group[j]: wave j's row there (no forcing: zero groups).
    check_every > 0: every that many steps sq[r] = sum of squares of row r, stop when one
    is above ceil2[r] or not finite. watch: check after every step, and also stop when a
    row's total variation, max|u| or energy h sum u**2 exceeds limits[r, 0 / 1 / 2];
    largest[r] keeps the largest max|u| seen after each step taken.
    """
    rows = cur.shape[0]
    s = b.size
    span = 0
    for rr in (relL[len(relL) - 1], relF[len(relF) - 1], cen):
        span = max(span, rr)
    hl, hr = s * gl, s * gr
    ext = 0
    for blk in range(bounds.shape[0]):
        ext = max(ext, bounds[blk, 1] - bounds[blk, 0])
    width = ext + hl + hr
    kloc = np.zeros((s, width))
    yloc = np.zeros((2, width))
    fin = np.zeros(width)
    ypre = np.zeros(width)
    fv = np.zeros(width)
    groups = tsin.shape[0]
    forced = groups > 0
    waves = amp.size
    ca = np.zeros((s, max(groups, 1)))
    cb = np.zeros((s, max(groups, 1)))
    cbw = np.empty(s)
    cy = np.zeros(s)
    pre = np.zeros(s, dtype=np.bool_)  # y_{i+1} uses a k_j with j < i
    keep = np.zeros(s, dtype=np.bool_)  # k_i is read by a later stage than i + 1
    same = np.zeros(s, dtype=np.bool_)  # stage i has stage i-1's time (forcing reused)
    for i in range(s):
        cbw[i] = dt * b[i]
        if i > 0 and c[i] == c[i - 1]:
            same[i] = True
        if i < s - 1:
            cy[i] = dt * a[i + 1, i]
            for j in range(i):
                if a[i + 1, j] != 0.0:
                    pre[i] = True
                    keep[j] = True
    broke = np.zeros(rows, dtype=np.bool_)
    stride = 1 if watch else (steps if check_every <= 0 else check_every)
    g0 = 0
    while g0 < steps:
        g1 = min(steps, g0 + stride)
        check = watch or (check_every > 0 and g1 % check_every == 0)
        for r in range(rows):
            if g0 % 2 == 0:
                u = cur[r]
                out = nxt[r]
            else:
                u = nxt[r]
                out = cur[r]
            for step in range(g0, g1):
                last = check and step == g1 - 1
                now = t0 + step * dt
                if forced:  # the forcing's coefficients at each stage time, per wavenumber
                    for i in range(s):
                        ts = now + c[i] * dt
                        for g in range(groups):
                            ca[i, g] = 0.0
                            cb[i, g] = 0.0
                        for j in range(waves):
                            angle = freq[j] * ts + phase[j]
                            ca[i, group[j]] += amp[j] * math.cos(angle)
                            cb[i, group[j]] += amp[j] * math.sin(angle)
                total = 0.0
                big = 0.0
                tv = 0.0
                for blk in range(bounds.shape[0]):
                    p0 = bounds[blk, 0]
                    p1 = bounds[blk, 1]
                    base = p0 - hl  # grid index of local index 0
                    for i in range(s):
                        final = i == s - 1
                        klo = p0 - (s - 1 - i) * gl
                        khi = p1 + (s - 1 - i) * gr
                        m = khi - klo
                        q0 = klo - base
                        if i == 0:
                            x = u[klo + hl + omin : khi + hl + omin + span]
                        else:
                            x = yloc[i % 2][q0 + omin : q0 + m + omin + span]
                        if pre[i] and not final:  # y_{i+1} terms from stages before i
                            for q in range(q0, q0 + m):
                                ypre[q] = u[q + base + hl]
                            for j in range(i):
                                cc = dt * a[i + 1, j]
                                if cc != 0.0:
                                    yp = ypre[q0 : q0 + m]
                                    kj = kloc[j][q0 : q0 + m]
                                    for q in range(m):
                                        yp[q] += cc * kj[q]
                        if forced and not same[i]:
                            _forcing_values(tsin, tcos, ca[i], cb[i], klo + hl, fv[q0:], m)
                        uu = u[klo + hl : khi + hl]
                        yn = yloc[(i + 1) % 2][q0 : q0 + m]
                        fd = fin[q0 : q0 + m]
                        if final:
                            dst = out[klo + hl : khi + hl]
                            fs = fd if s > 1 else uu
                            if forced:
                                _final(x, relL, wL, relF, wA, alpha, wB, beta, cen,
                                       fv[q0 : q0 + m], fs, dst, cbw[i], m)
                            else:
                                _final(x, relL, wL, relF, wA, alpha, wB, beta, cen, None, fs,
                                       dst, cbw[i], m)
                        elif keep[i] or pre[i]:
                            yb = ypre[q0 : q0 + m] if pre[i] else uu
                            fs = uu if i == 0 else fd
                            kd = kloc[i][q0 : q0 + m]
                            if forced:
                                _keep(x, relL, wL, relF, wA, alpha, wB, beta, cen,
                                      fv[q0 : q0 + m], yb, fs, fd, yn, kd, cy[i], cbw[i], m)
                            else:
                                _keep(x, relL, wL, relF, wA, alpha, wB, beta, cen, None, yb,
                                      fs, fd, yn, kd, cy[i], cbw[i], m)
                        elif i == 0:
                            if forced:
                                _first(x, relL, wL, relF, wA, alpha, wB, beta, cen,
                                       fv[q0 : q0 + m], uu, fd, yn, cy[i], cbw[i], m)
                            else:
                                _first(x, relL, wL, relF, wA, alpha, wB, beta, cen, None, uu,
                                       fd, yn, cy[i], cbw[i], m)
                        elif forced:
                            _update(x, relL, wL, relF, wA, alpha, wB, beta, cen,
                                    fv[q0 : q0 + m], uu, fd, yn, cy[i], cbw[i], m)
                        else:
                            _update(x, relL, wL, relF, wA, alpha, wB, beta, cen, None, uu,
                                    fd, yn, cy[i], cbw[i], m)
                    if last:
                        prev = out[p0 + hl - 1] if p0 > 0 else out[p0 + hl]
                        bs, bm, bt = _measures(out[p0 + hl : p1 + hl], prev)
                        total += bs
                        big = bm if not bm <= big else big
                        tv += bt
                for q in range(hl):
                    out[q] = out[n + q]
                for q in range(hr):
                    out[hl + n + q] = out[hl + q]
                if last:
                    sq[r] = total
                    if watch:
                        tv += abs(out[hl] - out[hl + n - 1])
                        broke[r] = not (tv <= limits[r, 0] and big <= limits[r, 1]
                                        and h * total <= limits[r, 2])
                        largest[r] = big if not big <= largest[r] else largest[r]
                u, out = out, u
        if check:
            for r in range(rows):
                if not sq[r] <= ceil2[r] or broke[r]:
                    return g1
        g0 = g1
    return steps
