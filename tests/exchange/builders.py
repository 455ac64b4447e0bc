"""Export files built by the tests: WXR and Disqus, with whatever oddity is needed."""

from dataclasses import dataclass, field
from xml.sax.saxutils import escape


@dataclass
class C:
    """A WordPress comment for `wxr()`."""

    id: int
    parent: int = 0
    body: str = "A comment."
    author: str = "Guest"
    email: str = "guest@example.org"
    date_gmt: str = "2020-05-01 10:00:00"
    date: str | None = None
    approved: str = "1"
    type: str = ""
    user_id: int = 0
    url: str = ""


@dataclass
class Post:
    id: int
    slug: str
    title: str = "A post"
    comments: list[C] = field(default_factory=list)
    link: str | None = None


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def wxr(
    *posts: Post, version: str = "1.2", blog: str = "https://old.example.org"
) -> str:
    ns = f"http://wordpress.org/export/{version}/"
    items = []
    for post in posts:
        comments = "".join(
            f"""
    <wp:comment>
      <wp:comment_id>{c.id}</wp:comment_id>
      <wp:comment_author>{_cdata(c.author)}</wp:comment_author>
      <wp:comment_author_email>{escape(c.email)}</wp:comment_author_email>
      <wp:comment_author_url>{escape(c.url)}</wp:comment_author_url>
      <wp:comment_date>{c.date or c.date_gmt}</wp:comment_date>
      <wp:comment_date_gmt>{c.date_gmt}</wp:comment_date_gmt>
      <wp:comment_content>{_cdata(c.body)}</wp:comment_content>
      <wp:comment_approved>{c.approved}</wp:comment_approved>
      <wp:comment_type>{c.type}</wp:comment_type>
      <wp:comment_parent>{c.parent}</wp:comment_parent>
      <wp:comment_user_id>{c.user_id}</wp:comment_user_id>
    </wp:comment>"""
            for c in post.comments
        )
        link = post.link or f"{blog}/{post.id}/{post.slug}/"
        items.append(
            f"""
  <item>
    <title>{escape(post.title)}</title>
    <link>{escape(link)}</link>
    <content:encoded>{_cdata("<p>The story.</p>")}</content:encoded>
    <wp:post_id>{post.id}</wp:post_id>
    <wp:post_date>2020-04-30 12:00:00</wp:post_date>
    <wp:post_date_gmt>2020-04-30 10:00:00</wp:post_date_gmt>
    <wp:comment_status>open</wp:comment_status>
    <wp:post_name>{post.slug}</wp:post_name>
    <wp:status>publish</wp:status>
    <wp:post_type>post</wp:post_type>{comments}
  </item>"""
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="{ns}">
<channel>
  <title>Old site</title>
  <link>{blog}</link>
  <wp:wxr_version>{version}</wp:wxr_version>
  <wp:base_site_url>{blog}</wp:base_site_url>
  <wp:base_blog_url>{blog}</wp:base_blog_url>
{"".join(items)}
</channel>
</rss>
"""
