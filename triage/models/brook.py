"""The Brook sexual behaviours traffic light tool, as data (domain.md §3).

The behaviour lists are loaded from ``fixtures/brook_traffic_light.json`` word for word, typos
included. Each edition keeps its own bands and behaviours, so a later edition can sit beside
the Camden 2023 one and old ratings keep pointing at the lists they were made with.
"""

from collections.abc import Iterable

from django.db import models


class Colour(models.TextChoices):
    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    RED = "red", "Red"


# Red is the most serious, green the least (Brook: "the most serious one ticked").
SEVERITY = {Colour.GREEN: 1, Colour.AMBER: 2, Colour.RED: 3}


def most_serious(colours: Iterable[str]) -> Colour | None:
    """The most serious of ``colours`` (blanks ignored); None when there is none."""
    found = [Colour(colour) for colour in colours if colour]
    return max(found, key=SEVERITY.__getitem__) if found else None


# Brook's four bands overlap on purpose, because development varies (domain.md §3):
# (code, youngest age in the band, oldest age in the band).
BANDS: tuple[tuple[str, int, int], ...] = (
    ("0-5", 0, 5),
    ("5-9", 5, 9),
    ("9-13", 9, 13),
    ("13-17", 13, 17),
)
OLDEST_BAND = "13-17"


def bands_for_age(age: int) -> tuple[str, ...]:
    """The band codes the tool offers for a child of ``age`` whole years.

    A child of 5, 9 or 13 sits in two bands, and both are offered (domain.md §3, §10).
    """
    if age < 0:
        raise ValueError(f"An age cannot be negative ({age})")
    if age > BANDS[-1][2]:
        # Brook: the 13-17 band may also guide work with vulnerable young people or those with
        # disabilities up to 25 (domain.md §3), so an older person harmed or harming gets it.
        return (OLDEST_BAND,)
    return tuple(code for code, youngest, oldest in BANDS if youngest <= age <= oldest)


def offered_bands(age: int, developmental_age: int | None = None) -> tuple[str, ...]:
    """The bands offered for a child's age and, if different, their developmental age.

    A developmental age different from the chronological age may change the band (Brook,
    DD 3; domain.md §10), so the bands for both are offered and the practitioner chooses.
    """
    codes = set(bands_for_age(age))
    if developmental_age is not None:
        codes |= set(bands_for_age(developmental_age))
    return tuple(code for code, _, _ in BANDS if code in codes)


def band_label(code: str) -> str:
    youngest, oldest = code.split("-")
    return f"{youngest} to {oldest} years"


class BrookEditionQuerySet(models.QuerySet["BrookEdition"]):
    def current(self) -> "BrookEdition | None":
        return self.filter(is_current=True).first()


class BrookEdition(models.Model):
    """One published version of the tool's lists, e.g. as adopted in the Camden 2023 protocol."""

    code = models.SlugField(max_length=40, unique=True)
    version_label = models.CharField(max_length=200)
    source_text = models.TextField(help_text="Where the lists were taken from.")
    green_description = models.TextField()
    amber_description = models.TextField()
    red_description = models.TextField()
    is_current = models.BooleanField(
        default=False, help_text="New ratings use the current edition."
    )

    objects = BrookEditionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=models.Q(is_current=True),
                name="one_current_brook_edition",
            ),
        ]

    def __str__(self) -> str:
        return self.version_label

    def description(self, colour: str) -> str:
        return str(getattr(self, f"{colour}_description"))


class BrookBand(models.Model):
    edition = models.ForeignKey(BrookEdition, on_delete=models.PROTECT, related_name="bands")
    code = models.CharField(max_length=5)
    min_age = models.PositiveSmallIntegerField()
    max_age = models.PositiveSmallIntegerField()
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["edition", "position"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "code"], name="one_band_per_code"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return band_label(self.code)


class BrookBehaviour(models.Model):
    """One behaviour of a band's list, in the tool's own words."""

    band = models.ForeignKey(BrookBand, on_delete=models.PROTECT, related_name="behaviours")
    colour = models.CharField(max_length=5, choices=Colour.choices)
    text = models.TextField()
    # Order within the band: the green list, then amber, then red, each as in the tool.
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["band", "position"]
        constraints = [
            models.UniqueConstraint(fields=["band", "position"], name="one_behaviour_per_position"),
        ]

    def __str__(self) -> str:
        return f"{self.get_colour_display()}: {self.text}"
