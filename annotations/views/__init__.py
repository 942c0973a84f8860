from annotations.views.browse import outlet_detail, story_detail
from annotations.views.reader import annotation_detail, article_detail, claim_detail

__all__ = [
    "annotation_detail",
    "article_detail",
    "claim_detail",
    "outlet_detail",
    "story_detail",
]
