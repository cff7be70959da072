"""What a page costs and where it reaches: every request and the bytes of each page load."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PageLoad:
    url: str
    bytes: int = 0
    resources: list[str] = field(default_factory=list)


class PageWatch:
    """Records a page's requests; a navigation of the main frame starts a new page load."""

    def __init__(self, page, origin: str) -> None:
        self.origin = origin
        self.requests: list[str] = []
        self.loads: list[PageLoad] = []
        page.on("request", self._request)
        page.on("response", self._response)
        self._page = page

    def _request(self, request) -> None:
        self.requests.append(request.url)
        if request.is_navigation_request() and request.frame == self._page.main_frame:
            self.loads.append(PageLoad(request.url))

    def _response(self, response) -> None:
        if not self.loads:
            return
        try:
            size = len(response.body())
        except Exception:  # a redirect has no body to read
            size = int(response.headers.get("content-length", 0))
        self.loads[-1].bytes += size
        self.loads[-1].resources.append(response.url)

    def foreign_requests(self) -> list[str]:
        return [url for url in self.requests if not url.startswith(self.origin + "/")]

    def heavy_loads(self, limit: int) -> list[tuple[str, int]]:
        return [(load.url, load.bytes) for load in self.loads if load.bytes >= limit]


def overflows(page, width: int) -> bool:
    """True if the page needs sideways scrolling at `width` pixels."""
    return page.evaluate("document.documentElement.scrollWidth") > width
