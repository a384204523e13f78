"""The panel stage of the modeling pipeline."""
