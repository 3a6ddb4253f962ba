"""The guidance a concern leads to: the authority's advice for the colour, and the under-13 rule.

The advice for each colour is data, kept per authority (``GuidanceRule``); an authority with
none gets the defaults below, taken from the colour and action table of domain.md §3, so that
guidance always shows. The under-13 rule is law, not local choice, so it is code.
The guidance never blocks: the practitioner and the DSL choose, and both choices are kept.
"""

from dataclasses import dataclass

from hsb_portal.accounts.models import LocalAuthority
from triage.models import (
    REFERRED_PARTS,
    Colour,
    Concern,
    ConcernChild,
    GuidanceRule,
    NextStep,
    Part,
    most_serious,
)


@dataclass(frozen=True)
class Advice:
    colour: Colour
    advice_text: str
    recommended_next_step: NextStep
    source_text: str
    is_default: bool = False


DEFAULT_ADVICE = {
    Colour.GREEN: Advice(
        Colour.GREEN,
        "Respond within your setting and record what happened and what you did. Green "
        "behaviour is a chance for positive feedback, information, talk and support; it is "
        "often handled by parents or the professionals already involved.",
        NextStep.HANDLE_IN_SETTING,
        "Brook traffic light tool, green: positive feedback, information, talk and support. "
        "ST Recognition: often handled at a lower level. CA 7: no threshold, or Early Help "
        "if the context is a concern (domain.md §3).",
        is_default=True,
    ),
    Colour.AMBER: Advice(
        Colour.AMBER,
        "Consult your designated safeguarding lead. Do not ignore the behaviour: monitor it, "
        "give targeted support and record it. Use your professional judgement on a referral "
        "to children's social care; Early Help may fit.",
        NextStep.EARLY_HELP,
        "Brook traffic light tool, amber: monitor and give targeted support. ST: professional "
        "judgement on referral to children's services. CA 7: usual threshold child in need, "
        "section 17 (domain.md §3).",
        is_default=True,
    ),
    Colour.RED: Advice(
        Colour.RED,
        "Refer every child involved to the local authority's MASH or Contact Service: one "
        "referral for each child harmed and each child who has harmed. Red behaviour needs "
        "immediate intervention: protection and follow-up support.",
        NextStep.REFER,
        "Brook traffic light tool, red: immediate intervention. CA 3: all harmful sexual "
        "behaviour with a victim is referred. CA 6.1 and ST: one referral for each child. "
        "CA 7: usual threshold child protection, section 47 (domain.md §3).",
        is_default=True,
    ),
}

UNDER_13_TEXT = (
    "A child harmed was under 13 on the date of the behaviour. A child under 13 cannot consent "
    "to any sexual activity, so a child protection referral is required whatever the colour."
)
UNDER_13_SOURCE = "Sexual Offences Act 2003; DD 5; ST (domain.md §2 and §8)."


@dataclass(frozen=True)
class Guidance:
    """What the procedure advises for a concern as it stands."""

    colour: Colour | None
    advice: Advice | None
    under_13: tuple[ConcernChild, ...]
    children_to_refer: tuple[ConcernChild, ...]
    problems: tuple[str, ...]

    @property
    def recommended_next_step(self) -> NextStep | None:
        if self.under_13:
            return NextStep.REFER
        return self.advice.recommended_next_step if self.advice else None

    @property
    def recommended_label(self) -> str:
        step = self.recommended_next_step
        return step.label if step is not None else ""

    def as_text(self) -> str:
        """The guidance in words, as kept on the concern when it is sent."""
        parts = []
        if self.advice is not None:
            parts.append(f"{self.advice.colour.label}: {self.advice.advice_text}")
        if self.under_13:
            names = ", ".join(i.child.full_name for i in self.under_13)
            parts.append(f"{UNDER_13_TEXT} (Under 13: {names}.)")
        if self.children_to_refer:
            names = ", ".join(i.child.full_name for i in self.children_to_refer)
            parts.append(f"Children to refer: {names}.")
        return "\n\n".join(parts)


def advice_for(authority: LocalAuthority, colour: Colour) -> Advice:
    """The authority's advice for ``colour``, or the default when it has set none."""
    rule = GuidanceRule.objects.filter(authority=authority, colour=colour).first()
    if rule is None:
        return DEFAULT_ADVICE[colour]
    return Advice(
        colour,
        rule.advice_text,
        NextStep(rule.recommended_next_step),
        rule.source_text,
    )


def guidance_for(concern: Concern) -> Guidance:
    """The guidance for ``concern``, from its prefetched children and ratings.

    The advice follows the procedure of the authority where the behaviour happened, whose
    partnership's protocol the setting works to (CA, ST). The colour is the most serious
    final colour of the children who have harmed. One query: the authority's rule.
    """
    harmers = concern.with_part(Part.CHILD_WHO_HARMED)
    colour = most_serious(
        rating.final_colour for i in harmers if (rating := i.rating_or_none) is not None
    )
    advice = advice_for(concern.authority, colour) if colour is not None else None
    under_13 = tuple(
        i
        for i in concern.with_part(Part.CHILD_HARMED)
        if i.child.is_under_13(on=concern.occurred_on)
    )
    refer = bool(under_13) or (
        advice is not None and advice.recommended_next_step == NextStep.REFER
    )
    return Guidance(
        colour=colour,
        advice=advice,
        under_13=under_13,
        children_to_refer=tuple(concern.with_part(*REFERRED_PARTS)) if refer else (),
        problems=tuple(concern.submission_problems()),
    )
