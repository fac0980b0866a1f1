"""Benchmarks that print figures: `python -m aeviz.bench train | quality | ui`."""
