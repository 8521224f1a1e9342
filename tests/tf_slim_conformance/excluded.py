"""The only TF-Slim tests the conformance run leaves out, each with its reason.

A test is listed here only if it tests a private TF-Slim helper (slimlib has no such helper
to test) or needs a test-only dependency this project does not install. Keys are pytest node
ids relative to the folder the wheel's test files are extracted to.
"""

EXCLUDED: dict[str, str] = {}
