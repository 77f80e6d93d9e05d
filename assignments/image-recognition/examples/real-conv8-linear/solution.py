"""Adapted from matteosan1/finance_course, financial_markets_lectures/code/machine_learning_cnn.py (a
lecture's minimal CNN: Conv2D(8, 3) with no activation, MaxPooling2D(2), Flatten, Dense(10, softmax);
Adam, categorical cross-entropy on one-hot labels, 5 epochs, verbose=1).

Adapted only the interface: the layers are those of the lecture, with keras.Input((28, 28, 1)) in
front instead of Conv2D's input_shape= argument; it trains on the digits given, with the lecture's
to_categorical labels, and returns the model. The lecture trains on the mnist package's raw 0-255
pixels; the digits given here are already in [0, 1].
"""

import keras
from keras.layers import Conv2D, Dense, Flatten, MaxPooling2D
from keras.models import Sequential
from keras.utils import to_categorical


def build_and_train(train_images, train_labels):
    model = Sequential()
    model.add(keras.Input((28, 28, 1)))
    model.add(Conv2D(8, kernel_size=3))
    model.add(MaxPooling2D(pool_size=2))
    model.add(Flatten())
    model.add(Dense(10, activation="softmax"))

    model.compile(loss='categorical_crossentropy', optimizer='adam')
    model.fit(train_images, to_categorical(train_labels), epochs=5, verbose=1)
    return model
