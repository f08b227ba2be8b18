"""Example 1: reproduce the seed notebook's three learned stencils.

The notebook trained bias-free Conv1D networks (forward, backward, central) with Adam on 50,000
random two-sine samples. We train each one with the notebook's recipe (in true float64) and with
our default recipe, and put them beside the closed-form least-squares optimum and the weights the
notebook printed. Takes about a minute (TensorFlow).
"""

import json

import numpy as np

from learned_ops.seed_repro import format_table, reproduce_seed

# Train the three stencils both ways on the notebook's data (50,000 samples, disjoint splits).
rows = reproduce_seed(samples=50_000, seed=0, with_seed_recipe=True)

# The side-by-side table: notebook, seed recipe, default recipe, exact optimum.
print(format_table(rows))

# Why it matters: mu_0 = sum c_j should be 0 and mu_1 = sum j c_j should be 1 for a derivative.
for row in rows:
    offsets = np.array(row.offsets)
    mu0, mu1 = row.seed_recipe.sum(), (offsets * row.seed_recipe).sum()
    print(f"{row.name:>8}: seed recipe mu_0 = {mu0:+.4f}, mu_1 = {mu1:.4f} "
          f"(a consistent stencil has 0 and 1)")

# Key numbers on one line (the test reads them).
summary = {row.name: {"notebook": row.notebook.tolist(), "seed_recipe": row.seed_recipe.tolist(),
                      "default": row.default.tolist(), "optimum": row.optimum.tolist(),
                      "test_mse": row.test_mse, "accuracy_order": row.accuracy_order}
           for row in rows}
print(json.dumps(summary))
