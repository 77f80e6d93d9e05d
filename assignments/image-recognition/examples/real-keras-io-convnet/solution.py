"""Adapted from keras-team/keras-io, examples/vision/mnist_convnet.py ("Simple MNIST convnet", the
official Keras example: Conv2D 32 and 64 with max-pooling, Flatten, Dropout(0.5), softmax; Adam,
batch size 128, 15 epochs, validation_split=0.1).

Adapted only the interface: the model is built and trained inside build_and_train on the digits given
(already scaled to [0, 1] with shape (n, 28, 28, 1), as the example makes them) and returned; the
example's evaluation on MNIST's test set is dropped. Kept: model.summary(), the one-hot labels, the
fit settings and its default progress output; the example sets no random seed.
"""

from tensorflow import keras
from tensorflow.keras import layers

num_classes = 10
input_shape = (28, 28, 1)


def build_and_train(x_train, y_train):
    y_train = keras.utils.to_categorical(y_train, num_classes)
    model = keras.Sequential(
        [
            keras.Input(shape=input_shape),
            layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(num_classes, activation="softmax"),
        ]
    )
    model.summary()

    batch_size = 128
    epochs = 15
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, validation_split=0.1)
    return model
