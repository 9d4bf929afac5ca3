"""The toxicity classifier: scoring (the `MODERATION_MODEL` seam), the Detoxify models, their
training, data, evaluation, calibration and model card. Imports neither Flask nor `models`:
the workflow and the `flask moderation` commands call it, never the reverse."""
