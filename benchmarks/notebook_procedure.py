"""The seed notebook's procedure, as it ran (unseeded), timed end to end; prints JSON.

Run as ``python -m benchmarks.notebook_procedure [--samples N]``. The timed part is exactly the
notebook: TensorFlow import, the per-sample eager data loop, and three Sequential
Reshape/Conv1D/Flatten models trained with Adam(lr 0.1, clipnorm 1), batch 512, 30 epochs,
validation split 0.2. Afterwards (untimed) it computes the closed-form least-squares optimum on
the notebook's own training rows, so the distance from the optimum can be reported.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time


def main() -> int:
    """Run the notebook's procedure."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=50_000)
    parser.add_argument("--epochs", type=int, default=30)
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    started = time.perf_counter()
    import numpy as np
    import tensorflow as tf

    float_pres = "float64"
    data_x_list, data_y_list = [], []
    pi = np.pi
    for _ in range(args.samples):
        dx = 0.01
        x = tf.range(-2, 2, dx, dtype=float_pres)
        k1 = tf.cast(tf.random.uniform([1], 0, 20, dtype="int32"), dtype=float_pres)
        k2 = tf.cast(tf.random.uniform([1], 0, 20, dtype="int32"), dtype=float_pres)
        a = tf.random.uniform([1], 0, 1, dtype=float_pres)
        b = tf.random.uniform([1], 0, 2, dtype=float_pres)
        u1 = a * tf.expand_dims(tf.math.sin(k1 * pi * x), axis=0)
        u2 = (1 - a) * tf.expand_dims(tf.math.sin(k2 * pi * x), axis=0)
        du1 = a * k1 * pi * tf.expand_dims(tf.math.cos(k1 * pi * x), axis=0)
        du2 = (1 - a) * k2 * pi * tf.expand_dims(tf.math.cos(k2 * pi * x), axis=0)
        data_x_list.append(b * (u1 + u2))
        data_y_list.append(b * (du1 + du2))
    data_x = tf.concat(data_x_list, axis=0)
    data_y = tf.concat(data_y_list, axis=0)
    n_train = int(args.samples * 0.8)
    train_x, train_y = data_x[:n_train], data_y[:n_train]
    data_seconds = time.perf_counter() - started

    models = {"forward": (2, slice(None, -1)), "backward": (2, slice(1, None)),
              "central": (3, slice(1, -1))}
    weights = {}
    for name, (kernel, targets) in models.items():
        model = tf.keras.models.Sequential()
        model.add(tf.keras.layers.Reshape([400, 1]))
        model.add(tf.keras.layers.Conv1D(filters=1, activation="linear", kernel_size=kernel,
                                         use_bias=False, dtype=float_pres))
        model.add(tf.keras.layers.Flatten())
        optimizer = tf.keras.optimizers.Adam(learning_rate=10**-1, beta_1=0.9, beta_2=0.999,
                                             clipnorm=1.0)
        model.compile(loss="mean_squared_error", optimizer=optimizer,
                      metrics=["mean_squared_error"])
        model.fit(train_x, train_y[:, targets], batch_size=512, epochs=args.epochs,
                  validation_split=0.2, verbose=0)
        weights[name] = (np.asarray(model.layers[1].weights[0]).ravel() * 0.01).tolist()
    total = time.perf_counter() - started

    # untimed: the exact optimum on the rows Keras trained on (first 80% of the 80% split)
    u = np.asarray(train_x)[: int(n_train * 0.8)]
    du = np.asarray(train_y)[: int(n_train * 0.8)]
    optimum = {}
    for name, (kernel, targets) in models.items():
        cols = [u[:, j : 400 - kernel + 1 + j].ravel() for j in range(kernel)]
        design = np.stack(cols, axis=1)
        target = du[:, targets].ravel()
        coef, *_ = np.linalg.lstsq(design, target, rcond=None)
        optimum[name] = (coef * 0.01).tolist()
    print(json.dumps({"seconds_total": total, "seconds_data": data_seconds, "weights_dx": weights,
                      "optimum_dx": optimum}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
