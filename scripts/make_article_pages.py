"""Write tests/fixtures/articles: each known article (scripts/article_texts.py) inside a realistic page.

The pages carry what real article pages carry around the text: a navigation bar, a cookie banner,
ads between paragraphs, share buttons, an author box, "related" and "most read" lists, a comment
section with several comments, a newsletter box and a footer. Six layouts in turn (a news site, a
blog, a Chinese portal, a magazine, an older
portal with <br>-separated paragraphs and a related box inside the text, a long-form page with each
paragraph in its own block and "read more" and newsletter boxes between them). Next to each `<slug>.html` goes `<slug>.txt`, the article's own
paragraphs, which an extractor should return and nothing else.

Run: python3 scripts/make_article_pages.py   (the output is committed; re-running rewrites the same bytes)
"""

from __future__ import annotations

import html
from pathlib import Path

from article_texts import ARTICLES

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "articles"

NAV = {
    "en": ["Home", "World", "Business", "Technology", "Science", "Culture", "Sport", "Opinion", "Podcasts", "Subscribe"],
    "zh": ["首页", "国内", "国际", "财经", "科技", "汽车", "房产", "教育", "健康", "视频", "登录"],
}
RELATED = {
    "en": ["Ten gadgets that will change your kitchen this year", "Why everyone is suddenly talking about pickles",
           "The best walking routes within an hour of the city", "Council announces new bin collection days",
           "Readers' photos: autumn colours in the park"],
    "zh": ["这十种家电今年最值得买", "入秋后这几种水果千万别错过", "周末去哪儿：城郊十条徒步路线推荐",
           "本周天气：冷空气来袭，注意添衣", "网友热议：年轻人为什么爱上了逛菜市场"],
}
COMMENTS = {
    "en": [("Margaret_P", "Great piece, we need more reporting like this. Shared it with my book club."),
           ("dave1974", "I've been saying this for years and nobody listened. Glad someone finally wrote it up."),
           ("NorthernLights", "Does anyone know whether the same thing is happening in other countries?"),
           ("k.osei", "The third paragraph is spot on. The rest I'm not so sure about, honestly.")],
    "zh": [("北京网友", "写得很实在，希望相关部门能看到。"), ("小鱼儿2019", "我们那边也是一样的情况，什么时候能改善啊"),
           ("老张说事", "支持！转发给家里人看看。"), ("匿名用户", "说得轻巧，实际操作起来哪有那么容易，还是要看落实。")],
}
ADS = {
    "en": "ADVERTISEMENT — Save 40% on your first year of premium membership. Cancel any time. Offer ends Sunday.",
    "zh": "广告 限时特惠：新用户首单立减五十元，点击领取优惠券，数量有限先到先得！",
}
FOOTER = {
    "en": "© 2026 The Daily Courier Ltd. All rights reserved. About us · Contact · Careers · Privacy policy · "
          "Cookie settings · Terms of use · Advertise with us",
    "zh": "版权所有 © 2026 本网站 未经授权禁止转载 关于我们 联系我们 广告服务 隐私政策 违法和不良信息举报电话：12345678 "
          "京ICP备00000000号",
}
WORDS = {
    "en": {"related": "Related stories", "comments": "Comments", "most_read": "Most read", "share": "Share",
           "by": "By", "editor": "Edited by", "cookie": "We use cookies to improve your experience. By continuing "
           "to browse you agree to our use of cookies. Accept all · Manage preferences",
           "newsletter": "Get our morning briefing in your inbox every day. Enter your email address to sign up.",
           "author": "Sam Carter is a staff reporter covering cities, transport and the environment."},
    "zh": {"related": "相关阅读", "comments": "网友评论", "most_read": "热门推荐", "share": "分享到",
           "by": "作者", "editor": "责任编辑", "cookie": "本站使用 Cookie 以提升浏览体验，继续浏览即表示您同意我们使用 Cookie。",
           "newsletter": "关注我们的公众号，每天早上八点推送最新资讯。扫描二维码即可订阅。",
           "author": "本文作者为本报记者，长期关注城市民生与社会话题。"},
}


def paragraphs_html(article: dict, ad_every: int) -> str:
    lang = article["lang"]
    out = []
    for n, text in enumerate(article["paragraphs"], 1):
        out.append(f"      <p>{html.escape(text)}</p>")
        if n % ad_every == 0 and n < len(article["paragraphs"]):
            out.append(f'      <div class="ad-slot ad-inline"><span>{ADS[lang]}</span></div>')
    return "\n".join(out)


def related(lang: str, tag: str = "li") -> str:
    return "\n".join(f'        <{tag}><a href="/news/{n}.html">{html.escape(t)}</a></{tag}>'
                     for n, t in enumerate(RELATED[lang], 100))


def comments(lang: str) -> str:
    return "\n".join(f'      <div class="comment"><span class="user">{html.escape(u)}</span>'
                     f'<p class="comment-text">{html.escape(t)}</p><span class="reply">回复</span></div>'
                     if lang == "zh" else
                     f'      <div class="comment"><span class="user">{html.escape(u)}</span>'
                     f'<p class="comment-text">{html.escape(t)}</p><a class="reply" href="#">Reply</a></div>'
                     for u, t in COMMENTS[lang])


def head(article: dict, image: str) -> str:
    title = html.escape(article["title"])
    return f"""<!DOCTYPE html>
<html lang="{'zh-CN' if article['lang'] == 'zh' else 'en'}">
<head>
  <meta charset="utf-8">
  <title>{title}</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta property="og:title" content="{title}">
  <meta property="og:type" content="article">
  <meta property="og:image" content="{image}">
  <link rel="stylesheet" href="/static/site.css">
  <script>window.dataLayer = window.dataLayer || []; function gtag(){{dataLayer.push(arguments);}}</script>
  <script src="/static/ads.js" async></script>
</head>"""


def news_site(article: dict) -> str:
    lang, w = article["lang"], WORDS[article["lang"]]
    nav = "\n".join(f'      <li><a href="/{n}">{item}</a></li>' for n, item in enumerate(NAV[lang]))
    return f"""{head(article, f"https://static.example.com/img/{article['slug']}-lead.jpg")}
<body>
  <div class="cookie-banner">{w['cookie']}</div>
  <header class="site-header">
    <a class="logo" href="/">The Daily Courier</a>
    <nav><ul>
{nav}
    </ul></nav>
  </header>
  <div class="breadcrumb"><a href="/">{NAV[lang][0]}</a> › <a href="/3">{NAV[lang][3]}</a></div>
  <main>
    <article>
      <h1>{html.escape(article['title'])}</h1>
      <div class="byline">{w['by']} Sam Carter · 2026-11-20 08:30</div>
      <div class="share-bar">{w['share']}: <a href="#">Weibo</a> <a href="#">WeChat</a> <a href="#">X</a></div>
      <figure><img src="/img/{article['slug']}-lead.jpg" alt=""><figcaption>Photo: agency</figcaption></figure>
{paragraphs_html(article, 2)}
      <div class="author-box">{w['author']}</div>
    </article>
    <section class="related"><h2>{w['related']}</h2><ul>
{related(lang)}
    </ul></section>
    <section class="comments"><h2>{w['comments']} (4)</h2>
{comments(lang)}
    </section>
  </main>
  <aside class="sidebar"><h3>{w['most_read']}</h3><ol>
{related(lang)}
  </ol><div class="ad-slot">{ADS[lang]}</div></aside>
  <footer>{FOOTER[lang]}</footer>
</body>
</html>
"""


def blog(article: dict) -> str:
    lang, w = article["lang"], WORDS[article["lang"]]
    tags = " ".join(f'<a class="tag" href="/tag/{t}">{t}</a>' for t in NAV[lang][1:8])
    return f"""{head(article, f"https://blog.example.org/uploads/{article['slug']}.png")}
<body class="blog">
  <div id="top-bar"><a href="/">my notebook</a> | <a href="/archive">archive</a> | <a href="/about">about</a> | <a href="/feed.xml">RSS</a></div>
  <div id="wrapper">
    <div id="sidebar">
      <div class="widget"><h4>Tags</h4>{tags}</div>
      <div class="widget"><h4>{w['most_read']}</h4><ul>
{related(lang)}
      </ul></div>
      <div class="widget newsletter"><p>{w['newsletter']}</p><form><input type="email"><button>OK</button></form></div>
    </div>
    <div id="main-column">
      <div class="post">
        <h2 class="post-title">{html.escape(article['title'])}</h2>
        <div class="post-meta">2026-11-18 · 3 {w['comments']}</div>
        <div class="post-body">
{paragraphs_html(article, 10)}
        </div>
        <div class="post-footer">{w['share']}: <a href="#">link</a> · <a href="#">mail</a></div>
      </div>
      <div id="comments"><h3>{w['comments']}</h3>
{comments(lang)}
        <form class="comment-form"><textarea></textarea><button>Post</button></form>
      </div>
    </div>
  </div>
  <div id="footer">{FOOTER[lang]}</div>
</body>
</html>
"""


def portal(article: dict) -> str:
    lang, w = article["lang"], WORDS[article["lang"]]
    nav = " ".join(f'<a href="/c/{n}">{item}</a>' for n, item in enumerate(NAV[lang]))
    return f"""{head(article, f"//img.example.cn/{article['slug']}/cover.jpg")}
<body>
  <div class="topbar">{nav} <a href="/app">下载客户端 / Get the app</a></div>
  <div class="ad-banner">{ADS[lang]}</div>
  <div class="container">
    <div class="main">
      <div class="article-title"><h1>{html.escape(article['title'])}</h1></div>
      <div class="article-info"><span>来源：本报</span> <span>2026-11-19 10:12</span> <span>阅读 12,345</span></div>
      <div id="content" class="article-content">
{paragraphs_html(article, 3)}
      </div>
      <div class="editor">（{w['editor']}：王小明）</div>
      <div class="share">{w['share']}：<a href="#">微信</a> <a href="#">微博</a> <a href="#">QQ空间</a></div>
      <div class="hot-comments"><h3>{w['comments']}</h3>
{comments(lang)}
      </div>
    </div>
    <div class="side">
      <div class="box"><h3>{w['most_read']}</h3><ul>
{related(lang)}
      </ul></div>
      <div class="box"><h3>{w['related']}</h3><ul>
{related(lang)}
      </ul></div>
      <div class="ad-slot">{ADS[lang]}</div>
    </div>
  </div>
  <div class="footer">{FOOTER[lang]}</div>
</body>
</html>
"""


def magazine(article: dict) -> str:
    lang, w = article["lang"], WORDS[article["lang"]]
    nav = "\n".join(f'    <a class="nav-item" href="/s/{n}">{item}</a>' for n, item in enumerate(NAV[lang]))
    paras = article["paragraphs"]
    first, rest = paras[:2], paras[2:]
    part1 = "\n".join(f"        <p>{html.escape(p)}</p>" for p in first)
    part2 = "\n".join(f"        <p>{html.escape(p)}</p>" for p in rest)
    return f"""{head(article, f"https://cdn.example.net/mag/{article['slug']}/hero.webp")}
<body>
  <div class="consent">{w['cookie']}</div>
  <nav class="masthead">
{nav}
  </nav>
  <div class="page">
    <div class="hero"><h1 class="headline">{html.escape(article['title'])}</h1>
      <p class="dek">{w['by']} Sam Carter</p></div>
    <div class="story">
      <section class="story-body">
{part1}
        <aside class="inline-newsletter"><p>{w['newsletter']}</p></aside>
{part2}
      </section>
      <div class="story-tags">{' '.join(NAV[lang][2:6])}</div>
    </div>
    <section class="more-from"><h2>{w['related']}</h2>
{related(lang, 'div')}
    </section>
    <section class="discussion"><h2>{w['comments']}</h2>
{comments(lang)}
    </section>
  </div>
  <footer class="site-footer">{FOOTER[lang]}</footer>
</body>
</html>
"""


def gov_portal(article: dict) -> str:
    """An older Chinese portal: no <p>, paragraphs split by <br> and indented with full-width spaces,
    a "相关新闻" box and a print/close bar inside the text's own container."""
    lang, w = article["lang"], WORDS[article["lang"]]
    body = "<br><br>\n".join(f"　　{html.escape(p)}" for p in article["paragraphs"])
    links = "".join(f'<a href="/n/{n}.shtml">{html.escape(t)}</a><br>' for n, t in enumerate(RELATED[lang], 7))
    nav = " | ".join(f'<a href="/l/{n}">{item}</a>' for n, item in enumerate(NAV[lang]))
    return f"""{head(article, f"/uploads/{article['slug']}/title.jpg")}
<body>
<table width="100%" class="top"><tr><td>{nav}</td><td align="right"><a href="/search">{w['share']}</a></td></tr></table>
<table width="980" align="center"><tr>
<td width="700" valign="top">
  <div class="crumb">{NAV[lang][0]} &gt; {NAV[lang][1]} &gt; 正文 / Article</div>
  <div class="title">{html.escape(article['title'])}</div>
  <div class="info">2026-11-19 来源：本网 【字体：大 中 小】 【打印】 【关闭】</div>
  <div class="TRS_Editor">
{body}
    <div class="xgxw"><b>{w['related']}</b><br>{links}</div>
    <div class="tools">【打印本页】 【关闭窗口】 【返回顶部】</div>
  </div>
</td>
<td width="260" valign="top" class="right">
  <div class="box"><b>{w['most_read']}</b><br>{links}</div>
  <div class="ad-slot">{ADS[lang]}</div>
</td></tr></table>
<div class="bottom">{FOOTER[lang]}</div>
</body>
</html>
"""


def longform(article: dict) -> str:
    """A long-form layout: each paragraph in its own nested block, a pull quote, "Read more" lines and a
    newsletter box inside the story container, and a recommendations rail after it."""
    lang, w = article["lang"], WORDS[article["lang"]]
    paras = article["paragraphs"]
    blocks = []
    for n, text in enumerate(paras):
        blocks.append(f'        <div class="block block--text"><div class="block__inner"><p>{html.escape(text)}</p></div></div>')
        if n == 1:
            blocks.append(f'        <div class="block block--read-more"><p><strong>Read more:</strong> '
                          f'<a href="/news/200.html">{html.escape(RELATED[lang][0])}</a></p></div>')
        if n == 2:
            blocks.append(f'        <div class="block block--newsletter"><p>{w["newsletter"]}</p>'
                          '<form><input type="email"><button>Sign up</button></form></div>')
    story = "\n".join(blocks)
    recs = "\n".join(f'      <a class="card" href="/news/{n}.html"><span class="kicker">{NAV[lang][n % 5 + 1]}</span>'
                     f'<span class="headline">{html.escape(t)}</span></a>' for n, t in enumerate(RELATED[lang]))
    return f"""{head(article, f"https://media.example.com/longform/{article['slug']}.jpg")}
<body>
  <a class="skip" href="#story">Skip to content</a>
  <header><div class="brand">The Long Read</div><button class="menu">Menu</button></header>
  <div id="story" class="story-container" data-template="longform">
    <div class="story-header"><h1>{html.escape(article['title'])}</h1>
      <div class="meta"><span>{w['by']} Sam Carter</span> <time>20 November 2026</time> <span>8 min read</span></div>
    </div>
    <div class="story-body">
{story}
    </div>
    <div class="story-share">{w['share']}: <a href="#">Facebook</a> <a href="#">X</a> <a href="#">Email</a> <a href="#">Copy link</a></div>
  </div>
  <section class="recommendations"><h2>{w['most_read']}</h2>
{recs}
  </section>
  <section class="comments"><h2>{w['comments']}</h2>
{comments(lang)}
  </section>
  <footer>{FOOTER[lang]}</footer>
</body>
</html>
"""


LAYOUTS = (news_site, blog, portal, magazine, gov_portal, longform)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for n, article in enumerate(ARTICLES):
        page = LAYOUTS[n % len(LAYOUTS)](article)
        (OUT / f"{article['slug']}.html").write_text(page, encoding="utf-8")
        (OUT / f"{article['slug']}.txt").write_text("\n\n".join(article["paragraphs"]) + "\n", encoding="utf-8")
    print(f"wrote {len(ARTICLES)} pages to {OUT}")


if __name__ == "__main__":
    main()
