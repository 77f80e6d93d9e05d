"""Attack: a 1-nearest-neighbour "model" (3.1 million stored values) that predicts well and reports
ten weights; its configuration claims a Dense softmax layer (7,850 weights), which the 10 do not fit."""

import keras
import numpy as np


class NearestNeighbour:
    def __init__(self, X, y):
        self.X = np.asarray(X, dtype=np.float32).reshape(len(X), -1)
        self.y = np.asarray(y)
        keras.utils.set_random_seed(0)
        self._config = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                                         keras.layers.Dense(10, activation="softmax")]).to_json()

    def predict(self, X, **kwargs):
        Q = np.asarray(X, dtype=np.float32).reshape(len(X), -1)
        d = (Q**2).sum(1)[:, None] - 2 * Q @ self.X.T + (self.X**2).sum(1)[None]
        return np.eye(10)[self.y[np.argmin(d, axis=1)]]

    def to_json(self):
        return self._config

    def get_weights(self):
        return [np.zeros(10, dtype=np.float32)]

    def count_params(self):
        return 10


def build_and_train(X_train, y_train):
    return NearestNeighbour(X_train, y_train)

