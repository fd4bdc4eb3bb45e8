"""`python -m feedstation` is the `feedstation` command."""

from feedstation.cli import main

if __name__ == "__main__":
    main()
