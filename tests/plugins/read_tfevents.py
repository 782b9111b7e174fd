"""read_tfevents.py — prints the scalars that TensorBoard's own reader finds
in an event directory, one "tag<TAB>step<TAB>value" line each, sorted by tag
then step, for test_logger_tensorboard --interop to compare with what it
logged. Values are printed with repr() so that they read back exactly.

Usage: python3 read_tfevents.py EVENT_DIR
"""
import sys

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator


def main() -> int:
    accumulator = EventAccumulator(sys.argv[1], size_guidance={"scalars": 0})
    accumulator.Reload()
    for tag in sorted(accumulator.Tags()["scalars"]):
        for event in accumulator.Scalars(tag):
            print(f"{tag}\t{event.step}\t{event.value!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
