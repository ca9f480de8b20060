"""How closely a centred finite difference can agree with an exact derivative, in float64.

Each of :math:`f(x + h)` and :math:`f(x - h)` is rounded to about :math:`\\epsilon |f|`, so their
difference divided by :math:`2h` carries a round-off of about :math:`\\epsilon |f| / h`: it is set
by the size of the **function**, not of the derivative. A small derivative of a large cost is
therefore known to few digits, and a relative bound such as 1e-7 fails a right implementation.
The truncation error, :math:`h^2 |f'''| / 6`, is about 1e-12 relative for the smooth functions
tested here.
"""

from __future__ import annotations

import numpy as np

EPSILON = float(np.finfo(np.float64).eps)
STEP = 1e-6  # backproplib.gradcheck's default h


def rounding_bound(function_scale: float, step: float = STEP) -> float:
    """An upper bound of the round-off of a centred difference of a function of size
    ``function_scale``: ``eps |f| / h`` with a safety factor of 100 (each evaluation may be
    rounded by several ulps)."""
    return 100.0 * EPSILON * max(abs(function_scale), 1.0) / step


def assert_matches_finite_differences(exact, numeric, function_scale: float, step: float = STEP,
                                      rtol: float = 1e-7) -> None:
    """``numeric`` (centred differences) agrees with ``exact`` within ``rtol`` plus the round-off
    of differences of a function of size ``function_scale``."""
    np.testing.assert_allclose(numeric, exact, rtol=rtol,
                               atol=rounding_bound(function_scale, step))
