# ruff: noqa
"""Change the network namespace for whoever comes next (its default TTL, a listening socket and
TIME_WAIT connections on loopback), and report what an earlier submission left there."""

import errno, json, os, socket

import numpy as np

PORT = 41234


def _tcp_lines():
    lines = []
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines += open(name).read().splitlines()[1:]
        except OSError:
            pass
    return [line.split()[1:4] for line in lines]


def reconstruct(R, k):
    found = {"before": {"ttl": open("/proc/sys/net/ipv4/ip_default_ttl").read().strip(), "tcp": _tcp_lines()}}
    try:
        with open("/proc/sys/net/ipv4/ip_default_ttl", "w") as fh:
            fh.write("7\n")
        found["ttl_write"] = "written"
    except OSError as exc:
        found["ttl_write"] = errno.errorcode.get(exc.errno, "?")
    try:
        server = socket.socket()
        server.bind(("127.0.0.1", PORT))
        server.listen(4)
        for _ in range(3):
            client = socket.create_connection(("127.0.0.1", PORT))
            conn, _ = server.accept()
            client.close()
            conn.close()
        found["sockets"] = "made"
    except OSError as exc:
        found["sockets"] = errno.errorcode.get(exc.errno, "?")
    raise RuntimeError("ATTACK-RESULT " + json.dumps(found))


class RatingPredictor:
    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        return np.zeros(len(users))
