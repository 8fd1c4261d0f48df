"""``python -m benchmarks [options]`` is ``lamp bench [options]``; the suites live in lamp_core/bench."""

import sys

from lamp_core.cli import main

if __name__ == "__main__":
    sys.exit(main(["bench", *sys.argv[1:]]))
