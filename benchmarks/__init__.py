"""Speed and memory benchmarks; run all with ``python -m benchmarks`` (or ``make bench``)."""
