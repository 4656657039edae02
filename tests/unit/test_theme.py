"""Tier colours: marks keep Okabe–Ito; text in a tier's colour reaches WCAG AA (4.5:1)."""

import colorsys

import pytest

from reporting.theme import TIER_COLORS, TIER_TEXT_COLORS

PAGE_GREY = "#f6f7f9"  # assets/style.css: the page background and the tables' odd rows


def luminance(hex_colour: str) -> float:
    """WCAG 2.1 relative luminance of an sRGB colour ``#rrggbb``."""
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def hue(hex_colour: str) -> float:
    return colorsys.rgb_to_hls(*(int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)))[0]


def test_contrast_matches_wcag_examples():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the AA grey


@pytest.mark.parametrize("tier", list(TIER_COLORS))
@pytest.mark.parametrize("background", ["#ffffff", PAGE_GREY])
def test_tier_text_reaches_aa_on_white_and_the_page_grey(tier, background):
    assert contrast(TIER_TEXT_COLORS[tier], background) >= 4.5


def test_tier_text_keeps_the_marks_hue():
    assert TIER_COLORS.keys() == TIER_TEXT_COLORS.keys()
    for tier in ("Strategic", "Key"):  # Standard is a grey: no hue to keep
        assert hue(TIER_TEXT_COLORS[tier]) == pytest.approx(hue(TIER_COLORS[tier]), abs=0.02)


def test_marks_stay_okabe_ito():
    assert TIER_COLORS == {"Strategic": "#0072B2", "Key": "#E69F00", "Standard": "#999999"}
