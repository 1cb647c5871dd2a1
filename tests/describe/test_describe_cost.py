"""The monthly cost range at the policy's prices."""

from __future__ import annotations

import pytest
from describe_templates import batch_template, endpoint_template

from platform_constructs.describe.cost import by_cost_center, cost_range, stack_cost
from platform_constructs.describe.model import read_stack
from platform_constructs.policy import PricePolicy

PRICES = PricePolicy(currency="USD", hours_per_month=730, endpoint_hour=0.01, serverless_gb_hour=0.072,
                     fargate_vcpu_hour=0.04, fargate_gb_hour=0.005,
                     instance_hour={"ml.m5.large": 0.1, "g4dn.xlarge": 0.5, "g5.xlarge": 1.0})


def test_an_endpoint_costs_its_instances_from_min_to_max_plus_the_endpoint_charge() -> None:
    cost = stack_cost(read_stack("churn", endpoint_template(low=2, high=4)), PRICES)
    assert (cost.low, cost.high) == pytest.approx((2 * 0.1 * 730 + 7.3, 4 * 0.1 * 730 + 7.3))
    assert [line.what for line in cost.lines] == ["Primary: ml.m5.large x 2-4", "endpoint charge"]
    assert cost_range(cost, "USD") == "USD 153-299/month"


def test_serverless_costs_nothing_idle_up_to_memory_times_concurrency() -> None:
    cost = stack_cost(read_stack("s", endpoint_template(mode="serverless")), PRICES)
    assert (cost.low, cost.high) == pytest.approx((7.3, 2 * 5 * 0.072 * 730 + 7.3))


def test_an_unpriced_instance_type_is_listed_not_guessed() -> None:
    cost = stack_cost(read_stack("s", endpoint_template(instance_type="ml.p5.48xlarge")), PRICES)
    assert cost.unpriced == ("ml.p5.48xlarge (no price in the policy's prices.instance_hour)",)
    assert (cost.low, cost.high) == pytest.approx((7.3, 7.3))


def test_batch_from_zero_to_the_dearest_type_filling_max_vcpus() -> None:
    cost = stack_cost(read_stack("train", batch_template()), PRICES)
    lines = {line.what.split(":")[0]: (line.low, line.high) for line in cost.lines}
    # spot (overshoot allowed): ceil(8 / 4) g5.xlarge; BEST_FIT on-demand: floor(11 / 4) g5.xlarge
    assert lines["Spot"] == pytest.approx((0, 2 * 1.0 * 730))
    assert lines["OnDemand"] == pytest.approx((0, 2 * 1.0 * 730))
    assert lines["Fargate"] == pytest.approx((0, 4 * (0.04 + 2 * 0.005) * 730))


def test_costs_add_up_per_cost_centre() -> None:
    summaries = [read_stack("churn", endpoint_template()), read_stack("train", batch_template())]
    totals = by_cost_center(summaries, PRICES)
    assert list(totals) == ["churn"]
    assert totals["churn"].high == pytest.approx(sum(stack_cost(s, PRICES).high for s in summaries))
