"""Scale benchmarks: `python -m bench.<name>`."""
