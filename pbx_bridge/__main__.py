import sys

from pbx_bridge.cli.main import main

sys.exit(main())
