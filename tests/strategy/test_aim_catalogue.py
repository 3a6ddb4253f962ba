"""The AIM model versions as data: structure, allowed scores, bands and outcomes (domain.md §7)."""

import pytest

from strategy.aim_catalogue import (
    AIM2,
    AIM3,
    AIM_U12,
    MODEL_VERSIONS,
    Level,
    Method,
    SupervisionLevel,
    current_version,
)


def scores(model, values_by_domain: dict[str, list[int]]) -> dict[str, int]:
    ratings = {factor.code: 0 for factor in model.factors}
    for domain_code, values in values_by_domain.items():
        domain = model.domain(domain_code)
        for factor, value in zip(domain.factors, values, strict=False):
            ratings[factor.code] = value
    return ratings


def test_the_models_have_the_structure_domain_md_describes() -> None:
    assert (AIM2.min_age, AIM2.max_age, len(AIM2.domains)) == (12, 18, 4)
    assert (AIM_U12.min_age, AIM_U12.max_age) == (8, 12)
    assert [len(domain.factors) for domain in AIM_U12.domains] == [5, 5, 5, 5, 5]
    assert AIM_U12.allowed_values == {0, 2, 4}
    assert [domain.label for domain in AIM3.domains] == [
        "Sexual behaviours",
        "Non-sexual behaviours",
        "Developmental",
        "Family and environmental",
        "Self-regulation",
    ]
    assert {factor.kind for factor in AIM2.factors} == {"static", "dynamic"}
    assert {factor.reading for factor in AIM2.factors} == {"concern", "strength"}


@pytest.mark.parametrize("model", MODEL_VERSIONS.values(), ids=lambda model: model.code)
def test_every_factor_has_a_unique_code_within_its_domain_and_a_short_label(model) -> None:
    codes = [factor.code for factor in model.factors]

    assert len(codes) == len(set(codes))
    for domain in model.domains:
        assert domain.code.startswith(f"{model.code}.")
        for number, factor in enumerate(domain.factors, start=1):
            assert factor.code == f"{domain.code}.{number}"
            # Our own short neutral labels, never the manual's item wording.
            assert len(factor.label) <= 50


def test_aim3_factor_codes_read_like_the_brief() -> None:
    assert AIM3.factors[0].code == "AIM3.SB.1"
    assert AIM3.factors[0].label == "Sexual behaviour: nature"


@pytest.mark.parametrize(
    ("values", "total", "band"),
    [
        ([0, 0, 0, 0, 0], 0, "green"),
        ([2, 2, 0, 0, 0], 4, "green"),
        ([2, 2, 2, 0, 0], 6, "amber"),
        ([4, 4, 2, 2, 0], 12, "amber"),
        ([4, 4, 4, 2, 0], 14, "red"),
        ([4, 4, 4, 4, 4], 20, "red"),
    ],
)
def test_aim_under_12s_domain_totals_are_banded_green_amber_red(values, total, band) -> None:
    outcome = AIM_U12.outcome(scores(AIM_U12, {"AIM_U12.FC": values}))

    family = next(score for score in outcome.domains if score.code == "AIM_U12.FC")
    assert (family.total, family.maximum, family.band) == (total, 20, band)
    assert outcome.supervision_level == ""  # the assessor's, from the formulation


def test_every_total_aim_under_12s_can_reach_falls_in_exactly_one_band() -> None:
    for total in range(0, 21, 2):
        assert sum(band.contains(total) for band in AIM_U12.domain_bands) == 1


def test_aim2_bands_and_matrix_cover_every_total_and_every_pair_of_levels() -> None:
    concern_max = sum(1 for f in AIM2.factors if f.reading == "concern") * AIM2.highest_score
    strength_max = sum(1 for f in AIM2.factors if f.reading == "strength") * AIM2.highest_score

    for total in range(concern_max + 1):
        assert sum(band.contains(total) for band in AIM2.concern_bands) == 1
    for total in range(strength_max + 1):
        assert sum(band.contains(total) for band in AIM2.strength_bands) == 1
    assert set(AIM2.matrix) == {(c, s) for c in Level for s in Level}


def test_aim2_high_concern_and_low_strengths_need_high_supervision_and_treatment() -> None:
    ratings = {factor.code: 2 if factor.reading == "concern" else 0 for factor in AIM2.factors}

    outcome = AIM2.outcome(ratings)

    assert (outcome.concern_total, outcome.strength_total) == (20, 0)
    assert (outcome.concern_level, outcome.strength_level) == (Level.HIGH, Level.LOW)
    assert outcome.supervision_level == SupervisionLevel.HIGH
    assert outcome.refer_for_treatment is True


def test_aim2_low_concern_and_high_strengths_need_low_supervision_and_no_referral() -> None:
    ratings = {factor.code: 0 if factor.reading == "concern" else 2 for factor in AIM2.factors}

    outcome = AIM2.outcome(ratings)

    assert (outcome.concern_level, outcome.strength_level) == (Level.LOW, Level.HIGH)
    assert outcome.supervision_level == SupervisionLevel.LOW
    assert outcome.refer_for_treatment is False
    harmful = outcome.domains[0]
    assert (harmful.total, harmful.maximum, harmful.strengths, harmful.strengths_maximum) == (
        0,
        8,
        2,
        2,
    )


def test_aim3_gives_domain_totals_and_no_overall_level() -> None:
    outcome = AIM3.outcome(scores(AIM3, {"AIM3.SB": [2, 1, 0, 1], "AIM3.SR": [1, 1, 1, 1]}))

    totals = {score.code: (score.total, score.maximum, score.band) for score in outcome.domains}
    assert totals["AIM3.SB"] == (4, 8, "")
    assert totals["AIM3.NS"] == (0, 6, "")
    assert totals["AIM3.SR"] == (4, 8, "")
    assert AIM3.method == Method.DOMAIN_PROFILE
    assert (outcome.concern_level, outcome.strength_level, outcome.supervision_level) == (
        "",
        "",
        "",
    )


def test_an_outcome_needs_every_factor_rated() -> None:
    ratings = scores(AIM3, {})
    del ratings["AIM3.SR.4"]

    with pytest.raises(ValueError, match=r"AIM3\.SR\.4"):
        AIM3.outcome(ratings)


def test_a_review_uses_the_current_version_of_the_same_family() -> None:
    assert current_version("AIM3") is AIM3
    assert current_version("AIM2") is AIM2
