"""Start LaMP Studio: ``python main.py [motion file]`` (same as the ``lamp-studio`` command)."""

import sys

from app.main import main

if __name__ == "__main__":
    sys.exit(main())
