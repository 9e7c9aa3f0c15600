"""Benchmarks: scripts that print tables. Run with ``tongxin bench`` or ``make bench``."""
