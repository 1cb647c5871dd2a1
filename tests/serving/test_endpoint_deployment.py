"""How an endpoint changes after its first deploy (``serving/deployment.py``): the generation, the traffic shifting
the capacity allows, and the sleep schedule. Pure."""

from __future__ import annotations

import pytest

from platform_constructs.policy_serving import EndpointSchedule
from platform_constructs.serving import deployment


def test_the_generation_is_stable_short_and_ignores_variant_order() -> None:
    one = deployment.generation("realtime", [("Primary", "ml.m5.xlarge"), ("B", "ml.c5.xlarge")])
    assert one == deployment.generation("realtime", [("B", "ml.c5.xlarge"), ("Primary", "ml.m5.xlarge")])
    assert len(one) == deployment.GENERATION_LENGTH and int(one, 16) >= 0
    assert one != deployment.generation("realtime", [("Primary", "ml.m5.2xlarge"), ("B", "ml.c5.xlarge")])
    assert one != deployment.generation("async", [("Primary", "ml.m5.xlarge"), ("B", "ml.c5.xlarge")])
    assert deployment.physical_name("churn", one) == f"churn-{one}"


@pytest.mark.parametrize(("shifting", "step", "instances", "expected"), [
    ("canary", 10, 1, "ALL_AT_ONCE"),   # 10 % of one instance is the whole instance: more than half
    ("canary", 10, 2, "CANARY"),        # one of two
    ("canary", 50, 2, "CANARY"),
    ("canary", 50, 3, "ALL_AT_ONCE"),   # 50 % of three rounds up to two of three
    ("canary", 25, 4, "CANARY"),
    ("linear", 10, 10, "LINEAR"),
    ("linear", 20, 1, "ALL_AT_ONCE"),
    ("linear", 50, 4, "LINEAR"),
    ("canary", 10, 0, "ALL_AT_ONCE"),   # an async endpoint that may scale to zero
])
def test_traffic_shifting_follows_the_minimum_capacity(shifting: str, step: int, instances: int,
                                                       expected: str) -> None:
    assert deployment.traffic_routing(shifting, step, instances) == expected


def test_the_sleep_schedule_scales_to_the_floor_and_back() -> None:
    schedule = EndpointSchedule("cron(0 20 ? * MON-FRI *)", "cron(0 7 ? * MON-FRI *)", "Europe/Berlin")
    asleep, awake = deployment.sleep_schedule(schedule, floor=0, min_capacity=1, max_capacity=4)
    assert (asleep.name, asleep.schedule, asleep.timezone, asleep.min_capacity, asleep.max_capacity) == (
        "sleep", schedule.sleep, "Europe/Berlin", 0, 0)
    assert (awake.name, awake.schedule, awake.min_capacity, awake.max_capacity) == ("wake", schedule.wake, 1, 4)
