"""The moderation workflow: a post's life (states and who may move it), posting, scoring
jobs, review queues, decisions, reports and queue health. Knows `models`, never HTTP."""
