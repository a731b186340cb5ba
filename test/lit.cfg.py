# The pymemcheck lit suite: runtime tests compile and run C programs against
# the runtime library; plugin tests run clang with pymemcheck.so loaded.
# Substitutions (documented in test/README.md):
#   %cc              the tree's C compiler, C11, warnings as errors, the
#                    runtime's include directory and the tree's sanitizers
#   %libpymemcheck   the static runtime library and the thread library
#   %clang, %clangxx the clang of this tree's LLVM major (plugin tests)
#   %plugin          the path of this tree's pymemcheck.so
#   %llvm_major      this tree's LLVM major (14, 19), e.g. for check prefixes
#   %cpython         the CPython interpreter CMake found (host-mode tests)
#   %runtime_include the runtime's public include directory
#   %py_include      CPython's include directory (feature cpython-headers)
#   %host_library    the host library, with its run path, to link with
#                    (feature host); %host_library_path its path alone
#   %wordcount_plain, %wordcount_traced  the directories of the wordcount
#                    example's two builds (feature wordcount)
#   %wordcount_src   the example's source, examples/wordcount/wordcount.c
#   %pmc_src_root    the source tree
#   %pmc_obj_root    this build tree
#   %lit             lit.py itself, for a nested run (run with %python)
# Parameters (lit --param NAME=VALUE), for nested runs such as
# test/plugin/robustness.test:
#   pymemcheck_exec_root       where the run writes its outputs
#   pymemcheck_cc              the compiler command %cc starts with
#   pymemcheck_runtime_static  the runtime library %libpymemcheck links
import os
import shlex

import lit.formats
from lit.llvm import llvm_config

config.name = "pymemcheck"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".c", ".cpp", ".test"]
config.excludes = ["Inputs", "README.md"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = lit_config.params.get(
    "pymemcheck_exec_root", os.path.join(config.pmc_obj_root, "test"))

llvm_config.use_default_substitutions()  # FileCheck, not, count, split-file
# Tests spell `not` and `count` at the start of a command too.
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

# A test's output must not depend on the developer's environment.
for var in ("PYTHONMALLOC", "PYTHONMALLOCSTATS", "PYMEMCHECK", "ASAN_OPTIONS",
            "TSAN_OPTIONS"):
    config.environment.pop(var, None)

runtime_include = os.path.join(config.pmc_src_root, "runtime", "include")
cflags = ["-std=c11", "-Wall", "-Wextra", "-Werror", "-g", "-O1",
          "-I" + runtime_include] + shlex.split(config.pmc_sanitize_flags)
cc = lit_config.params.get("pymemcheck_cc", shlex.quote(config.pmc_cc))
runtime_static = lit_config.params.get("pymemcheck_runtime_static",
                                       config.pmc_runtime_static)
config.substitutions.append(("%cc", " ".join([cc] + cflags)))
# A runtime compiled with the plugin's rewrite (test/plugin/robustness.test)
# calls trace entry points from inside its own allocators, and the runtime
# tests check the allocator chain as they installed it: tracing must not
# start by itself there.  The tracer's own tests set PYMEMCHECK themselves.
if "pymemcheck_runtime_static" in lit_config.params:
    config.environment["PYMEMCHECK"] = "start=manual"
config.substitutions.append(
    ("%libpymemcheck", shlex.quote(runtime_static) + " -pthread"))
config.substitutions.append(("%runtime_include", runtime_include))
config.substitutions.append(("%pmc_src_root", config.pmc_src_root))
config.substitutions.append(("%pmc_obj_root", config.pmc_obj_root))
config.substitutions.append(("%lit", os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(lit.__file__))), "lit.py")))
py_include = config.pmc_python_include.split(";")[0]
if py_include and os.path.exists(os.path.join(py_include, "Python.h")):
    config.available_features.add("cpython-headers")
    config.substitutions.append(("%py_include", py_include))
config.substitutions.append(("%cpython", shlex.quote(config.pmc_python)))
# CPython 3.12 and newer keep pymalloc's state per interpreter, found
# through the thread state: a PyMem_* or PyObject_* call without one
# crashes there, and the host library aborts instead of going on
# (test/host/gil-3.12.test).
if tuple(int(n) for n in config.pmc_python_version.split(".")[:2]) >= (3, 12):
    config.available_features.add("cpython-3.12-or-newer")
# Host mode: the host library is built wherever CPython's headers are and
# the tree is not sanitized; the wordcount example where the plugin is too.
if config.pmc_host_lib:
    config.available_features.add("host")
    config.substitutions.append(("%host_library_path", shlex.quote(config.pmc_host_lib)))
    config.substitutions.append(("%host_library", "%s -Wl,-rpath,%s" % (
        shlex.quote(config.pmc_host_lib),
        shlex.quote(os.path.dirname(config.pmc_host_lib)))))
if config.pmc_wordcount_dir:
    config.available_features.add("wordcount")
    config.substitutions.append(("%wordcount_plain",
                                 os.path.join(config.pmc_wordcount_dir, "plain")))
    config.substitutions.append(("%wordcount_traced",
                                 os.path.join(config.pmc_wordcount_dir, "traced")))
    config.substitutions.append(("%wordcount_src", os.path.join(
        config.pmc_src_root, "examples", "wordcount", "wordcount.c")))

# Chromium (Debian's chromium), for the HTML report's tests (test/tools/html-*):
# they render the page headless and check its DOM.  --no-sandbox because the
# suite may run as root, where Chromium's sandbox refuses to start.
if os.path.exists("/usr/bin/chromium"):
    config.available_features.add("chromium")
    config.substitutions.append(("%chromium", "/usr/bin/chromium --headless "
                                 "--no-sandbox --disable-gpu --no-first-run"))

if config.pmc_sanitize:
    for name in config.pmc_sanitize.split(","):
        config.available_features.add(name.strip() + "-sanitizer")
    # Sanitized runs abort on the first report, so a test cannot pass over
    # one.  Tests ask libc for impossible sizes on purpose, to see NULL
    # handled: the sanitizers' allocators must answer NULL too, as glibc's.
    config.environment["ASAN_OPTIONS"] = "allocator_may_return_null=1"
    config.environment["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
    config.environment["TSAN_OPTIONS"] = (
        "halt_on_error=1:second_deadlock_stack=1:allocator_may_return_null=1")
config.available_features.add("cc-" + config.pmc_cc_id.lower())

if config.pmc_plugin:
    config.available_features.add("plugin")
    config.available_features.add("llvm%d" % config.llvm_version_major)
    tools = config.llvm_tools_dir
    config.substitutions.append(("%clangxx", os.path.join(tools, "clang++")))
    config.substitutions.append(("%clang", os.path.join(tools, "clang")))
    config.substitutions.append(("%plugin", config.pmc_plugin))
    config.substitutions.append(
        ("%llvm_major", str(config.llvm_version_major)))

# ---- test/tools/: the compiler wrappers, pymemcheck-review, the install ----
# (docs/tools.md).  The wrappers are generated into the tree's bin/ where
# the plugin is built.  Their settings come from the environment, so the
# developer's must not leak in.  Features: `cmake`, `pkg-config`,
# `setuptools` (the system python3 can build an extension with it).
import shutil
import subprocess
for var in ("PYMEMCHECK_TRACE", "PYMEMCHECK_PLUGIN_ARGS", "PYMEMCHECK_RUNTIME",
            "PYMEMCHECK_LLVM_MAJOR", "PYMEMCHECK_PLUGIN", "CC", "CXX", "CFLAGS",
            "CXXFLAGS", "LDFLAGS", "PKG_CONFIG_PATH"):
    config.environment.pop(var, None)
pmc_bin = os.path.join(config.pmc_obj_root, "bin")
config.substitutions.append(("%pymemcheck_clangxx",
                             os.path.join(pmc_bin, "pymemcheck-clang++")))
config.substitutions.append(("%pymemcheck_clang",
                             os.path.join(pmc_bin, "pymemcheck-clang")))
config.substitutions.append(("%pymemcheck_review",
                             os.path.join(pmc_bin, "pymemcheck-review")))
for tool in ("cmake", "pkg-config"):
    if shutil.which(tool):
        config.available_features.add(tool)
if subprocess.call([config.pmc_python, "-c", "import setuptools"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) == 0:
    config.available_features.add("setuptools")
