"""Accurate but too big: a dense network with about 100,000 weights (the budget is 50,000)."""

import keras
import numpy as np


def build_and_train(X_train, y_train):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(128, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(np.asarray(X_train, dtype=np.float32), y_train, epochs=8, batch_size=64, verbose=0)
    return model
