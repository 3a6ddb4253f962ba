"""Children: one record per person, shared by every concern that names them."""

import difflib
import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone

from hsb_portal.accounts.models import LocalAuthority


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    NOT_KNOWN = "not_known", "Not known"


class YesNoUnknown(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNKNOWN = "unknown", "Not known"


# A name of fewer letters is an initial, and an initial with a date of birth would find every
# child born that day (issue 10): the duplicate check needs whole names.
FEWEST_LETTERS_IN_A_NAME = 2
# A different-looking name still matches when it is this close to the one searched for.
SIMILAR_NAME_RATIO = 0.75
# Sexual Offences Act 2003: a child under 13 cannot consent to any sexual activity (DD 5, ST;
# domain.md §2, §8). ST ties the rule to a child harmed who is under 13.
AGE_OF_NO_CONSENT = 13


def age_on(born: date, day: date) -> int:
    """The age in whole years, on ``day``, of someone born on ``born``."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def is_whole_name(name: str) -> bool:
    return sum(1 for letter in name if letter.isalpha()) >= FEWEST_LETTERS_IN_A_NAME


class Child(models.Model):
    """A child (or, rarely, a young adult harmed) named in a concern. One record per person.

    An adult harmed (18 or over) is recorded here too, with the part "adult harmed" on the
    concern: the data model must allow a victim aged 18 or over (DD 6, domain.md §2).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    given_name = models.CharField("first name", max_length=100)
    family_name = models.CharField("last name", max_length=100)
    known_as = models.CharField("also known as", max_length=100, blank=True)
    date_of_birth = models.DateField()
    date_of_birth_is_estimated = models.BooleanField(default=False)
    sex = models.CharField(max_length=10, choices=Sex.choices)
    gender = models.CharField(
        max_length=100, blank=True, help_text="How the child describes their gender, if known."
    )
    ethnicity = models.CharField(max_length=100, blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    authority = models.ForeignKey(
        LocalAuthority,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name="local authority of residence",
    )
    school_or_setting = models.CharField(max_length=200, blank=True)
    has_send = models.CharField(
        "special educational needs or learning disability",
        max_length=10,
        choices=YesNoUnknown.choices,
        default=YesNoUnknown.UNKNOWN,
    )
    send_details = models.TextField(blank=True)
    is_looked_after = models.BooleanField("looked after", default=False)
    known_to_childrens_social_care = models.CharField(
        max_length=10, choices=YesNoUnknown.choices, default=YesNoUnknown.UNKNOWN
    )
    household = models.ManyToManyField(
        "self", blank=True, symmetrical=True, help_text="Other children in the same household."
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name_plural = "children"
        indexes = [
            models.Index(fields=["authority", "date_of_birth"], name="child_match_idx"),
            models.Index(fields=["authority", "family_name", "given_name"], name="child_name_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def resembles(self, *, given_name: str, family_name: str) -> bool:
        """Might a child of these names be this one? The same first name (or "known as") or
        last name, the same initials, or names close enough by difflib's ratio (a typo, a
        missing letter). Worked out in Python, so it behaves the same on both databases."""
        wanted_given, wanted_family = given_name.strip().casefold(), family_name.strip().casefold()
        given, family = self.given_name.casefold(), self.family_name.casefold()
        known_as = self.known_as.casefold()
        same_name = wanted_given in {given, known_as} - {""} or wanted_family == family
        same_initials = (given[:1], family[:1]) == (wanted_given[:1], wanted_family[:1])
        ratio = difflib.SequenceMatcher(
            None, f"{given} {family}", f"{wanted_given} {wanted_family}"
        )
        return same_name or same_initials or ratio.ratio() >= SIMILAR_NAME_RATIO

    def age_on(self, day: date) -> int:
        return age_on(self.date_of_birth, day)

    def is_under_13(self, *, on: date) -> bool:
        """Under the age of consent on ``on`` (the date of the behaviour): a child harmed
        then is always a child protection matter, whatever the colour (domain.md §2)."""
        return self.age_on(on) < AGE_OF_NO_CONSENT
