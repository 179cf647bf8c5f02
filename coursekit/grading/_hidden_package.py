"""Put in place of a package's ``__init__.py`` in the grading sandbox: the question forbids it."""
raise ImportError(f"{__name__} is not available here: grading hides it from answers to questions that do not allow "
                  "it (NumPy only)")
