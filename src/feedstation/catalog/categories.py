"""RSSHub category keys (`social-media`, ...) → display names in the site's language; `popular` is only a tag."""

from __future__ import annotations

from collections.abc import Sequence

# Key → (zh, en), in RSSHub's documentation order. The zh names are the top categories
# of the reference's tree (DESIGN.md), so placed routes land beside hand-written ones.
CATEGORY_NAMES: dict[str, tuple[str, str]] = {
    "social-media": ("社交媒体", "Social Media"),
    "new-media": ("新媒体", "New Media"),
    "traditional-media": ("传统媒体", "Traditional Media"),
    "bbs": ("论坛", "Forum"),
    "blog": ("博客", "Blog"),
    "programming": ("编程", "Programming"),
    "design": ("设计", "Design"),
    "live": ("直播", "Live"),
    "multimedia": ("音视频", "Multimedia"),
    "picture": ("图片", "Picture"),
    "anime": ("二次元", "ACG"),
    "program-update": ("程序更新", "Program Update"),
    "university": ("大学通知", "University"),
    "forecast": ("预报预警", "Forecast"),
    "travel": ("出行旅游", "Travel"),
    "shopping": ("购物", "Shopping"),
    "game": ("游戏", "Gaming"),
    "reading": ("阅读", "Reading"),
    "government": ("政务消息", "Government"),
    "study": ("学习", "Study"),
    "journal": ("科学期刊", "Scientific Journal"),
    "finance": ("金融", "Finance"),
    "sport": ("体育", "Sport"),
    "other": ("其他", "Other"),
}
OTHER = "other"
# RSSHub marks its most-used routes `popular` *in addition to* their real category,
# so it never says where a route belongs.
TAGS = frozenset({"popular"})


def primary_category(categories: Sequence[str]) -> str:
    """The first real category key; `other` when there is none (only tags, or nothing)."""
    for key in categories:
        if key not in TAGS:
            return key
    return OTHER


def category_name(key: str, language: str = "zh-CN") -> str:
    """Display name of a category key; a key RSSHub adds later keeps its id (`esports`), not 其他."""
    if key not in CATEGORY_NAMES:
        return key
    zh, en = CATEGORY_NAMES[key]
    return zh if language.lower().startswith("zh") else en


def route_category_name(categories: Sequence[str], language: str = "zh-CN") -> str:
    return category_name(primary_category(categories), language)
