"""Moderation: decides what happens to each new post and edit. Knows nothing of HTTP."""
