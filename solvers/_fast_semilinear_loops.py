"""The compiled loops behind :mod:`solvers.fast_semilinear` (this module imports numba).

Imported only when a compiled semilinear kernel is first requested, never at
``import solvers``. Module-level functions, so numba's on-disk cache (``cache=True``) finds
them in the next process.

One compilation per machine and pair of tap counts (flux taps, linear taps outside them):
the flux term's non-zero taps carry the linear weights at their positions too, the linear
stencil's remaining non-zero taps (usually just the centre of a central pair) come apart.
The flux form (``D(u**2)``, ``u D(u)`` or both), the forcing and the Butcher tableau are
run-time arguments; each stage kind's point loop exists once per form and forcing (the branch
is taken outside the point loop, the loops are inlined with constants so LLVM folds the
branches and vectorises each).

The right-hand side at a point is, per flux tap ``j`` (window position ``p``),
``u_p * (wL_p + alpha w_j u_p + w_j beta u_i)`` summed with the other linear taps' ``wL_p
u_p``: the same terms as :class:`solvers.rhs.SemilinearRhs`'s ``L u + alpha D(u**2) + beta u
D(u)``, grouped so that a step needs as few multiplies as the hand-written loop (the
multiply units bound this loop: ten per point summed apart, seven grouped, for RK4 with
3-point stencils). So the agreement with NumPy is to round-off (~1e-15 relative over hundreds
of steps), not bitwise. The forcing ``+ f`` is summed over distinct wavenumbers.

All indices are unsigned (``np.uint64``): numba then emits no negative-index wrap-around,
which would block vectorisation. Arrays are passed whole with an index shift instead of being
sliced per block and stage.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from solvers._fast_semilinear_parts import forcing_values, measures

__all__ = ["run"]

_U = np.uint64


@numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _k(x, i, tO, tF, beta, cen, mode):  # pragma: no cover - compiled
    """The right-hand side with the window's position 0 at x[i].

    tO = (positions, linear weights) of the linear taps where the flux term has none;
    tF = (positions, linear weights, alpha * flux weights, flux weights) at the flux taps.
    Per flux tap v * (wl + wa * v + wb * beta u): one multiply fewer per tap than
    ``wl v + alpha (w v**2)`` summed apart. mode 1: D(u**2), 2: u D(u), 3: both (a constant
    at every call site, so the branches fold).
    """
    rO, wO = tO
    rF, wl, wa, wb = tF
    acc = wO[0] * x[i + _U(rO[0])]
    for j in range(1, len(wO)):
        acc += wO[j] * x[i + _U(rO[j])]
    if mode == 1:
        for j in range(len(wl)):
            v = x[i + _U(rF[j])]
            acc += v * (wl[j] + wa[j] * v)
    elif mode == 2:
        bu = beta * x[i + _U(cen)]
        for j in range(len(wl)):
            v = x[i + _U(rF[j])]
            acc += v * (wl[j] + wb[j] * bu)
    else:
        bu = beta * x[i + _U(cen)]
        for j in range(len(wl)):
            v = x[i + _U(rF[j])]
            acc += v * ((wl[j] + wa[j] * v) + wb[j] * bu)
    return acc


# ------------------------------------------------------------------ point loops per stage kind
# q is the block-local index; x is read at q + xs (+ tap), row arrays at q + ro, local scratch
# arrays (yn, fd, kd, fv, ypre) at q.
@numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _final_loop(x, xs, tO, tF, beta, cen, mode, fv, forced, fs, fso, dst, ro, c2, q0,
                m):  # pragma: no cover - compiled
    for t in range(m):
        q = _U(q0 + t)
        k = _k(x, q + _U(xs), tO, tF, beta, cen, mode)
        if forced:
            k = k + fv[q]
        dst[q + _U(ro)] = fs[q + _U(fso)] + c2 * k


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _final(x, xs, tO, tF, beta, cen, mode, fv, forced, fs, fso, dst, ro, c2, q0,
           m):  # pragma: no cover - compiled
    """dst = fs + c2 k (the step's last stage)."""
    if forced:
        if mode == 1:
            _final_loop(x, xs, tO, tF, beta, cen, 1, fv, True,
                        fs, fso, dst, ro, c2, q0, m)
        elif mode == 2:
            _final_loop(x, xs, tO, tF, beta, cen, 2, fv, True,
                        fs, fso, dst, ro, c2, q0, m)
        else:
            _final_loop(x, xs, tO, tF, beta, cen, 3, fv, True,
                        fs, fso, dst, ro, c2, q0, m)
    elif mode == 1:
        _final_loop(x, xs, tO, tF, beta, cen, 1, fv, False,
                    fs, fso, dst, ro, c2, q0, m)
    elif mode == 2:
        _final_loop(x, xs, tO, tF, beta, cen, 2, fv, False,
                    fs, fso, dst, ro, c2, q0, m)
    else:
        _final_loop(x, xs, tO, tF, beta, cen, 3, fv, False,
                    fs, fso, dst, ro, c2, q0, m)


@numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _keep_loop(x, xs, tO, tF, beta, cen, mode, fv, forced, yb, ybo, fs, fso, fd, yn,
               kd, c1, c2, q0, m):  # pragma: no cover - compiled
    for t in range(m):
        q = _U(q0 + t)
        k = _k(x, q + _U(xs), tO, tF, beta, cen, mode)
        if forced:
            k = k + fv[q]
        kd[q] = k
        yn[q] = yb[q + _U(ybo)] + c1 * k
        fd[q] = fs[q + _U(fso)] + c2 * k


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _keep(x, xs, tO, tF, beta, cen, mode, fv, forced, yb, ybo, fs, fso, fd, yn, kd, c1,
          c2, q0, m):  # pragma: no cover - compiled
    """kd = k; yn = yb + c1 k; fd = fs + c2 k (k read again by a later stage)."""
    if forced:
        if mode == 1:
            _keep_loop(x, xs, tO, tF, beta, cen, 1, fv, True, yb, ybo, fs, fso, fd, yn,
                       kd, c1, c2, q0, m)
        elif mode == 2:
            _keep_loop(x, xs, tO, tF, beta, cen, 2, fv, True, yb, ybo, fs, fso, fd, yn,
                       kd, c1, c2, q0, m)
        else:
            _keep_loop(x, xs, tO, tF, beta, cen, 3, fv, True, yb, ybo, fs, fso, fd, yn,
                       kd, c1, c2, q0, m)
    elif mode == 1:
        _keep_loop(x, xs, tO, tF, beta, cen, 1, fv, False, yb, ybo, fs, fso, fd, yn,
                   kd, c1, c2, q0, m)
    elif mode == 2:
        _keep_loop(x, xs, tO, tF, beta, cen, 2, fv, False, yb, ybo, fs, fso, fd, yn,
                   kd, c1, c2, q0, m)
    else:
        _keep_loop(x, xs, tO, tF, beta, cen, 3, fv, False, yb, ybo, fs, fso, fd, yn,
                   kd, c1, c2, q0, m)


@numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _first_loop(x, xs, tO, tF, beta, cen, mode, fv, forced, uu, ro, fd, yn, c1, c2, q0,
                m):  # pragma: no cover - compiled
    for t in range(m):
        q = _U(q0 + t)
        k = _k(x, q + _U(xs), tO, tF, beta, cen, mode)
        if forced:
            k = k + fv[q]
        v = uu[q + _U(ro)]
        yn[q] = v + c1 * k
        fd[q] = v + c2 * k


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _first(x, xs, tO, tF, beta, cen, mode, fv, forced, uu, ro, fd, yn, c1, c2, q0,
           m):  # pragma: no cover - compiled
    """yn = uu + c1 k; fd = uu + c2 k (stage 0, k not kept)."""
    if forced:
        if mode == 1:
            _first_loop(x, xs, tO, tF, beta, cen, 1, fv, True, uu, ro, fd, yn, c1, c2,
                        q0, m)
        elif mode == 2:
            _first_loop(x, xs, tO, tF, beta, cen, 2, fv, True, uu, ro, fd, yn, c1, c2,
                        q0, m)
        else:
            _first_loop(x, xs, tO, tF, beta, cen, 3, fv, True, uu, ro, fd, yn, c1, c2,
                        q0, m)
    elif mode == 1:
        _first_loop(x, xs, tO, tF, beta, cen, 1, fv, False, uu, ro, fd, yn, c1, c2, q0,
                    m)
    elif mode == 2:
        _first_loop(x, xs, tO, tF, beta, cen, 2, fv, False, uu, ro, fd, yn, c1, c2, q0,
                    m)
    else:
        _first_loop(x, xs, tO, tF, beta, cen, 3, fv, False, uu, ro, fd, yn, c1, c2, q0,
                    m)


@numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _update_loop(x, xs, tO, tF, beta, cen, mode, fv, forced, yb, ybo, fd, yn, c1, c2,
                 q0, m):  # pragma: no cover - compiled
    for t in range(m):
        q = _U(q0 + t)
        k = _k(x, q + _U(xs), tO, tF, beta, cen, mode)
        if forced:
            k = k + fv[q]
        yn[q] = yb[q + _U(ybo)] + c1 * k
        fd[q] = fd[q] + c2 * k


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _update(x, xs, tO, tF, beta, cen, mode, fv, forced, yb, ybo, fd, yn, c1, c2, q0,
            m):  # pragma: no cover - compiled
    """yn = yb + c1 k; fd = fd + c2 k (in place, k not kept)."""
    if forced:
        if mode == 1:
            _update_loop(x, xs, tO, tF, beta, cen, 1, fv, True,
                         yb, ybo, fd, yn, c1, c2,
                         q0, m)
        elif mode == 2:
            _update_loop(x, xs, tO, tF, beta, cen, 2, fv, True,
                         yb, ybo, fd, yn, c1, c2,
                         q0, m)
        else:
            _update_loop(x, xs, tO, tF, beta, cen, 3, fv, True,
                         yb, ybo, fd, yn, c1, c2,
                         q0, m)
    elif mode == 1:
        _update_loop(x, xs, tO, tF, beta, cen, 1, fv, False, yb, ybo, fd, yn, c1, c2,
                     q0, m)
    elif mode == 2:
        _update_loop(x, xs, tO, tF, beta, cen, 2, fv, False, yb, ybo, fd, yn, c1, c2,
                     q0, m)
    else:
        _update_loop(x, xs, tO, tF, beta, cen, 3, fv, False, yb, ybo, fd, yn, c1, c2,
                     q0, m)


@numba.njit(cache=True, nogil=True, error_model="numpy")
def run(cur, nxt, tO, tF, beta, mode, cen, omin, a, b, c, t0, dt, steps, n, gl, gr,
        bounds, tsin, tcos, amp, freq, phase, group, check_every, ceil2, sq, watch, limits,
        largest, h):  # pragma: no cover - compiled
    """Take up to ``steps`` steps from time ``t0``; return the number taken.

    cur/nxt: (rows, hl + n + hr) periodic state buffers (hl = s gl ghosts on the left,
    hr = s gr on the right); the state after step m is in cur for even m, nxt for odd m.
    tO / tF: the taps (see _k; positions are offset - omin);
    alpha / beta and mode (1: D(u**2) only, 2: u D(u) only, 3: both) the flux term's form;
    cen = -omin (the point itself in the window). bounds: (blocks, 2).
    tsin/tcos: (groups, hl + n + hr) sin / cos of each distinct wavenumber at the nodes
    (ghosts included); group[j]: wave j's row there (no forcing: zero groups).
    check_every > 0: every that many steps sq[r] = sum of squares of row r, stop when one
    is above ceil2[r] or not finite. watch: check after every step, and also stop when a
    row's total variation, max|u| or energy h sum u**2 exceeds limits[r, 0 / 1 / 2];
    largest[r] keeps the largest max|u| seen after each step taken.
    """
    rows = cur.shape[0]
    s = b.size
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
    as_bits = np.zeros(1, dtype=np.int64)  # max|u| comes back as its bit pattern
    as_value = as_bits.view(np.float64)
    zero = gl - gl  # an int64 0 (a literal 0 argument would be a specialisation of its own)
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
                    # local index q is grid index q + p0 - hl, buffer index q + p0
                    for i in range(s):
                        final = i == s - 1
                        q0 = (i + 1) * gl  # = klo - (p0 - hl), klo = p0 - (s - 1 - i) gl
                        m = p1 - p0 + (s - 1 - i) * (gl + gr)
                        if i == 0:
                            x = u
                            xs = p0 + omin
                        else:
                            x = yloc[i % 2]
                            xs = omin
                        if pre[i] and not final:  # y_{i+1} terms from stages before i
                            for q in range(q0, q0 + m):
                                ypre[q] = u[q + p0]
                            for j in range(i):
                                cc = dt * a[i + 1, j]
                                if cc != 0.0:
                                    kj = kloc[j]
                                    for q in range(q0, q0 + m):
                                        ypre[q] += cc * kj[q]
                        if forced and not same[i]:
                            forcing_values(tsin, tcos, ca[i], cb[i], p0, fv, q0, m)
                        yn = yloc[(i + 1) % 2]
                        if final:
                            if s > 1:
                                _final(x, xs, tO, tF, beta, cen, mode, fv, forced, fin,
                                       zero, out, p0, cbw[i], q0, m)
                            else:
                                _final(x, xs, tO, tF, beta, cen, mode, fv, forced, u,
                                       p0, out, p0, cbw[i], q0, m)
                        elif keep[i] or pre[i]:
                            if pre[i]:
                                yb = ypre
                                ybo = zero
                            else:
                                yb = u
                                ybo = p0
                            if i == 0:
                                _keep(x, xs, tO, tF, beta, cen, mode, fv, forced, yb,
                                      ybo, u, p0, fin, yn, kloc[i], cy[i], cbw[i], q0, m)
                            else:
                                _keep(x, xs, tO, tF, beta, cen, mode, fv, forced, yb,
                                      ybo, fin, zero, fin, yn, kloc[i], cy[i], cbw[i], q0, m)
                        elif i == 0:
                            _first(x, xs, tO, tF, beta, cen, mode, fv, forced, u, p0,
                                   fin, yn, cy[i], cbw[i], q0, m)
                        else:
                            _update(x, xs, tO, tF, beta, cen, mode, fv, forced, u, p0,
                                    fin, yn, cy[i], cbw[i], q0, m)
                    if last:
                        prev = out[p0 + hl - 1] if p0 > 0 else out[p0 + hl]
                        bs, bits, bt = measures(out, out.view(np.int64), p0 + hl, p1 + hl,
                                                 prev)
                        as_bits[0] = bits
                        bm = as_value[0]
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
