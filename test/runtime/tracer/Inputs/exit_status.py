"""exit_status.py STATUS COMMAND...: run COMMAND, succeed when it exits
with STATUS (lit's shell has no $?)."""
import subprocess
import sys

status = subprocess.run(sys.argv[2:]).returncode
if status != int(sys.argv[1]):
    sys.exit("exit status %d, expected %s" % (status, sys.argv[1]))
