"""time.sleep for the suite under faketime (.ci/next_year.sh puts this folder on PYTHONPATH).

Debian's libfaketime 0.9.10 cannot serve Python whichever way the monotonic clock is set:
faked, every threading wait (sem_clockwait on the monotonic clock, which it does not wrap)
waits a year; not faked, it still shifts time.sleep's absolute monotonic deadline
(clock_nanosleep with TIMER_ABSTIME) by the fake offset, and the sleep fails with EINVAL.
So the monotonic clock stays true and time.sleep waits in select(), whose relative timeout
libfaketime passes through untouched. Nothing else changes: the wall clock is a year ahead.
"""

import select
import time


def _sleep(seconds: float) -> None:
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    select.select([], [], [], seconds)


time.sleep = _sleep
