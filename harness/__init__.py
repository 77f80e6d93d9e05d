"""What runs inside the sandbox: the worker and the wire protocol (stdlib + numpy only)."""
