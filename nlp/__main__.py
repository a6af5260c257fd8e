"""`python -m nlp classify ...` / `python -m nlp nlp evaluate ...` until the root CLI wires them."""

from nlp.cli import main

if __name__ == "__main__":
    main()
