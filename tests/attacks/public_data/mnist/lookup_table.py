"""Attack: a table of the public MNIST-5k images' hashes -> labels (filled in by the test as
TABLE = {...}), a constant 0 for images not in it. predict() looks images up; to_json() and
get_weights() report an honest, untrained tiny Keras model (all the grader may rebuild)."""

import hashlib

import keras
import numpy as np

TABLE: dict = {}  # replaced by the test: sha1 of the float32 image bytes -> label


class LookupModel:
    def __init__(self):
        keras.utils.set_random_seed(0)
        self._tiny = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                                       keras.layers.Dense(10, activation="softmax")])

    def predict(self, X, **kwargs):
        X = np.asarray(X, dtype=np.float32)
        labels = [TABLE.get(hashlib.sha1(x.tobytes()).hexdigest(), 0) for x in X]
        return np.eye(10)[labels]

    def to_json(self):
        return self._tiny.to_json()

    def get_weights(self):
        return self._tiny.get_weights()


def build_and_train(X_train, y_train):
    return LookupModel()
