"""The safe subset of LaTeX allowed for symbol overrides in problem files."""
from __future__ import annotations

import re

from .errors import ProblemError

GREEK = tuple(("alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi pi rho "
               "sigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Phi Psi Omega").split())
_SAFE_SYMBOL = re.compile(
    r"(?:[A-Za-z0-9'](?:[A-Za-z0-9']*)"
    r"|\\(?:" + "|".join(GREEK) + r")"
    r"|\\(?:hat|bar|tilde|vec|mathcal|mathrm|mathbf|boldsymbol|mathit|operatorname)\{(?:[A-Za-z0-9]+|\\(?:"
    + "|".join(GREEK) + r"))\})"
)


def check_symbol(text: str, source: str, role: str) -> str:
    """Accept only a safe subset of LaTeX for symbol overrides (letters, digits, Greek, accents)."""
    if not _SAFE_SYMBOL.fullmatch(text):
        raise ProblemError(
            source, f"notation.symbols.{role}",
            f"'{text}' is not an allowed symbol: use letters and digits, a Greek letter such as \\theta, "
            "or one accent such as \\hat{y} or \\mathcal{L}",
        )
    return text
