"""Whether a page fits a phone's width without sideways scrolling.

The width is measured once the page has loaded: measured earlier, before a stylesheet has
arrived, a page lays out unstyled and can look wider than it is."""


def fits(page) -> bool:
    page.wait_for_load_state("load")
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def wide_elements(page) -> list[str]:
    """Name what sticks out past the right edge, to say why a page does not fit."""
    return page.evaluate("""() => {
        const width = document.documentElement.clientWidth;
        const clipped = (e) => { for (let p = e.parentElement; p; p = p.parentElement) {
            if (getComputedStyle(p).overflowX !== 'visible') return true; } return false; };
        return [...document.querySelectorAll('body *')]
          .filter(e => e.getBoundingClientRect().right > width + 1 && !clipped(e))
          .map(e => e.tagName + '#' + e.id + '.' + e.className
                    + ' ' + Math.round(e.getBoundingClientRect().right)).slice(0, 10); }""")


def assert_fits(page) -> None:
    assert fits(page), f"{page.url} scrolls sideways: {wide_elements(page)}"
