from pbx_bridge.sounds.hours_wording import describe_weekly_hours
from tests.unit.sounds.builders import MON_FRI_7_18, SOEST_WEEK, week


def test_weekdays_with_equal_hours_are_one_range_of_days() -> None:
    assert describe_weekly_hours(MON_FRI_7_18) == "montags bis freitags von 7 bis 18 Uhr"


def test_soest_hours_name_each_group_in_week_order() -> None:
    assert describe_weekly_hours(SOEST_WEEK) == (
        "montags bis mittwochs von 8 bis 17 Uhr, donnerstags von 8 bis 18 Uhr "
        "und freitags von 8 bis 13 Uhr"
    )


def test_a_split_day_names_both_ranges() -> None:
    weekly = week(*["08:00-12:00, 13:00-16:00"] * 5)
    assert describe_weekly_hours(weekly) == (
        "montags bis freitags von 8 bis 12 Uhr und von 13 bis 16 Uhr"
    )


def test_three_ranges_are_listed_with_commas() -> None:
    assert describe_weekly_hours(week("08:00-10:00, 11:00-12:00, 13:00-16:00")) == (
        "montags von 8 bis 10 Uhr, von 11 bis 12 Uhr und von 13 bis 16 Uhr"
    )


def test_groups_join_with_sowie_when_a_group_already_says_und() -> None:
    weekly = week(*["08:00-12:00, 13:00-16:00"] * 4, "08:00-12:00")
    assert describe_weekly_hours(weekly) == (
        "montags bis donnerstags von 8 bis 12 Uhr und von 13 bis 16 Uhr "
        "sowie freitags von 8 bis 12 Uhr"
    )


def test_minutes_are_spoken_after_uhr() -> None:
    assert describe_weekly_hours(week("07:30-18:00")) == "montags von 7 Uhr 30 bis 18 Uhr"
    assert describe_weekly_hours(week("08:00-12:30")) == "montags von 8 bis 12 Uhr 30"
    assert describe_weekly_hours(week("07:05-16:45")) == "montags von 7 Uhr 5 bis 16 Uhr 45"


def test_midnight_end_is_24_uhr() -> None:
    assert describe_weekly_hours(week("", "", "", "", "", "18:00-24:00")) == (
        "samstags von 18 bis 24 Uhr"
    )


def test_whole_day_every_day_is_around_the_clock() -> None:
    assert describe_weekly_hours(week(*["00:00-24:00"] * 7)) == "täglich rund um die Uhr"


def test_every_day_with_equal_hours_is_taeglich() -> None:
    assert describe_weekly_hours(week(*["08:00-20:00"] * 7)) == "täglich von 8 bis 20 Uhr"


def test_two_consecutive_days_are_joined_with_und_not_bis() -> None:
    assert describe_weekly_hours(week("", "", "", "", "", "09:00-12:00", "09:00-12:00")) == (
        "samstags und sonntags von 9 bis 12 Uhr"
    )


def test_days_apart_with_equal_hours_share_one_phrase() -> None:
    weekly = week(*["08:00-17:00"] * 3, "08:00-18:00", "08:00-17:00")
    assert describe_weekly_hours(weekly) == (
        "montags bis mittwochs und freitags von 8 bis 17 Uhr sowie donnerstags von 8 bis 18 Uhr"
    )


def test_alternating_days() -> None:
    weekly = week("08:00-12:00", "08:00-16:00", "08:00-12:00", "08:00-16:00", "08:00-12:00")
    assert describe_weekly_hours(weekly) == (
        "montags, mittwochs und freitags von 8 bis 12 Uhr "
        "sowie dienstags und donnerstags von 8 bis 16 Uhr"
    )


def test_no_hours_at_all_is_none() -> None:
    assert describe_weekly_hours(week()) is None
