"""``python -m platform_constructs.local [--app DIR] [--env dev]``: see :mod:`platform_constructs.local.cli`."""

import sys

from platform_constructs.local.cli import main

sys.exit(main())
