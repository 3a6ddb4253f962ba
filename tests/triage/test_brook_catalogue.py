"""The Brook catalogue in the database is the seed table, word for word."""

import importlib.util
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from triage.models import BANDS, BrookBand, BrookBehaviour, BrookEdition, Colour

pytestmark = pytest.mark.django_db

# A copy of shared/brook-traffic-light.json; .ci/run fails if the two ever differ.
SEED_TABLE = Path(settings.BASE_DIR) / "fixtures" / "brook-traffic-light.seed.json"
FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "brook_traffic_light.json"
# The counts of domain.md §3: green, amber, red in each band.
COUNTS = {"0-5": (7, 6, 5), "5-9": (5, 5, 5), "9-13": (6, 7, 10), "13-17": (9, 8, 15)}


def catalogue_in_database() -> dict[str, dict[str, list[str]]]:
    found: dict[str, dict[str, list[str]]] = {}
    for behaviour in BrookBehaviour.objects.filter(band__edition__code="camden-2023").order_by(
        "band__position", "position"
    ):
        colours = found.setdefault(behaviour.band.code, {"green": [], "amber": [], "red": []})
        colours[behaviour.colour].append(behaviour.text)
    return found


def test_the_catalogue_has_4_bands_12_lists_and_88_behaviours_in_the_documented_counts(
    brook,
) -> None:
    catalogue = catalogue_in_database()

    assert list(catalogue) == ["0-5", "5-9", "9-13", "13-17"]
    assert sum(len(lists) for lists in catalogue.values()) == 12
    assert BrookBehaviour.objects.count() == 88
    assert {
        band: tuple(len(catalogue[band][colour]) for colour in Colour.values) for band in catalogue
    } == COUNTS


def test_the_catalogue_equals_the_seed_table_word_for_word(brook) -> None:
    table = json.loads(SEED_TABLE.read_text(encoding="utf-8"))
    edition = BrookEdition.objects.get(code="camden-2023")

    assert catalogue_in_database() == {band["band"]: band["behaviours"] for band in table["bands"]}
    assert {c: edition.description(c) for c in Colour.values} == table["descriptions"]
    assert edition.source_text == table["source"]


def test_source_typos_are_kept(brook) -> None:
    texts = set(BrookBehaviour.objects.values_list("text", flat=True))
    edition = BrookEdition.objects.get()

    assert (
        "curiosity about sex and relationships ,ie; difference between boys and girls, where "
        "babies come from, how sex happens, same sex relationships" in texts
    )
    assert edition.green_description.startswith("Safe and health sexual development")


def test_the_edition_is_labelled_current_and_loading_it_again_adds_nothing(brook) -> None:
    call_command("loaddata", "brook_traffic_light", verbosity=0)

    edition = BrookEdition.objects.get()
    assert edition.code == "camden-2023"
    assert edition.version_label == (
        "Brook traffic light tool, as in the Camden 2023 protocol Appendix 1"
    )
    assert BrookEdition.objects.current() == edition
    assert BrookBand.objects.count() == 4
    assert BrookBehaviour.objects.count() == 88


def test_the_bands_in_the_database_are_the_bands_the_age_rule_uses(brook) -> None:
    bands = [(b.code, b.min_age, b.max_age) for b in BrookBand.objects.order_by("position")]

    assert tuple(bands) == BANDS


def load_builder():
    spec = importlib.util.spec_from_file_location(
        "build_brook_fixture", Path(settings.BASE_DIR) / "fixtures" / "build_brook_fixture.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_fixture_is_what_the_script_builds_from_the_seed_table() -> None:
    builder = load_builder()
    table = json.loads(SEED_TABLE.read_text(encoding="utf-8"))

    built = builder.build(
        table,
        code="camden-2023",
        label="Brook traffic light tool, as in the Camden 2023 protocol Appendix 1",
        edition_pk=1,
        current=True,
    )

    assert built == json.loads(FIXTURE.read_text(encoding="utf-8"))


def test_a_later_edition_can_sit_beside_the_first(brook, tmp_path) -> None:
    builder = load_builder()
    source = {
        "source": "A later edition",
        "colours": ["green", "amber", "red"],
        "descriptions": {"green": "g", "amber": "a", "red": "r"},
        "bands": [{"band": "0-5", "behaviours": {"green": ["x"], "amber": ["y"], "red": ["z"]}}],
    }
    rows = builder.build(source, code="later", label="Later", edition_pk=2, current=False)
    later = tmp_path / "later_edition.json"
    later.write_text(json.dumps(rows))

    call_command("loaddata", str(later), verbosity=0)

    assert BrookEdition.objects.count() == 2
    assert BrookBehaviour.objects.count() == 88 + 3
    assert BrookEdition.objects.current().code == "camden-2023"
