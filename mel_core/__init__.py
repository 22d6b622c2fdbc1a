"""MEL knowledge base: monitoring, evaluation and learning for poverty-reduction programmes in Vietnam."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("mel-core")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
