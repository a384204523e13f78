"""The design stage of the modeling pipeline."""
