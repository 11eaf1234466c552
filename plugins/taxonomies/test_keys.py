import unicodedata

import pytest

from plugins.taxonomies.keys import campaign_key, preferred_spelling


@pytest.mark.parametrize(
    "spelling",
    [
        "Cả nước chung tay vì người nghèo - không để ai bị bỏ lại phía sau",
        "Cả nước chung tay vì người nghèo, không để ai bị bỏ lại phía sau",
        "“Cả nước chung tay vì người nghèo – không để ai bị bỏ lại phía sau”",
        "cả nước chung tay vì người nghèo không để ai bị bỏ lại phía sau",
        unicodedata.normalize("NFD", "Cả nước chung tay vì người nghèo — Không để ai bị bỏ lại phía sau"),
    ],
)
def test_campaign_written_with_comma_dash_quotes_or_nfd_is_one_campaign(spelling):
    assert campaign_key(spelling) == "cả nước chung tay vì người nghèo không để ai bị bỏ lại phía sau"


def test_tone_placement_does_not_split_a_campaign():
    assert campaign_key("Toàn dân đoàn kết xây dựng đời sống văn hoá") == campaign_key(
        "Toàn dân đoàn kết xây dựng đời sống văn hóa"
    )


def test_different_campaigns_stay_apart():
    assert campaign_key("Cả nước chung sức xây dựng nông thôn mới") != campaign_key("Cả nước chung tay vì người nghèo")


def test_preferred_spelling_is_the_most_used_then_alphabetical():
    assert preferred_spelling(["B", "A", "B"]) == "B"
    assert preferred_spelling(["B", "A"]) == "A"
