"""Benchmarks: the corpus generator and the runner behind `invoke bench` (python -m bench.run)."""
