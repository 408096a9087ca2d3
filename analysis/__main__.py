import sys

from analysis.cli import main

if __name__ == "__main__":  # guarded: batch worker processes import this module
    sys.exit(main())
