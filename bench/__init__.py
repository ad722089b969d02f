"""Scale benchmarks: `python -m bench` (make bench) runs them all and rewrites
docs/performance.md; `python -m bench.<name>` runs one."""
