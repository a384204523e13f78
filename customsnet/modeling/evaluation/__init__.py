"""The evaluation stage of the modeling pipeline."""
