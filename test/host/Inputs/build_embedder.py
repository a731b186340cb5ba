"""Runs a compile command (argv[1:]) with the flags that link a program
embedding the interpreter running this script: its libpython and the run
path to it.  lit's shell has no command substitution to ask python3-config."""
import subprocess
import sys
import sysconfig

libdir = sysconfig.get_config_var("LIBDIR")
command = sys.argv[1:] + ["-L" + libdir, "-Wl,-rpath," + libdir,
                          "-lpython" + sysconfig.get_config_var("LDVERSION")]
sys.exit(subprocess.call(command))
