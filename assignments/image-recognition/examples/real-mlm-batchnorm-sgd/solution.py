"""Adapted from gabriel-tama/draw-digits, model.py (the well-known "develop a CNN for MNIST" tutorial
model: Conv2D(32, he_uniform) + BatchNormalization + max-pooling, Dense(100, he_uniform) +
BatchNormalization, softmax; SGD(lr=0.01, momentum=0.9), categorical cross-entropy on one-hot labels,
10 epochs of batch 32, verbose=True).

Adapted only the interface: the model is built and trained inside build_and_train on the digits given
(already scaled to [0, 1] with shape (n, 28, 28, 1), as the script makes them) and returned, with
keras.Input in front instead of Conv2D's input_shape= argument; model.save is dropped. Kept: the
layers, the optimizer as written (SGD(lr=0.01, ...), the Keras 2 spelling), the fit settings.
"""

import keras
from keras.layers import BatchNormalization, Conv2D, Dense, Flatten, MaxPooling2D
from keras.models import Sequential
from keras.optimizers import SGD
from keras.utils import to_categorical


def build_and_train(trainX, trainY):
    trainY = to_categorical(trainY)
    model = Sequential()
    model.add(keras.Input((28, 28, 1)))
    model.add(Conv2D(32, (3, 3), activation='relu', kernel_initializer='he_uniform'))
    model.add(BatchNormalization())
    model.add(MaxPooling2D((2, 2)))
    model.add(Flatten())
    model.add(Dense(100, activation='relu', kernel_initializer='he_uniform'))
    model.add(BatchNormalization())
    model.add(Dense(10, activation='softmax'))
    # compile model
    opt = SGD(lr=0.01, momentum=0.9)
    model.compile(optimizer=opt, loss='categorical_crossentropy', metrics=['accuracy'])

    model.fit(trainX, trainY, epochs=10, batch_size=32, verbose=True)
    return model
