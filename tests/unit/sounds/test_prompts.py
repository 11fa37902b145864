from pathlib import Path

from pbx_bridge.core.tenants import ClosedAction
from pbx_bridge.sounds.prompts import (
    FORWARD_TEXT,
    GENERIC_CLOSED_TEXT,
    OVERFLOW_TEXT,
    closed_announcement_text,
    missing_prompts,
    plan_prompts,
)
from tests.unit.sounds.builders import SOEST_WEEK, directory, tenant, week


def test_gifhorn_closed_announcement_names_the_tenant_and_its_hours() -> None:
    assert closed_announcement_text(tenant()) == (
        "Sie rufen außerhalb der Servicezeiten des Service Centers Landkreis Gifhorn an. "
        "Wir sind montags bis freitags von 7 bis 18 Uhr für Sie da. "
        "Vielen Dank für Ihren Anruf."
    )


def test_kreis_soest_closed_announcement_reads_its_uneven_week() -> None:
    text = closed_announcement_text(tenant("kreis-soest", "Kreis Soest", SOEST_WEEK))
    assert "des Service Centers Kreis Soest an." in text
    assert (
        "Wir sind montags bis mittwochs von 8 bis 17 Uhr, donnerstags von 8 bis 18 Uhr "
        "und freitags von 8 bis 13 Uhr für Sie da."
    ) in text


def test_forwarding_tenant_says_the_call_is_being_connected() -> None:
    text = closed_announcement_text(tenant(action=ClosedAction.FORWARD))
    assert text.endswith(f"für Sie da. {FORWARD_TEXT}")


def test_tenant_without_hours_is_not_reachable_now() -> None:
    assert closed_announcement_text(tenant(weekly=week())) == (
        "Das Service Center Landkreis Gifhorn ist zur Zeit nicht erreichbar. "
        "Bitte versuchen Sie es später noch einmal."
    )
    forwarding = tenant(weekly=week(), action=ClosedAction.FORWARD)
    assert closed_announcement_text(forwarding).endswith(f"erreichbar. {FORWARD_TEXT}")


def test_a_name_that_already_says_service_center_is_not_doubled() -> None:
    text = closed_announcement_text(tenant(name="Service Center Uetze"))
    assert "des Service Centers Uetze an." in text


def test_plan_lists_greetings_closed_announcements_and_center_prompts() -> None:
    gifhorn = tenant(announcement="gifhorn-closed")
    meinersen = tenant("meinersen", "Samtgemeinde Meinersen")  # uses the generic closed prompt
    plan = plan_prompts(directory(gifhorn, meinersen))
    assert plan.errors == ()
    assert plan.names() == (
        "gifhorn",
        "gifhorn-closed",
        "meinersen",
        "servicecenter",
        "closed",
        "overflow",
    )
    by_name = {p.name: p for p in plan.prompts}
    assert by_name["gifhorn"].text == "Service Center Landkreis Gifhorn, guten Tag."
    assert by_name["gifhorn-closed"].text == closed_announcement_text(gifhorn)
    assert by_name["servicecenter"].text == "Service Center Wolfsburg, guten Tag."
    assert by_name["closed"].text == GENERIC_CLOSED_TEXT
    assert by_name["overflow"].text == OVERFLOW_TEXT


def test_center_prompt_names_come_from_the_center() -> None:
    plan = plan_prompts(
        directory(closed_announcement="geschlossen", overflow_announcement="besetzt")
    )
    assert plan.names() == ("servicecenter", "geschlossen", "besetzt")


def test_generic_closed_prompt_does_not_name_the_center() -> None:
    # It plays for member towns too; their callers must not hear another city's name.
    assert "Wolfsburg" not in GENERIC_CLOSED_TEXT


def test_one_sound_shared_with_the_same_text_is_listed_once() -> None:
    a = tenant("a", greeting="shared", greeting_text="Guten Tag.")
    b = tenant("b", greeting="shared", greeting_text="Guten Tag.")
    plan = plan_prompts(directory(a, b))
    assert plan.errors == ()
    assert plan.names().count("shared") == 1


def test_one_sound_name_with_two_texts_is_an_error_naming_both_sources() -> None:
    a = tenant("a", greeting="shared", greeting_text="Guten Tag.")
    b = tenant("b", greeting="shared", greeting_text="Hallo.")
    (error,) = plan_prompts(directory(a, b)).errors
    assert "'shared'" in error
    assert "greeting of a" in error
    assert "greeting of b" in error


def test_tenant_announcement_named_like_the_generic_closed_prompt_conflicts() -> None:
    plan = plan_prompts(directory(tenant(announcement="closed")))
    (error,) = plan.errors
    assert "closed announcement of gifhorn" in error
    assert "generic closed announcement" in error


def test_a_name_that_could_leave_the_sounds_folder_is_refused() -> None:
    plan = plan_prompts(directory(tenant(greeting="../etc/passwd")))
    (error,) = plan.errors
    assert "invalid sound name" in error
    assert "../etc/passwd" not in plan.names()


def test_an_empty_text_is_an_error() -> None:
    plan = plan_prompts(directory(greeting_text=" "))
    (error,) = plan.errors
    assert "center greeting" in error
    assert "no text" in error


def test_missing_prompts_reports_every_absent_file(tmp_path: Path) -> None:
    (tmp_path / "de").mkdir()
    for name in ("gifhorn", "closed", "overflow"):
        (tmp_path / "de" / f"{name}.wav").write_bytes(b"RIFF")
    missing = missing_prompts(directory(tenant(announcement="gifhorn-closed")), tmp_path)
    assert len(missing) == 2
    assert missing[0].startswith(f"{tmp_path / 'de' / 'gifhorn-closed.wav'}: ")
    assert "closed announcement of gifhorn" in missing[0]
    assert "'servicecenter'" in missing[1]
