"""The retraining's tests: a package, so that its conftest.py is not taken for tests/conftest.py (the tests here
and elsewhere import PROJECT_ROOT `from conftest`)."""
