"""The product's version, read from the installed distribution: the one value backend and workers compare."""

from importlib.metadata import PackageNotFoundError, version

PACKAGE = "imdb-battlefield"


def product_version() -> str:
    """pyproject's `version` of the installed product ('0+unknown' for a source tree that was never installed)."""
    try:
        return version(PACKAGE)
    except PackageNotFoundError:
        return "0+unknown"
