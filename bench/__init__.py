"""Benchmarks of Agora's hot paths: `make bench` prints figures, asserts nothing."""
