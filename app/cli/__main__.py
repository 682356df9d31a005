"""`python -m app.cli`: the `reassess` command."""

from app.cli import main

raise SystemExit(main())
