"""The benchmarks: every speed, memory and accuracy figure the docs quote, each runnable by name.

    python -m benchmarks --list
    python -m benchmarks NAME [its options]      # e.g. python -m benchmarks inference --repeats 1

Each benchmark prints one JSON document on stdout (progress and the human summary go to stderr) and
writes it to --out where it has one. Run from the checkout: this package is for developers and is
not in the wheel.

Import rules: benchmarks may import kiosk and trainer (and torch, through trainer); nothing in kiosk or
trainer imports benchmarks. Heavy imports stay inside functions, so --list and --help are instant.
"""
