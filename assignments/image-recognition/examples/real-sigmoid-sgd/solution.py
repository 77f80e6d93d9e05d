"""Adapted from SkyWorld117/DianoiaML.jl, 0.3.7/MNIST.py (the Keras comparison script of a Julia
library: Conv2D 16 and 32 without pooling between, one max-pooling, Dense(128), and a Dense(10)
with a *sigmoid* output; categorical cross-entropy, plain "sgd", batch size 128, 15 epochs).

Adapted only the interface: the model is built and trained inside build_and_train on the digits given
(the script trains on np.expand_dims of keras.datasets.mnist's raw 0-255 pixels; the digits here are
in [0, 1] with that shape already) and returned. Kept: the layers, the sigmoid output, the loss,
"sgd", the fit settings and fit's default progress output.
"""

import numpy as np
from tensorflow import keras
from tensorflow.keras import layers


def build_and_train(x_train, y_train):
    model = keras.Sequential()
    model.add(keras.Input(shape=(28, 28, 1)))
    model.add(layers.Conv2D(16, kernel_size=(3, 3), activation="relu"))
    model.add(layers.Conv2D(32, kernel_size=(3, 3), activation="relu"))
    model.add(layers.MaxPooling2D(pool_size=(2, 2)))
    model.add(layers.Flatten())
    model.add(layers.Dense(128, activation="relu"))
    model.add(layers.Dense(10, activation="sigmoid"))

    model.compile(loss="categorical_crossentropy", optimizer="sgd")
    model.fit(np.asarray(x_train), keras.utils.to_categorical(y_train, 10), batch_size=128, epochs=15)
    return model
