"""Draws from the ranges of a programme's inputs, reproducible on any machine (method §23).

The random numbers are PCG64's raw 64-bit outputs (:class:`numpy.random.Generator` seeded with
the run's seed), turned into uniforms in (0, 1) as ``top 53 bits / 2**53`` (a zero taken as
``2**-54``): the same bits on every platform. Each range takes its value from a uniform by its
inverse distribution function (so a ``group`` of ranges can share one uniform and move
together). Everything after
the raw bits is IEEE arithmetic (``+ - * /`` and the square root, which every machine rounds
alike): the logarithm and exponential that the normal and lognormal need are computed here from
those operations rather than taken from a maths library whose last bit may differ between
machines. So the same seed gives the same figures on any machine.

Draw ``i`` of a run takes the uniforms ``i * streams`` to ``(i + 1) * streams - 1`` of the
sequence, so the figures do not depend on how the draws are split into chunks. Arrays are laid
out ranges by draws (one row per range).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..uncertainty import Range

__all__ = ["Sampler", "exp", "generator", "log", "normal_quantile", "uniforms"]

_LN2_HI = 6.93147180369123816490e-01  # ln 2 in two parts (fdlibm's), so k * ln 2 is exact
_LN2_LO = 1.90821492927058770002e-10
_SQRT_HALF = 0.7071067811865476
_TINY = 2.0**-54


def generator(seed: int) -> np.random.Generator:
    """The run's generator: PCG64 seeded with ``seed``."""
    return np.random.Generator(np.random.PCG64(seed))


def uniforms(rng: np.random.Generator, streams: int, draws: int) -> np.ndarray:
    """The next ``draws`` draws of ``streams`` uniforms each, in (0, 1): shape (streams, draws).

    Each is PCG64's next raw output's top 53 bits over 2**53 (``Generator.random``), and a
    zero, the one value it can give outside (0, 1), is taken as 2**-54.
    """
    u = rng.random((draws, streams))
    np.maximum(u, _TINY, out=u)
    return u.T


def log(x: np.ndarray) -> np.ndarray:
    """The natural logarithm of positive ``x``, from IEEE operations only (to about 1e-16).

    ``x = m * 2**e`` with ``m`` in [sqrt(1/2), sqrt(2)); ``log m = 2 atanh(s)`` with
    ``s = (m-1)/(m+1)``, by its series to s**23 (``|s| < 0.172``).
    """
    m, e = np.frexp(x)
    small = m < _SQRT_HALF
    m = np.where(small, m * 2.0, m)
    e = (e - small).astype(np.float64)
    s = (m - 1.0) / (m + 1.0)
    s2 = s * s
    series = np.full_like(s, 1.0 / 23.0)
    for k in range(21, 0, -2):
        series = series * s2 + 1.0 / k
    return (e * _LN2_LO + 2.0 * s * series) + e * _LN2_HI


def exp(y: np.ndarray) -> np.ndarray:
    """``e ** y`` from IEEE operations only (to about 1e-16): ``2**k * e**r``, ``|r| <= ln2/2``,
    ``e**r`` by its Taylor series to r**16."""
    y = np.clip(y, -745.0, 709.0)
    k = np.rint(y / (_LN2_HI + _LN2_LO))
    r = (y - k * _LN2_HI) - k * _LN2_LO
    series = np.full_like(r, 1.0)
    for n in range(16, 0, -1):
        series = series * (r / n) + 1.0
    return np.ldexp(series, k.astype(np.int64))


# Acklam's rational approximation of the normal quantile (relative error below 1.2e-9).
_A = (-3.969683028665376e01, 2.209460984245205e02, -2.759285104469687e02,
      1.383577518672690e02, -3.066479806614716e01, 2.506628277459239e00)  # fmt: skip
_B = (-5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02,
      6.680131188771972e01, -1.328068155288572e01)  # fmt: skip
_C = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e00,
      -2.549732539343734e00, 4.374664141464968e00, 2.938163982698783e00)  # fmt: skip
_D = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00, 3.754408661907416e00)
_P_LOW = 0.02425


def _poly(coefficients: Sequence[float], x: np.ndarray, last: float | None = None) -> np.ndarray:
    total = np.full_like(x, coefficients[0])
    for c in coefficients[1:]:
        total = total * x + c
    return total if last is None else total * x + last


def normal_quantile(u: np.ndarray) -> np.ndarray:
    """The standard normal's quantile of each ``u`` in (0, 1) (Acklam's approximation)."""
    q = u - 0.5
    r = q * q
    z = _poly(_A, r) * q / _poly(_B, r, 1.0)
    tail = np.minimum(u, 1.0 - u)
    outer = tail < _P_LOW
    if outer.any():
        t = np.sqrt(-2.0 * log(tail[outer]))
        value = _poly(_C, t) / _poly(_D, t, 1.0)
        z[outer] = np.where(u[outer] < 0.5, value, -value)
    return z


class Sampler:
    """The values of a list of ranges from their uniforms.

    ``ranges[i]`` takes stream ``streams[i]`` (ranges in one group share a stream) and is kept
    within ``limits[i]`` (lowest, highest; None for no limit), which only a normal can leave.
    """

    def __init__(
        self,
        ranges: Sequence[Range],
        streams: Sequence[int],
        limits: Sequence[tuple[float | None, float | None]],
    ):
        self.streams = np.asarray(streams, dtype=np.int64)
        self.size = len(ranges)
        self.parts: list[tuple[str, np.ndarray, dict[str, np.ndarray]]] = []
        for dist in ("triangular", "uniform", "normal", "lognormal"):
            index = [i for i, r in enumerate(ranges) if r.dist == dist]
            if not index:
                continue
            params = {
                name: np.array([[float(getattr(ranges[i], name))] for i in index])
                for name in ("low", "mode", "high", "mean", "sd")
                if getattr(ranges[index[0]], name) is not None
            }
            low = [limits[i][0] for i in index]
            high = [limits[i][1] for i in index]
            params["floor"] = np.array([[-np.inf if v is None else v] for v in low])
            params["ceiling"] = np.array([[np.inf if v is None else v] for v in high])
            self.parts.append((dist, np.asarray(index, dtype=np.int64), params))

    def values(self, u: np.ndarray) -> np.ndarray:
        """Each range's value in each draw, ``(ranges, draws)``, from the streams' uniforms
        ``(streams, draws)``."""
        out = np.empty((self.size, u.shape[1]))
        for dist, index, p in self.parts:
            out[index] = _INVERSE[dist](u[self.streams[index]], p)
        return out


def _triangular(u: np.ndarray, p: dict[str, np.ndarray]) -> np.ndarray:
    """``low + sqrt(u w (mode - low))`` below the mode, ``high - sqrt((1 - u) w (high - mode))``
    above it, with ``w = high - low`` (a flat range gives ``high``, which is ``low``)."""
    low, mode, high = p["low"], p["mode"], p["high"]
    width = high - low
    left = mode - low
    reach = u * width
    rising = np.sqrt(reach * left)
    rising += low
    falling = width - reach
    falling *= high - mode
    np.sqrt(falling, out=falling)
    np.subtract(high, falling, out=falling)
    return np.where(reach < left, rising, falling)


def _uniform(u: np.ndarray, p: dict[str, np.ndarray]) -> np.ndarray:
    return p["low"] + (p["high"] - p["low"]) * u


def _normal(u: np.ndarray, p: dict[str, np.ndarray]) -> np.ndarray:
    value = p["mean"] + p["sd"] * normal_quantile(u)
    return np.minimum(np.maximum(value, p["floor"]), p["ceiling"])


def _lognormal(u: np.ndarray, p: dict[str, np.ndarray]) -> np.ndarray:
    """Parameters are the mean and sd of the value itself:
    ``sigma**2 = log(1 + (sd/mean)**2)``, ``mu = log(mean) - sigma**2 / 2``."""
    mean, sd = p["mean"], p["sd"]
    ratio = sd / mean
    sigma2 = log(1.0 + ratio * ratio)
    mu = log(mean) - sigma2 / 2.0
    return exp(mu + np.sqrt(sigma2) * normal_quantile(u))


_INVERSE = {
    "triangular": _triangular,
    "uniform": _uniform,
    "normal": _normal,
    "lognormal": _lognormal,
}
