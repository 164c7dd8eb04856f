"""Page faults of one command: the median, over RUNS runs, of the minor and
major faults wait4 reports for it from exec to exit. posix_spawn starts it,
which faults nothing in before the exec (a fork would). Its output goes to
/dev/null; a run that does not exit 0 is an error. Run it in the environment
the command is to be measured in.

    python3 benches/faults.py RUNS COMMAND [ARG...]

benches/compare.sh reports it; .ci/test guards it.
"""

import os
import statistics
import sys

runs, command = int(sys.argv[1]), sys.argv[2:]
quiet = [(os.POSIX_SPAWN_OPEN, fd, "/dev/null", os.O_WRONLY, 0) for fd in (1, 2)]
counts = []
for _ in range(runs):
    pid = os.posix_spawnp(command[0], command, dict(os.environ), file_actions=quiet)
    _, status, usage = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"faults.py: {' '.join(command)} exited {os.waitstatus_to_exitcode(status)}")
    counts.append(usage.ru_minflt + usage.ru_majflt)
print(int(statistics.median(counts)))
