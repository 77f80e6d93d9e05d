"""Adapted from jamesphillips24/first-keras, kerasTest.py (a first Keras CNN on MNIST: three 3x3
convolutions of 32, 64 and 64 filters, two max-poolings, Dense(64) and a softmax; Adam, 2 epochs,
batch size 64).

Adapted only the interface: the model is built and trained inside build_and_train on the digits given
(already scaled to [0, 1] and shaped (n, 28, 28, 1), as the script makes them) and returned. The
script's validation_data and evaluation on MNIST's test set are dropped (there is no test set here).
Kept: the architecture, optimizer, epochs, batch size, and fit's default progress output; the
script sets no random seed.
"""

import keras


def build_and_train(X_train, y_train):
    model = keras.Sequential()
    model.add(keras.Input(shape=(28, 28, 1)))

    model.add(keras.layers.Conv2D(32, (3, 3), activation='relu'))
    model.add(keras.layers.MaxPooling2D((2, 2)))

    model.add(keras.layers.Conv2D(64, (3, 3), activation='relu'))
    model.add(keras.layers.MaxPooling2D((2, 2)))

    model.add(keras.layers.Conv2D(64, (3, 3), activation='relu'))

    model.add(keras.layers.Flatten())
    model.add(keras.layers.Dense(64, activation='relu'))
    model.add(keras.layers.Dense(10, activation='softmax'))

    model.compile(optimizer='adam',
                  loss='sparse_categorical_crossentropy',
                  metrics=['accuracy'])

    model.fit(X_train, y_train, epochs=2, batch_size=64)
    return model
