# mypy: ignore-errors
# (a Metaflow flow script that test_local_metaflow.py runs with the real client; Metaflow's decorators and
# artifacts are untyped)
"""A small Metaflow flow for tests/local/test_local_metaflow.py: a local ``start`` that fans out, a ``square`` step on
AWS Batch, a join, and a daily schedule (so ``step-functions create`` also writes an EventBridge rule)."""

from metaflow import FlowSpec, batch, schedule, step


@schedule(daily=True)
class PlatformFlow(FlowSpec):
    @step
    def start(self):
        self.items = [1, 2, 3]
        self.next(self.square, foreach="items")

    @batch(cpu=1, memory=2048)
    @step
    def square(self):
        self.result = self.input * self.input
        self.next(self.join)

    @step
    def join(self, inputs):
        self.total = sum(i.result for i in inputs)
        self.next(self.end)

    @step
    def end(self):
        print("total", self.total)


if __name__ == "__main__":
    PlatformFlow()
