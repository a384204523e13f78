"""The estimation stage of the modeling pipeline."""
