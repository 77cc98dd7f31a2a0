"""cxtrain: gamified customer-centricity training."""

__version__ = "0.1.0"
