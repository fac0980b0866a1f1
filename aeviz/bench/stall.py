"""`python -m aeviz.bench.stall URL SECONDS`: poll a server's health endpoint every 0.1 s, print JSON.

A server whose event loop is held (by the GIL, by a blocking call) answers nothing, not even its
health check, and every student waits. Run in a process of its own, so that the load bench's own
busy event loop is not what is measured. Prints {"polls", "longest_s", "over_1s", "over_0_5s"}.
"""

from __future__ import annotations

import json
import sys
import time
import urllib.request


def poll(url: str, seconds: float, every: float = 0.1) -> dict:
    waits = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        t0 = time.monotonic()
        try:
            with urllib.request.urlopen(url.rstrip("/") + "/_stcore/health", timeout=30) as r:
                r.read()
        except OSError:
            pass  # a refused or reset poll: the wait until it failed still counts
        waits.append(time.monotonic() - t0)
        time.sleep(max(0.0, every - waits[-1]))
    return {
        "polls": len(waits),
        "longest_s": round(max(waits, default=0.0), 3),
        "over_1s": sum(w > 1 for w in waits),
        "over_0_5s": sum(w > 0.5 for w in waits),
    }


if __name__ == "__main__":
    print(json.dumps(poll(sys.argv[1], float(sys.argv[2]))))
