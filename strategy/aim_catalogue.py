"""The AIM model versions as data (domain.md §7): domains, factors, the scores each factor may
take, the bands, and how each model turns scores into an outcome.

Why a data module and not a fixture: the scoring rules are behaviour, so they are reviewed and
tested with the code, and every environment (tests, the demo, production) has exactly the same
catalogue with no loading step to forget or drift. Assessments store the version code and each
factor's code, so a published version is never changed: a corrected or new edition is a new
``ModelVersion`` with its own code (in the same family, so reviews still link across it).

Codes and our own short, neutral labels only. The AIM manuals' item wording is proprietary and
is never copied here (domain.md §7). The factor lists are our own outline of each model's
domains, taken from the public summaries in domain.md §7; before live use they must be mapped
to the licensed manual's items, and the licence to publish any AIM structure confirmed
(domain.md §10).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db import models


class Level(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class SupervisionLevel(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class Reading(StrEnum):
    """Whether a higher score means more concern or more strength (AIM2)."""

    CONCERN = "concern"
    STRENGTH = "strength"


class FactorKind(StrEnum):
    STATIC = "static"  # history: cannot change
    DYNAMIC = "dynamic"  # present circumstances: can change with work


class Method(StrEnum):
    # AIM2: concern and strength totals, each banded, read together in a matrix.
    CONCERN_STRENGTH_MATRIX = "concern_strength_matrix"
    # AIM Under 12s: each domain's total banded green, amber or red.
    DOMAIN_BANDS = "domain_bands"
    # AIM3: each domain's total, a profile with no overall low, medium or high.
    DOMAIN_PROFILE = "domain_profile"


@dataclass(frozen=True)
class Score:
    value: int
    label: str


@dataclass(frozen=True)
class Band:
    code: str
    label: str
    lowest: int
    highest: int

    def contains(self, total: int) -> bool:
        return self.lowest <= total <= self.highest


@dataclass(frozen=True)
class Factor:
    code: str
    label: str
    reading: Reading = Reading.CONCERN
    kind: FactorKind | None = None


@dataclass(frozen=True)
class Domain:
    code: str
    label: str
    factors: tuple[Factor, ...]


@dataclass(frozen=True)
class MatrixCell:
    supervision: SupervisionLevel
    refer_for_treatment: bool


@dataclass(frozen=True)
class DomainScore:
    """One domain's total in an outcome. For AIM2 the total counts concerns, and the
    strengths are counted separately."""

    code: str
    label: str
    total: int
    maximum: int
    band: str = ""
    band_label: str = ""
    strengths: int | None = None
    strengths_maximum: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label": self.label,
            "total": self.total,
            "maximum": self.maximum,
            "band": self.band,
            "band_label": self.band_label,
            "strengths": self.strengths,
            "strengths_maximum": self.strengths_maximum,
        }


@dataclass(frozen=True)
class Outcome:
    """What the scores say. ``supervision_level`` is set only where the model itself gives one
    (AIM2's matrix); elsewhere the assessor chooses it from the formulation."""

    domains: tuple[DomainScore, ...]
    concern_total: int | None = None
    strength_total: int | None = None
    concern_level: str = ""
    strength_level: str = ""
    supervision_level: str = ""
    refer_for_treatment: bool | None = None

    @property
    def concern_level_label(self) -> str:
        return Level(self.concern_level).label if self.concern_level else ""

    @property
    def strength_level_label(self) -> str:
        return Level(self.strength_level).label if self.strength_level else ""

    @property
    def supervision_level_label(self) -> str:
        return SupervisionLevel(self.supervision_level).label if self.supervision_level else ""


def _band(bands: tuple[Band, ...], total: int) -> Band:
    for band in bands:
        if band.contains(total):
            return band
    raise ValueError(f"No band holds the total {total}")


@dataclass(frozen=True)
class ModelVersion:
    code: str
    family: str
    label: str
    edition: str
    min_age: int
    max_age: int
    method: Method
    scores: tuple[Score, ...]
    domains: tuple[Domain, ...]
    domain_bands: tuple[Band, ...] = ()
    concern_bands: tuple[Band, ...] = ()
    strength_bands: tuple[Band, ...] = ()
    matrix: Mapping[tuple[str, str], MatrixCell] = field(default_factory=dict)
    # Shown wherever the outcome is: what a reader must know about how it was reached.
    scoring_note: str = ""

    def __str__(self) -> str:
        return self.label

    @property
    def factors(self) -> tuple[Factor, ...]:
        return tuple(factor for domain in self.domains for factor in domain.factors)

    @property
    def allowed_values(self) -> frozenset[int]:
        return frozenset(score.value for score in self.scores)

    @property
    def highest_score(self) -> int:
        return max(self.allowed_values)

    @property
    def gives_supervision_level(self) -> bool:
        return self.method == Method.CONCERN_STRENGTH_MATRIX

    @property
    def ages(self) -> str:
        return f"ages {self.min_age} to {self.max_age}"

    def domain(self, code: str) -> Domain | None:
        return next((domain for domain in self.domains if domain.code == code), None)

    def domain_after(self, code: str) -> Domain | None:
        codes = [domain.code for domain in self.domains]
        index = codes.index(code) + 1
        return self.domains[index] if index < len(codes) else None

    def score_label(self, value: int) -> str:
        return next((score.label for score in self.scores if score.value == value), "")

    def outcome(self, ratings: Mapping[str, int]) -> Outcome:
        """The outcome of a full set of ratings (factor code → score)."""
        missing = [factor.code for factor in self.factors if factor.code not in ratings]
        if missing:
            raise ValueError(f"Not every factor is rated: {', '.join(missing)}")
        if self.method == Method.CONCERN_STRENGTH_MATRIX:
            return self._matrix_outcome(ratings)
        domains = []
        for domain in self.domains:
            total = sum(ratings[factor.code] for factor in domain.factors)
            band = _band(self.domain_bands, total) if self.domain_bands else None
            domains.append(
                DomainScore(
                    code=domain.code,
                    label=domain.label,
                    total=total,
                    maximum=len(domain.factors) * self.highest_score,
                    band=band.code if band else "",
                    band_label=band.label if band else "",
                )
            )
        return Outcome(domains=tuple(domains))

    def _matrix_outcome(self, ratings: Mapping[str, int]) -> Outcome:
        domains = []
        for domain in self.domains:
            concerns = [f for f in domain.factors if f.reading == Reading.CONCERN]
            strengths = [f for f in domain.factors if f.reading == Reading.STRENGTH]
            domains.append(
                DomainScore(
                    code=domain.code,
                    label=domain.label,
                    total=sum(ratings[f.code] for f in concerns),
                    maximum=len(concerns) * self.highest_score,
                    strengths=sum(ratings[f.code] for f in strengths),
                    strengths_maximum=len(strengths) * self.highest_score,
                )
            )
        concern_total = sum(d.total for d in domains)
        strength_total = sum(d.strengths or 0 for d in domains)
        concern = _band(self.concern_bands, concern_total)
        strength = _band(self.strength_bands, strength_total)
        cell = self.matrix[(concern.code, strength.code)]
        return Outcome(
            domains=tuple(domains),
            concern_total=concern_total,
            strength_total=strength_total,
            concern_level=concern.code,
            strength_level=strength.code,
            supervision_level=cell.supervision,
            refer_for_treatment=cell.refer_for_treatment,
        )


def _factors(
    prefix: str, subject: str, *items: str | tuple[str, Reading, FactorKind]
) -> tuple[Factor, ...]:
    """Number a domain's factors ``<prefix>.1``, ``<prefix>.2``…, labelled "<subject>: <item>"."""
    factors = []
    for number, item in enumerate(items, start=1):
        name, reading, kind = item if isinstance(item, tuple) else (item, Reading.CONCERN, None)
        factors.append(Factor(f"{prefix}.{number}", f"{subject}: {name}", reading, kind))
    return tuple(factors)


# Short names for the AIM2 factor table: (concern or strength, static or dynamic).
C, ST = Reading.CONCERN, Reading.STRENGTH
S, D = FactorKind.STATIC, FactorKind.DYNAMIC

# AIM2 (2007, revised 2012): ages 12 to 18; four domains; static and dynamic factors, each
# read as a concern or a strength; the two levels read together give the supervision level
# and whether to refer for treatment (domain.md §7). The item scores, bands and matrix below
# are our own working values, to be confirmed from the licensed AIM2 manual.
AIM2 = ModelVersion(
    code="AIM2",
    family="AIM2",
    label="AIM2",
    edition="2012 revision",
    min_age=12,
    max_age=18,
    method=Method.CONCERN_STRENGTH_MATRIX,
    scores=(Score(0, "Not present"), Score(1, "Partly present"), Score(2, "Clearly present")),
    domains=(
        Domain(
            "AIM2.HB",
            "Harmful sexual and non-sexual behaviours",
            _factors(
                "AIM2.HB",
                "Harmful behaviour",
                ("sexual behaviour history", C, S),
                ("use of force or threats", C, S),
                ("non-sexual harm to others", C, S),
                ("attitudes to the harm", C, D),
                ("accepts responsibility", ST, D),
            ),
        ),
        Domain(
            "AIM2.DV",
            "Developmental",
            _factors(
                "AIM2.DV",
                "Development",
                ("early adversity", C, S),
                ("current wellbeing", C, D),
                ("positive interests", ST, D),
                ("social skills", ST, D),
            ),
        ),
        Domain(
            "AIM2.FC",
            "Family and carers",
            _factors(
                "AIM2.FC",
                "Family",
                ("history of harm or instability", C, S),
                ("current stresses", C, D),
                ("positive relationships", ST, D),
                ("carers engage with services", ST, D),
            ),
        ),
        Domain(
            "AIM2.EN",
            "Environmental",
            _factors(
                "AIM2.EN",
                "Environment",
                ("opportunity to harm", C, D),
                ("peers", C, D),
                ("supervision in place", ST, D),
                ("education or work", ST, D),
                ("trusted adult", ST, D),
            ),
        ),
    ),
    # 10 concern factors (0 to 20) and 8 strength factors (0 to 16).
    concern_bands=(
        Band(Level.LOW, "Low concern", 0, 6),
        Band(Level.MEDIUM, "Medium concern", 7, 13),
        Band(Level.HIGH, "High concern", 14, 20),
    ),
    strength_bands=(
        Band(Level.LOW, "Low strengths", 0, 5),
        Band(Level.MEDIUM, "Medium strengths", 6, 10),
        Band(Level.HIGH, "High strengths", 11, 16),
    ),
    # Supervision rises with concern and falls with strengths; any concern above low is
    # referred for treatment.
    matrix={
        (Level.LOW, Level.HIGH): MatrixCell(SupervisionLevel.LOW, False),
        (Level.LOW, Level.MEDIUM): MatrixCell(SupervisionLevel.LOW, False),
        (Level.LOW, Level.LOW): MatrixCell(SupervisionLevel.MEDIUM, False),
        (Level.MEDIUM, Level.HIGH): MatrixCell(SupervisionLevel.LOW, True),
        (Level.MEDIUM, Level.MEDIUM): MatrixCell(SupervisionLevel.MEDIUM, True),
        (Level.MEDIUM, Level.LOW): MatrixCell(SupervisionLevel.HIGH, True),
        (Level.HIGH, Level.HIGH): MatrixCell(SupervisionLevel.MEDIUM, True),
        (Level.HIGH, Level.MEDIUM): MatrixCell(SupervisionLevel.HIGH, True),
        (Level.HIGH, Level.LOW): MatrixCell(SupervisionLevel.HIGH, True),
    },
    scoring_note=(
        "The levels of concern and strengths, and the supervision level, come from the "
        "scores and the AIM2 outcome matrix."
    ),
)

# AIM Under 12s, 3rd edition (Carson 2019), the model for ages 8 to 12: 5 domains of 5
# factors, each scored 0, 2 or 4; a domain total of 0 to 20 is green 0-4, amber 6-12 or red
# 14-20 (Risk Management Authority RATED entry, domain.md §7). Domain names are our own.
AIM_U12 = ModelVersion(
    code="AIM_U12",
    family="AIM_U12",
    label="AIM Under 12s",
    edition="3rd edition (2019)",
    min_age=8,
    max_age=12,
    method=Method.DOMAIN_BANDS,
    scores=(
        Score(0, "No concern, or a strength"),
        Score(2, "Some concern"),
        Score(4, "Significant concern"),
    ),
    domains=(
        Domain(
            "AIM_U12.SB",
            "Sexual behaviour",
            _factors(
                "AIM_U12.SB",
                "Sexual behaviour",
                "nature",
                "how often",
                "planning or secrecy",
                "response when stopped",
                "others involved",
            ),
        ),
        Domain(
            "AIM_U12.NS",
            "Non-sexual behaviour",
            _factors(
                "AIM_U12.NS",
                "Non-sexual behaviour",
                "aggression",
                "at school",
                "at home",
                "with peers",
                "risk-taking",
            ),
        ),
        Domain(
            "AIM_U12.DV",
            "Developmental",
            _factors(
                "AIM_U12.DV",
                "Development",
                "early experiences",
                "trauma",
                "health",
                "learning",
                "managing feelings",
            ),
        ),
        Domain(
            "AIM_U12.FC",
            "Family and carers",
            _factors(
                "AIM_U12.FC",
                "Family",
                "stability",
                "carers' supervision",
                "carers' response",
                "relationships",
                "history of harm",
            ),
        ),
        Domain(
            "AIM_U12.EN",
            "Environment",
            _factors(
                "AIM_U12.EN",
                "Environment",
                "school or setting",
                "community",
                "online",
                "support network",
                "opportunity",
            ),
        ),
    ),
    domain_bands=(
        Band("green", "Green", 0, 4),
        Band("amber", "Amber", 6, 12),
        Band("red", "Red", 14, 20),
    ),
    scoring_note=(
        "Each domain is banded green (0 to 4), amber (6 to 12) or red (14 to 20). The "
        "supervision level is the assessor's, from the formulation."
    ),
)

# AIM3 (2019, Leonard and Hackett): ages 12 to 18; five domains whose factors are rated and
# summed into domain scores (Jensen et al. 2022). AIM3 deliberately gives no overall low,
# medium or high: the profile and the formulation drive the supervision level and the
# interventions (domain.md §7).
# The exact AIM3 score bands must be confirmed from the licensed manual (domain.md §7). Until
# they are, the profile shows each domain's total out of its maximum, with no band.
AIM3 = ModelVersion(
    code="AIM3",
    family="AIM3",
    label="AIM3",
    edition="2019",
    min_age=12,
    max_age=18,
    method=Method.DOMAIN_PROFILE,
    scores=(Score(0, "No concern"), Score(1, "Some concern"), Score(2, "Clear concern")),
    domains=(
        Domain(
            "AIM3.SB",
            "Sexual behaviours",
            _factors(
                "AIM3.SB",
                "Sexual behaviour",
                "nature",
                "who was harmed",
                "aggression",
                "attitudes",
            ),
        ),
        Domain(
            "AIM3.NS",
            "Non-sexual behaviours",
            _factors(
                "AIM3.NS",
                "Non-sexual behaviour",
                "other offending",
                "substance use",
                "mental health",
            ),
        ),
        Domain(
            "AIM3.DV",
            "Developmental",
            _factors(
                "AIM3.DV",
                "Development",
                "trauma",
                "attachment",
                "adversity",
                "functioning",
            ),
        ),
        Domain(
            "AIM3.FE",
            "Family and environmental",
            _factors(
                "AIM3.FE",
                "Family and environment",
                "stability",
                "carer supervision",
                "peers",
                "education",
            ),
        ),
        Domain(
            "AIM3.SR",
            "Self-regulation",
            _factors(
                "AIM3.SR",
                "Self-regulation",
                "responsibility",
                "motivation",
                "problem solving",
                "social competence",
            ),
        ),
    ),
    scoring_note=(
        "AIM3 gives a profile of domain scores, not an overall low, medium or high. The "
        "supervision level and interventions are the assessor's, from the formulation."
    ),
)

MODEL_VERSIONS: dict[str, ModelVersion] = {model.code: model for model in (AIM2, AIM_U12, AIM3)}


def model_version_choices() -> list[tuple[str, str]]:
    # A callable, so that adding a version (Pattern Mapping, a new edition) needs no migration.
    return [(model.code, model.label) for model in MODEL_VERSIONS.values()]


def model_version(code: str) -> ModelVersion:
    return MODEL_VERSIONS[code]


def current_version(family: str) -> ModelVersion:
    """The version a new assessment (or a review) in ``family`` uses: the latest listed."""
    return [model for model in MODEL_VERSIONS.values() if model.family == family][-1]
