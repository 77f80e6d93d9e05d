"""Independent solution: plain Python loops, no numpy tricks."""


def _pairs(y_true, y_pred):
    return list(zip(list(y_true), list(y_pred), strict=False))


def accuracy(y_true, y_pred):
    pairs = _pairs(y_true, y_pred)
    if not pairs:
        return 0.0
    hits = 0
    for truth, guess in pairs:
        if truth == guess:
            hits += 1
    return hits / len(pairs)


def precision(y_true, y_pred, pos_label=1):
    predicted = 0
    right = 0
    for truth, guess in _pairs(y_true, y_pred):
        if guess == pos_label:
            predicted += 1
            if truth == pos_label:
                right += 1
    return right / predicted if predicted > 0 else 0.0


def recall(y_true, y_pred, pos_label=1):
    actual = 0
    found = 0
    for truth, guess in _pairs(y_true, y_pred):
        if truth == pos_label:
            actual += 1
            if guess == pos_label:
                found += 1
    return found / actual if actual > 0 else 0.0


def f1(y_true, y_pred, pos_label=1):
    p = precision(y_true, y_pred, pos_label)
    r = recall(y_true, y_pred, pos_label)
    if p + r == 0:
        return 0.0
    return 2 * p * r / (p + r)


def confusion_matrix(y_true, y_pred):
    import numpy as np

    labels = sorted(set(list(y_true)) | set(list(y_pred)))
    where = {label: n for n, label in enumerate(labels)}
    table = [[0] * len(labels) for _ in labels]
    for truth, guess in _pairs(y_true, y_pred):
        table[where[truth]][where[guess]] += 1
    return np.array(table, dtype=int)
