"""`nose.tools.nottest` for the conformance run (see nose/__init__.py)."""


def nottest(function):
    """Marks `function` as not a test, as nose's decorator does (pytest honours `__test__`)."""
    function.__test__ = False
    return function
