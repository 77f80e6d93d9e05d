"""Attack: hand-written configurations the trusted side must refuse without harm, one per call
(the test picks one through the module's CHOICE, replaced when it writes the file):
huge Dense (10**9 units) with tiny weights, a TFSMLayer that loads a file, a function in the
config, a JSON nesting bomb, and a to_json() that is not a string."""

import json

import numpy as np

CHOICE = "huge"


def _layer(cls, module="keras.layers", **config):
    return {"module": module, "class_name": cls, "config": config, "registered_name": None}


def _sequential(*layers):
    first = _layer("InputLayer", batch_shape=[None, 28, 28, 1], dtype="float32", name="input")
    return {"module": "keras", "class_name": "Sequential", "registered_name": None,
            "config": {"name": "s", "layers": [first, *layers]}}


CONFIGS = {
    "huge": _sequential(_layer("Flatten"), _layer("Dense", units=10**9), _layer("Dense", units=10)),
    "tfsm": _sequential(_layer("TFSMLayer", filepath="/etc", call_endpoint="serve"), _layer("Dense", units=10)),
    "function": _sequential(_layer("Flatten"), _layer("Dense", units=10, activation={
        "module": "builtins", "class_name": "function", "config": "exec", "registered_name": "function"})),
    "bomb": _sequential(_layer("Flatten"), _layer("Dense", units=10, name="[" * 100_000)),
}


class Forged:
    def to_json(self):
        if CHOICE == "not-a-string":
            return ["not", "a", "string"]
        if CHOICE == "bomb":
            return '{"a": ' * 50_000 + "1" + "}" * 50_000
        return json.dumps(CONFIGS[CHOICE])

    def get_weights(self):
        return [np.zeros((784, 10), np.float32), np.zeros(10, np.float32)]

    def predict(self, X, **kwargs):
        return np.eye(10)[np.zeros(len(X), dtype=int)]


def build_and_train(X_train, y_train):
    return Forged()
