"""The one piece of `nose` that TF-Slim's evaluation_test imports: `nose.tools.nottest`.

nose is a test-only dependency of that file (and does not import on Python 3.11); the
decorator only marks a helper whose name starts with "Test" as not a test.
"""
