"""The compiled loops behind :mod:`solvers.fast_kernels` (this module imports numba).

Imported only when a compiled kernel is first requested. The functions live at module level
so that numba's on-disk cache (``cache=True``) finds them again in the next process: one
compilation per machine and stencil width (the tap tuples' length is part of the signature),
none per stencil or tableau.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["run", "single_stage"]

# The point loops live in small functions of their own: LLVM vectorises them there (in
# the large driver their loads were not proven free of aliasing). Indices are unsigned
# so that numba emits no negative-index wrap-around, which would block vectorisation.
@numba.njit(cache=True, nogil=True, error_model="numpy")
def last_stage(x, rel, w, f, dst, c, m):  # pragma: no cover - compiled
    """dst = f + c * (stencil of x): the step's final update."""
    taps = len(w)
    for t in range(m):
        acc = w[0] * x[np.uint64(t + rel[0])]
        for j in range(1, taps):
            acc += w[j] * x[np.uint64(t + rel[j])]
        dst[t] = f[t] + c * acc


@numba.njit(cache=True, nogil=True, error_model="numpy")
def inner_stage(x, rel, w, yb, fs, fd, yn, kd, c1, c2, m):  # pragma: no cover - compiled
    """k = stencil of x; next stage value yn = yb + c1 k; running update fd = fs + c2 k."""
    taps = len(w)
    for t in range(m):
        acc = w[0] * x[np.uint64(t + rel[0])]
        for j in range(1, taps):
            acc += w[j] * x[np.uint64(t + rel[j])]
        kd[t] = acc
        yn[t] = yb[t] + c1 * acc
        fd[t] = fs[t] + c2 * acc


@numba.njit(cache=True, nogil=True, error_model="numpy")
def inner_update(x, rel, w, yb, fd, yn, c1, c2, m):  # pragma: no cover - compiled
    """As inner_stage with fs = fd (in place) and k not kept: fewer alias checks."""
    taps = len(w)
    for t in range(m):
        acc = w[0] * x[np.uint64(t + rel[0])]
        for j in range(1, taps):
            acc += w[j] * x[np.uint64(t + rel[j])]
        yn[t] = yb[t] + c1 * acc
        fd[t] = fd[t] + c2 * acc


@numba.njit(cache=True, nogil=True, error_model="numpy")
def first_update(x, rel, w, uu, fd, yn, c1, c2, m):  # pragma: no cover - compiled
    """As inner_stage with yb = fs = uu and k not kept: fewer alias checks."""
    taps = len(w)
    for t in range(m):
        acc = w[0] * x[np.uint64(t + rel[0])]
        for j in range(1, taps):
            acc += w[j] * x[np.uint64(t + rel[j])]
        yn[t] = uu[t] + c1 * acc
        fd[t] = uu[t] + c2 * acc


@numba.njit(cache=True, nogil=True, error_model="numpy")
def squares(v):  # pragma: no cover - compiled
    """Sum of squares of v in four interleaved partial sums (the order every check uses)."""
    m = v.size
    s0 = s1 = s2 = s3 = 0.0
    t = 0
    while t + 4 <= m:
        s0 += v[t] * v[t]
        s1 += v[t + 1] * v[t + 1]
        s2 += v[t + 2] * v[t + 2]
        s3 += v[t + 3] * v[t + 3]
        t += 4
    while t < m:
        s0 += v[t] * v[t]
        t += 1
    return (s0 + s1) + (s2 + s3)


@numba.njit(cache=True, nogil=True, error_model="numpy")
def single_stage(cur, nxt, rel, w, omin, c, steps, n, hl, hr, check_every, ceil2,
                 sq):  # pragma: no cover - compiled
    """One-stage methods (forward Euler) on periodic grids: :func:`run`'s contract, one pass.

    Each step is u_new = u + c * (stencil of u) in a single fused pass over the row (no
    blocks, no scratch), then the ghost cells are refreshed and the two buffers swap roles.
    c is dt * b[0], as in :func:`run`; the products are summed in the same order.
    """
    rows = cur.shape[0]
    span = rel[len(w) - 1]
    group = steps if check_every <= 0 else check_every
    g0 = 0
    while g0 < steps:
        g1 = min(steps, g0 + group)
        check = check_every > 0 and g1 % check_every == 0
        for r in range(rows):
            a = cur[r]
            b = nxt[r]
            # views hoisted out of the step loop: x (what the stencil reads), u and out
            xa = a[hl + omin : hl + omin + n + span]
            ua = a[hl : hl + n]
            xb = b[hl + omin : hl + omin + n + span]
            ub = b[hl : hl + n]
            for step in range(g0, g1):
                if step % 2 == 0:
                    last_stage(xa, rel, w, ua, ub, c, n)
                    out = b
                else:
                    last_stage(xb, rel, w, ub, ua, c, n)
                    out = a
                for t in range(hl):
                    out[t] = out[n + t]
                for t in range(hr):
                    out[hl + n + t] = out[hl + t]
            if check:
                sq[r] = squares(ub if g1 % 2 == 1 else ua)
        if check:
            for r in range(rows):
                if not sq[r] <= ceil2[r]:
                    return g1
        g0 = g1
    return steps


@numba.njit(cache=True, nogil=True, error_model="numpy")
def run(cur, nxt, rel, w, omin, a, b, dt, steps, n, gl, gr, periodic, start, stop,
        lblock, rblock, bounds, check_every, ceil2, sq):  # pragma: no cover - compiled
    """Take up to ``steps`` steps; return the number taken (fewer on a failed check).

    cur/nxt: (rows, ghosts + n + ghosts) state buffers; the state after step m is in
    cur for even m, nxt for odd m. rel, w: tuples of the stencil's non-zero taps
    (offsets minus omin, weights); a tuple's length is part of the compiled signature,
    so each tap loop is unrolled and the point loop vectorises. bounds: (blocks, 2).
    check_every > 0: every that many steps sq[r] = sum of squares of row r; stop when a
    row's exceeds ceil2[r] or is not finite.
    """
    rows = cur.shape[0]
    s = b.size
    span = rel[len(w) - 1]
    hl, hr = s * gl, s * gr  # halo per side (and ghost width on periodic grids)
    ushift = hl if periodic else 0  # buffer index of grid node 0
    ext = 0
    for blk in range(bounds.shape[0]):
        ext = max(ext, bounds[blk, 1] - bounds[blk, 0])
    width = ext + hl + hr
    kloc = np.zeros((s, width))
    yloc = np.zeros((2, width))
    fin = np.zeros(width)
    ypre = np.zeros(width)
    wl = lblock.shape[1]
    wr = rblock.shape[1]
    cb = np.empty(s)
    cy = np.zeros(s)
    pre = np.zeros(s, dtype=np.bool_)  # y_{i+1} uses a k_j with j < i
    keep = np.zeros(s, dtype=np.bool_)  # k_i is read by a later stage than i + 1
    for i in range(s):
        cb[i] = dt * b[i]
        if i < s - 1:
            cy[i] = dt * a[i + 1, i]
            for j in range(i):
                if a[i + 1, j] != 0.0:
                    pre[i] = True
                    keep[j] = True
    # Rows are independent: each runs a whole group of steps (up to the next check) while
    # its two buffers stay in cache, then the next row; checks happen between groups.
    group = steps if check_every <= 0 else check_every
    g0 = 0
    while g0 < steps:
        g1 = min(steps, g0 + group)
        check = check_every > 0 and g1 % check_every == 0
        for r in range(rows):
            if g0 % 2 == 0:
                u = cur[r]
                out = nxt[r]
            else:
                u = nxt[r]
                out = cur[r]
            for step in range(g0, g1):
                last = check and step == g1 - 1
                total = 0.0
                for blk in range(bounds.shape[0]):
                    p0 = bounds[blk, 0]
                    p1 = bounds[blk, 1]
                    base = p0 - hl  # grid index of local index 0
                    for i in range(s):
                        final = i == s - 1  # (not `last`: that one marks the check step)
                        # stage i on rows [klo, khi): the block plus what later stages read
                        klo = p0 - (s - 1 - i) * gl
                        khi = p1 + (s - 1 - i) * gr
                        if not periodic:
                            klo = max(klo, 0)
                            khi = min(khi, n)
                        if i == 0:
                            src = u
                            sshift = ushift
                        else:
                            src = yloc[i % 2]
                            sshift = -base
                        ynext = yloc[(i + 1) % 2]
                        ki = kloc[i]
                        if pre[i] and not final:  # y_{i+1} terms from stages before i
                            for t in range(klo - base, khi - base):
                                ypre[t] = u[t + base + ushift]
                            for j in range(i):
                                c = dt * a[i + 1, j]
                                if c != 0.0:
                                    yp = ypre[klo - base : khi - base]
                                    kj = kloc[j][klo - base : khi - base]
                                    for t in range(khi - klo):
                                        yp[t] += c * kj[t]
                        lo = klo if periodic else max(klo, start)
                        hi = khi if periodic else min(khi, stop)
                        m = hi - lo
                        if m > 0:
                            x = src[lo + sshift + omin : hi + sshift + omin + span]
                            q0 = lo - base
                            uu = u[lo + ushift : hi + ushift]
                            if final:
                                dst = out[lo + ushift : hi + ushift]
                                f = fin[q0 : q0 + m] if s > 1 else uu
                                last_stage(x, rel, w, f, dst, cb[i], m)
                            else:
                                yb = ypre[q0 : q0 + m] if pre[i] else uu
                                fs = uu if i == 0 else fin[q0 : q0 + m]
                                fd = fin[q0 : q0 + m]
                                yn = ynext[q0 : q0 + m]
                                kd = ki[q0 : q0 + m]
                                if keep[i] or pre[i]:
                                    inner_stage(x, rel, w, yb, fs, fd, yn, kd, cy[i], cb[i], m)
                                elif i == 0:
                                    first_update(x, rel, w, uu, fd, yn, cy[i], cb[i], m)
                                else:
                                    inner_update(x, rel, w, yb, fd, yn, cy[i], cb[i], m)
                        if not periodic:  # edge rows: dense blocks (scalar; a few rows)
                            for row in range(klo, khi):
                                if row < start:
                                    acc = 0.0
                                    for col in range(wl):
                                        acc += lblock[row, col] * src[col + sshift]
                                elif row >= stop:
                                    acc = 0.0
                                    for col in range(wr):
                                        acc += rblock[row - stop, col] * src[n - wr + col + sshift]
                                else:
                                    continue
                                q = row - base
                                if final:
                                    f0 = fin[q] if s > 1 else u[row]
                                    out[row] = f0 + cb[i] * acc
                                else:
                                    ki[q] = acc
                                    y0 = ypre[q] if pre[i] else u[row]
                                    ynext[q] = y0 + cy[i] * acc
                                    f0 = u[row] if i == 0 else fin[q]
                                    fin[q] = f0 + cb[i] * acc
                    if last:
                        total += squares(out[p0 + ushift : p1 + ushift])
                if periodic:
                    for t in range(hl):
                        out[t] = out[n + t]
                    for t in range(hr):
                        out[hl + n + t] = out[hl + t]
                if last:
                    sq[r] = total
                u, out = out, u
        if check:
            for r in range(rows):
                if not sq[r] <= ceil2[r]:
                    return g1
        g0 = g1
    return steps

