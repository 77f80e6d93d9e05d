"""Independent solution: every metric read off one confusion matrix."""

import numpy as np


class Table:
    def __init__(self, truth, guesses):
        truth, guesses = np.asarray(truth), np.asarray(guesses)
        self.labels = sorted(set(truth.tolist()) | set(guesses.tolist()))
        self.index = {label: position for position, label in enumerate(self.labels)}
        size = len(self.labels)
        self.counts = np.zeros((size, size), dtype=np.int64)
        for t, g in zip(truth.tolist(), guesses.tolist(), strict=False):
            self.counts[self.index[t], self.index[g]] += 1

    def column(self, label):
        return self.counts[:, self.index[label]].sum() if label in self.index else 0

    def row(self, label):
        return self.counts[self.index[label], :].sum() if label in self.index else 0

    def hit(self, label):
        return self.counts[self.index[label], self.index[label]] if label in self.index else 0


def accuracy(y_true, y_pred):
    table = Table(y_true, y_pred)
    total = table.counts.sum()
    return float(np.trace(table.counts) / total) if total else 0.0


def precision(y_true, y_pred, pos_label=1):
    table = Table(y_true, y_pred)
    column = table.column(pos_label)
    return float(table.hit(pos_label) / column) if column else 0.0


def recall(y_true, y_pred, pos_label=1):
    table = Table(y_true, y_pred)
    row = table.row(pos_label)
    return float(table.hit(pos_label) / row) if row else 0.0


def f1(y_true, y_pred, pos_label=1):
    table = Table(y_true, y_pred)
    denominator = table.row(pos_label) + table.column(pos_label)
    return float(2 * table.hit(pos_label) / denominator) if denominator else 0.0


def confusion_matrix(y_true, y_pred):
    return Table(y_true, y_pred).counts
