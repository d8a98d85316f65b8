#!/usr/bin/env python
"""Django's manage.py; the installed `virtualtrip` command does the same."""

from virtualtrip.cli import main

if __name__ == "__main__":
    main()
