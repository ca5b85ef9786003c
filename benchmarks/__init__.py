"""Benchmarks: each prints its figures side by side with a baseline from the same run (see README.md)."""
