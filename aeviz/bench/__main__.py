import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m aeviz.bench", description=__doc__)
    p.add_argument("which", choices=["train", "quality", "ui", "load", "own", "lectures"])
    p.add_argument("rest", nargs=argparse.REMAINDER)
    a = p.parse_args(argv)
    from importlib import import_module

    return import_module(f"aeviz.bench.{a.which}").main(a.rest)


sys.exit(main())
