"""Shared test settings: with CI set, Hypothesis runs the same examples every time (a red CI run can be
reproduced exactly); locally it draws new examples each run."""
import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
