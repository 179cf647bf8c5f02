"""Put in place of a package's ``__init__.py`` in the grading sandbox: the question forbids it.

Imported under its own name (``coursekit.grading._hidden_package``, e.g. by doctest collection)
it does nothing.
"""
if __name__ != "coursekit.grading._hidden_package":
    raise ImportError(f"{__name__} is not available here: grading hides it from answers to questions that do not "
                      "allow it (NumPy only)")
