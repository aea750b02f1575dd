#!/usr/bin/env python3
"""Writes proration-golden.csv: the expected proration of each case, computed apart from the hub's
Java code (its own calendar arithmetic, Python's exact fractions and banker's rounding), so that
ProrationGoldenTest compares two implementations. Run it again only to add cases; review the diff.

Rules (cloud-hub README, "Proration"): a moment counts as its calendar day in the site's zone;
periods are whole days from the anchor, each counted from the anchor (a month clamped to the month's
last day); the denominator is the whole period; start charges the day to the end; change credits the
old price and charges the new for the day to the end; cancel-now credits the days after the day;
each amount rounded half-even to the minor unit on its own."""
import calendar
import csv
from datetime import date, datetime, timedelta, timezone
from fractions import Fraction
from zoneinfo import ZoneInfo


def add_months(anchor, n):
    y, m = divmod(anchor.month - 1 + n, 12)
    y += anchor.year
    m += 1
    return date(y, m, min(anchor.day, calendar.monthrange(y, m)[1]))


def nth(anchor, interval, n):
    if interval == "day":
        return anchor + timedelta(days=n)
    if interval == "week":
        return anchor + timedelta(weeks=n)
    if interval == "month":
        return add_months(anchor, n)
    if interval == "year":
        return add_months(anchor, 12 * n)
    raise ValueError(interval)


def period(anchor, interval, day):
    n = 0
    while nth(anchor, interval, n + 1) <= day:
        n += 1
    return nth(anchor, interval, n), nth(anchor, interval, n + 1)


def share(price, days, total):
    return round(Fraction(price * days, total))  # round() on a Fraction is half-even


CASES = [
    # name, op, interval, anchor, zone, at (UTC), old price, new price
    ("start mid-January", "start", "month", "2027-01-01", "Europe/Berlin", "2027-01-17T09:00:00Z", 0, 25000),
    ("start on the anchor day", "start", "month", "2027-01-01", "Europe/Berlin", "2027-02-01T08:00:00Z", 0, 25000),
    ("start on the month's last day", "start", "month", "2027-01-01", "Europe/Berlin", "2027-01-31T12:00:00Z", 0, 25000),
    ("start mid-February; common year", "start", "month", "2027-01-01", "Europe/Berlin", "2027-02-15T12:00:00Z", 0, 25000),
    ("start mid-February; leap year", "start", "month", "2028-01-01", "Europe/Berlin", "2028-02-15T12:00:00Z", 0, 25000),
    ("start mid-April (30 days)", "start", "month", "2027-01-01", "Europe/Berlin", "2027-04-16T12:00:00Z", 0, 19900),
    ("start at local midnight; still the previous UTC day", "start", "month", "2027-01-01", "Europe/Berlin", "2027-05-31T22:30:00Z", 0, 19900),
    ("start of a free package", "start", "month", "2027-01-01", "Europe/Berlin", "2027-03-10T12:00:00Z", 0, 0),
    ("start mid-week", "start", "week", "2027-01-04", "Europe/Berlin", "2027-01-07T12:00:00Z", 0, 5000),
    ("start mid-year; common-year period", "start", "year", "2027-01-01", "Europe/Berlin", "2027-07-01T12:00:00Z", 0, 240000),
    ("upgrade mid-March", "change", "month", "2027-01-01", "Europe/Berlin", "2027-03-10T12:00:00Z", 19900, 29900),
    ("downgrade mid-March", "change", "month", "2027-01-01", "Europe/Berlin", "2027-03-10T12:00:00Z", 29900, 19900),
    ("change on the anchor day", "change", "month", "2027-01-01", "Europe/Berlin", "2027-06-01T07:00:00Z", 19900, 29900),
    ("change on the period's last day", "change", "month", "2027-01-01", "Europe/Berlin", "2027-06-30T07:00:00Z", 19900, 29900),
    ("change on 31 December", "change", "month", "2027-01-01", "Europe/Berlin", "2027-12-31T10:00:00Z", 19900, 29900),
    ("change to the same price", "change", "month", "2027-01-01", "Europe/Berlin", "2027-03-10T12:00:00Z", 19900, 19900),
    ("downgrade to a free package", "change", "month", "2027-01-01", "Europe/Berlin", "2027-03-10T12:00:00Z", 19900, 0),
    ("upgrade from a free package", "change", "month", "2027-01-01", "Europe/Berlin", "2027-03-10T12:00:00Z", 0, 19900),
    ("anchor 31st: February is the 31st to the 28th", "change", "month", "2027-01-31", "Europe/Berlin", "2027-02-15T12:00:00Z", 19900, 29900),
    ("anchor 31st: 28 February starts the next period", "change", "month", "2027-01-31", "Europe/Berlin", "2027-02-28T12:00:00Z", 19900, 29900),
    ("anchor 31st: back to the 31st in March", "change", "month", "2027-01-31", "Europe/Berlin", "2027-03-30T12:00:00Z", 19900, 29900),
    ("anchor 31st: April ends on the 30th", "change", "month", "2027-01-31", "Europe/Berlin", "2027-04-29T12:00:00Z", 19900, 29900),
    ("anchor 31st: 30 April starts a period", "change", "month", "2027-01-31", "Europe/Berlin", "2027-04-30T12:00:00Z", 19900, 29900),
    ("anchor 31st; leap year: 29 February starts a period", "change", "month", "2028-01-31", "Europe/Berlin", "2028-02-29T12:00:00Z", 19900, 29900),
    ("anchor 30th; leap year: 29 February", "change", "month", "2028-01-30", "Europe/Berlin", "2028-02-29T12:00:00Z", 19900, 29900),
    ("anchor 29th; common year: 28 February", "change", "month", "2027-01-29", "Europe/Berlin", "2027-02-28T12:00:00Z", 19900, 29900),
    ("member-date anchor 15th; change on the 1st", "change", "month", "2027-01-15", "Europe/Berlin", "2027-02-01T12:00:00Z", 19900, 29900),
    ("member-date anchor 15th; February period", "change", "month", "2027-01-15", "Europe/Berlin", "2027-03-01T12:00:00Z", 19900, 29900),
    ("member-date anchor 15th; leap February period", "change", "month", "2028-01-15", "Europe/Berlin", "2028-03-01T12:00:00Z", 19900, 29900),
    ("DST spring-forward day; after the jump", "change", "month", "2027-03-01", "Europe/Berlin", "2027-03-28T01:30:00Z", 19900, 29900),
    ("DST spring-forward day at 00:30 local; UTC still the 27th", "change", "month", "2027-03-01", "Europe/Berlin", "2027-03-27T23:30:00Z", 19900, 29900),
    ("DST fall-back day at 00:30 local; UTC still the 30th", "change", "month", "2027-10-01", "Europe/Berlin", "2027-10-30T22:30:00Z", 19900, 29900),
    ("after DST fall-back; 00:30 local on 1 November", "change", "month", "2027-10-01", "Europe/Berlin", "2027-10-31T23:30:00Z", 19900, 29900),
    ("DST New York: 23:30 local on the 13th is the 14th in UTC", "change", "month", "2027-03-01", "America/New_York", "2027-03-14T04:30:00Z", 19900, 29900),
    ("DST Sydney (autumn in April): 01:00 local", "change", "month", "2027-04-01", "Australia/Sydney", "2027-04-03T14:00:00Z", 19900, 29900),
    ("weekly period across the spring change; Sunday night", "change", "week", "2027-03-22", "Europe/Berlin", "2027-03-28T21:30:00Z", 5000, 8000),
    ("weekly upgrade on Wednesday", "change", "week", "2027-01-04", "Europe/Berlin", "2027-01-06T12:00:00Z", 5000, 8000),
    ("daily package changed during its day", "change", "day", "2027-01-04", "Europe/Berlin", "2027-01-06T12:00:00Z", 2500, 3500),
    ("yearly period holding 29 February (366 days)", "change", "year", "2027-06-01", "Europe/Berlin", "2028-02-29T12:00:00Z", 240000, 300000),
    ("yearly anchor 29 February: next period from 28 February", "change", "year", "2028-02-29", "Europe/Berlin", "2028-12-01T12:00:00Z", 240000, 300000),
    ("half-even: 0.5 rounds to 0", "change", "month", "2027-04-01", "Europe/Berlin", "2027-04-16T12:00:00Z", 0, 1),
    ("half-even: 1.5 rounds to 2", "change", "month", "2027-04-01", "Europe/Berlin", "2027-04-16T12:00:00Z", 0, 3),
    ("half-even: 2.5 rounds to 2", "change", "month", "2027-04-01", "Europe/Berlin", "2027-04-16T12:00:00Z", 0, 5),
    ("half-even on both sides; netted after rounding", "change", "month", "2027-04-01", "Europe/Berlin", "2027-04-16T12:00:00Z", 5, 7),
    ("a large yearly price", "change", "year", "2027-01-01", "Europe/Berlin", "2027-05-17T12:00:00Z", 100000000, 250000000),
    ("cancel now mid-month", "cancel-now", "month", "2027-01-01", "Europe/Berlin", "2027-03-10T12:00:00Z", 19900, 0),
    ("cancel now on the period's first day", "cancel-now", "month", "2027-01-01", "Europe/Berlin", "2027-03-01T12:00:00Z", 19900, 0),
    ("cancel now on the period's last day", "cancel-now", "month", "2027-01-01", "Europe/Berlin", "2027-03-31T12:00:00Z", 19900, 0),
    ("cancel now in leap February", "cancel-now", "month", "2028-01-01", "Europe/Berlin", "2028-02-10T12:00:00Z", 19900, 0),
    ("cancel now a weekly package on Sunday night local", "cancel-now", "week", "2027-01-04", "Europe/Berlin", "2027-01-10T22:30:00Z", 5000, 0),
]


def main():
    assert all("," not in case[0] for case in CASES), "a case's name has no comma: the CSV is split on commas"
    with open("proration-golden.csv", "w", newline="") as out:
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["case", "op", "interval", "anchor", "zone", "at", "old_price", "new_price",
                    "day", "period_start", "period_end", "days", "credit", "charge", "net", "document"])
        for name, op, interval, anchor, zone, at, old, new in CASES:
            instant = datetime.strptime(at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
            day = instant.astimezone(ZoneInfo(zone)).date()
            start, end = period(date.fromisoformat(anchor), interval, day)
            total = (end - start).days
            left = (end - day).days
            if op == "start":
                days, credit, charge = left, 0, share(new, left, total)
            elif op == "change":
                days, credit, charge = left, share(old, left, total), share(new, left, total)
            else:
                days, credit, charge = left - 1, share(old, left - 1, total), 0
            net = charge - credit
            doc = "invoice" if net > 0 else "credit-note" if net < 0 else "none"
            w.writerow([name, op, interval, anchor, zone, at, old, new, day, start, end, days, credit, charge,
                        net, doc])


main()
