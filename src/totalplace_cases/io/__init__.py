"""Reading and writing files: case files and programmes (and later the baseline and register).

The readers here turn files into models and report every problem with file, line and field; they
know nothing of plugins or of the appraisal. :mod:`totalplace_cases.pipeline` puts them
together with the plugin host (``totalplace_cases.load``).
"""
