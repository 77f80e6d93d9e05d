"""Every function raises."""


def accuracy(y_true, y_pred):
    raise RuntimeError("oops")


def precision(y_true, y_pred, pos_label=1):
    raise RuntimeError("oops")


def recall(y_true, y_pred, pos_label=1):
    raise RuntimeError("oops")


def f1(y_true, y_pred, pos_label=1):
    raise RuntimeError("oops")


def confusion_matrix(y_true, y_pred):
    raise RuntimeError("oops")
