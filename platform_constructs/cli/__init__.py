"""Console entry points: ``platform-check`` (:mod:`.check`) and ``platform`` (:mod:`.main`)."""
