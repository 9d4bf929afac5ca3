"""Where a post sits in its thread's tree.

Posts are listed depth-first by `path`, the fixed-width ids of their visual ancestors.
Below MAX_DEPTH the tree is flattened: a reply to a post at the deepest level is placed
after it, at the same level, in order of writing, and the page shows "in reply to ...".
Paths therefore stay short (at most MAX_DEPTH + 1 segments) whatever the conversation.
"""

from __future__ import annotations

MAX_DEPTH = 5
SEGMENT = 10  # digits per id: room for ten billion posts


def segment(post_id: int) -> str:
    return f"{post_id:0{SEGMENT}d}"


def place(post_id: int, parent_depth: int | None, parent_path: str | None) -> tuple[int, str]:
    """(depth, path) for a new post; parent None means the thread's first post."""
    if parent_depth is None or parent_path is None:
        return 0, segment(post_id)
    if parent_depth < MAX_DEPTH:
        return parent_depth + 1, parent_path + segment(post_id)
    return MAX_DEPTH, parent_path[:-SEGMENT] + segment(post_id)
