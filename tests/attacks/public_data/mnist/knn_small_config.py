"""Attack: a 1-nearest-neighbour "model" whose reported configuration and weights are a consistent,
untrained tiny Keras model: the counted model is small, but it is not what predict() uses."""

import keras
import numpy as np


class NearestNeighbour:
    def __init__(self, X, y):
        self.X = np.asarray(X, dtype=np.float32).reshape(len(X), -1)
        self.y = np.asarray(y)
        keras.utils.set_random_seed(0)
        self._tiny = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                                       keras.layers.Dense(10, activation="softmax")])

    def predict(self, X, **kwargs):
        Q = np.asarray(X, dtype=np.float32).reshape(len(X), -1)
        d = (Q**2).sum(1)[:, None] - 2 * Q @ self.X.T + (self.X**2).sum(1)[None]
        return np.eye(10)[self.y[np.argmin(d, axis=1)]]

    def to_json(self):
        return self._tiny.to_json()

    def get_weights(self):
        return self._tiny.get_weights()


def build_and_train(X_train, y_train):
    return NearestNeighbour(X_train, y_train)
