"""`python -m aeviz.probe HOST:PORT`: the health probe of deploy/'s Dask processes.

Under TLS a bare TCP connection makes the scheduler log a failed handshake, a WARNING at every probe;
this one completes the handshake with the cluster's own key (the DASK_DISTRIBUTED__COMM__TLS__CLIENT__*
variables every Dask container has) and leaves. Without those variables, a TCP connection. Exits 0
when the process answers, 1 with the reason when not. It runs every few seconds, so it imports
nothing heavy (not Dask).
"""

from __future__ import annotations

import os
import socket
import ssl
import sys

TLS = "DASK_DISTRIBUTED__COMM__TLS__"


def probe(host: str, port: int, env: dict[str, str] | None = None) -> None:
    """Raises OSError (or KeyError for a half-set TLS environment) when host:port does not answer."""
    env = os.environ if env is None else env
    with socket.create_connection((host, port), timeout=3) as sock:
        if ca := env.get(f"{TLS}CA_FILE"):
            context = ssl.create_default_context(cafile=ca)
            context.check_hostname = False  # the cluster's certificate names no host: its CA is the check
            context.load_cert_chain(env[f"{TLS}CLIENT__CERT"], env[f"{TLS}CLIENT__KEY"])
            with context.wrap_socket(sock):
                pass


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    host, _, port = (args[0] if args else "").rpartition(":")
    if not host or not port.isdigit():
        print("usage: python -m aeviz.probe HOST:PORT", file=sys.stderr)
        return 2
    try:
        probe(host, int(port))
    except (OSError, KeyError) as e:
        print(f"{host}:{port} does not answer: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
