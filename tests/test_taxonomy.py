"""The taxonomy is the one place the ids live; the library and the log agree with it."""

from assistant import taxonomy
from assistant.log.outcomes import RESULTS as LOGGED_RESULTS


def test_every_intent_has_an_urgency_and_every_special_id_is_in_the_taxonomy():
    assert set(taxonomy.URGENCY) == set(taxonomy.INTENTS)
    assert taxonomy.OTHER in taxonomy.INTENTS
    assert taxonomy.REPEAT_UNRESOLVED in taxonomy.REASONS
    assert set(taxonomy.CONVERTED) < set(taxonomy.RESOLVED) < set(taxonomy.RESULTS)
    assert LOGGED_RESULTS == taxonomy.RESULTS == tuple(taxonomy.RESULT_LABELS)


def test_the_library_has_the_taxonomys_intents_reasons_and_kind_templates(engine):
    library = engine.library
    assert {t.group for t in library.templates if t.kind == taxonomy.INTENT} == set(taxonomy.INTENTS)
    assert {t.group for t in library.templates if t.kind == taxonomy.OFFLINE} == set(taxonomy.REASONS)
    assert set(taxonomy.KIND_TEMPLATES.values()) <= {t.id for t in library.for_intent(taxonomy.OTHER)}
