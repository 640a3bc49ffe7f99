"""Every public page of the site, found the way a visitor or a search engine would: from the home pages, the
sitemap and the exports, following each link and image on the same host."""

import html
import re
from urllib.parse import urljoin, urlsplit

LINK = re.compile(r"""(?:href|src|srcset)="([^"]+)"|content="((?:/|https?://)[^"]*)\"""")
ABSOLUTE = re.compile(r"""https?://(?:testserver|localhost)[^\s"'<>]*""")  # in JSON, XML and iCalendar
SKIPPED = ("/admin/", "/django-admin/", "/static/")
STARTS = ("/", "/en/", "/sitemap.xml", "/programme.json", "/programme.xml", "/programme.ics", "/robots.txt")


def crawl(client, starts=STARTS, limit=2000):
    """{url: response} for every same-host URL reachable from `starts` with anonymous GETs (redirects followed as
    links, forms not submitted). Of the query-string variants of one path (the programme's filters) only the
    first is fetched: they show the same content, differently filtered."""
    seen, queue, responses, with_query = set(), list(starts), {}, set()
    while queue and len(responses) < limit:
        url = queue.pop(0)
        path = url.split("?")[0]
        if url in seen or ("?" in url and path in with_query):
            continue
        seen.add(url)
        if "?" in url:
            with_query.add(path)
        response = client.get(url)
        responses[url] = response
        if response.status_code in (301, 302, 303, 307, 308):
            queue.append(response["Location"])
            continue
        content_type = response.get("Content-Type", "")
        if not content_type.startswith(("text/", "application/json", "application/xml")):
            continue
        text = response.content.decode(errors="replace")
        links = [html.unescape(attribute or meta) for attribute, meta in LINK.findall(text)]
        if not content_type.startswith("text/calendar"):  # iCalendar folds long lines, cutting addresses
            links += ABSOLUTE.findall(text)
        for link in links:
            for candidate in link.split(","):  # srcset lists "url width" pairs
                target = _same_host_path(urljoin(url, candidate.strip().split(" ")[0]))
                if target and target not in seen and not target.startswith(SKIPPED):
                    queue.append(target)
    return responses


def _same_host_path(url):
    parts = urlsplit(url)
    if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", "testserver", "localhost"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")
