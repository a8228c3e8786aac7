"""axe-core on every page a browser test opens, in the light and the dark colour scheme."""

from axe_playwright_python.sync_playwright import Axe

_AXE = Axe()


def assert_no_axe_violations(page, schemes=("light", "dark")):
    """Run axe on the page as it stands in each colour scheme; fail with axe's report.

    Leaves the page in the light scheme. Running transitions are finished first: axe must
    read the colours of the scheme, not a button half-way from one scheme's colour to the other.
    """
    for scheme in schemes:
        page.emulate_media(color_scheme=scheme)
        page.evaluate("document.getAnimations().forEach((animation) => animation.finish())")
        results = _AXE.run(page)
        assert results.violations_count == 0, f"{page.url} ({scheme}):\n" + results.generate_report()
    page.emulate_media(color_scheme="light")
