"""``python -m benchmarks`` (or ``make bench``) runs ``lamp bench``; the suites live in lamp_core/bench."""
