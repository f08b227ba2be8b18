"""Operators for the solvers tests: the seed's inconsistent stencils, a bare protocol object."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

# The seed's learned stencils: least-squares optima on the seed's data (FINDINGS.md).
SEED_FORWARD = ((0, 1), [-0.94952, 1.01323])
SEED_BACKWARD = ((-1, 0), [-1.01323, 0.94952])
SEED_CENTRAL = ((-1, 0, 1), [-0.51914, 0.00012, 0.51902])


@dataclass(frozen=True)
class BareOperator:
    """The operator protocol and nothing else (no moments, no consistency helpers)."""

    offsets: tuple[int, ...]
    coefficients: np.ndarray
    derivative_order: int

    def matrix(self, n: int, h: float = 1.0, boundary: str = "periodic") -> sp.csr_array:
        if boundary != "periodic":
            raise ValueError("BareOperator only knows periodic grids")
        rows = np.arange(n)
        r = np.concatenate([rows] * len(self.offsets))
        c = np.concatenate([(rows + o) % n for o in self.offsets])
        v = np.concatenate([np.full(n, w * h ** -self.derivative_order)
                            for w in self.coefficients])
        return sp.coo_array((v, (r, c)), shape=(n, n)).tocsr()
