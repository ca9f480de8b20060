"""backproplib: the companion package of *Backpropagation, one derivative at a time*.

One small module per idea of the book:

- :mod:`backproplib.activations` - activation functions ``g`` and their derivatives ``g'(z)``
- :mod:`backproplib.losses` - per-sample losses and their derivatives with respect to the activation
- :mod:`backproplib.network` - the multi-layer perceptron, its forward pass and backpropagation
- :mod:`backproplib.logistic` - logistic regression, one sigmoid neuron (chapter 2)
- :mod:`backproplib.chain_rule` - the three chain-rule factors of one weight (chapter 3)
- :mod:`backproplib.downstream` - sums over downstream nodes; backpropagation with loops (chapter 4)
- :mod:`backproplib.batch` - per-sample gradients, their mean, and the tempting wrong ways (chapter 5)
- :mod:`backproplib.matrix_form` - Hadamard products, Jacobians, outer products, rows vs columns (chapter 6)
- :mod:`backproplib.training` - mini-batch training, one-hot targets, accuracy (chapter 7)
- :mod:`backproplib.autodiff` - reverse- and forward-mode automatic differentiation (chapter 8)
- :mod:`backproplib.depth` - initialisation and the flow of gradients through depth (chapter 9)
- :mod:`backproplib.diagnose` - where a learner's backpropagation goes wrong, and why (chapter 10)
- :mod:`backproplib.gradcheck` - centred finite differences and relative errors
- :mod:`backproplib.running_example` - the small network followed through chapters 3 to 5
- :mod:`backproplib.exercises` - checks for the exercises, one module per chapter
- :mod:`backproplib.plotting` - pictures of networks and computation graphs (needs matplotlib)

Notation (book, section "Notation at a glance"): ``z = W a_prev + b`` is the weighted input,
``a = g(z)`` the activation, ``C_0`` the loss of one sample and ``J`` the mean loss of a batch.
In code, samples are rows: ``X`` has shape ``(m, n_0)`` and ``Z = A_prev @ W.T + b``.
"""

import importlib as _importlib
import pkgutil as _pkgutil
from types import ModuleType as _ModuleType

__version__ = "2.0.0"

__all__ = ["__version__"]


def _submodule_names() -> list[str]:
    """The public modules of the package (every ``backproplib/*.py`` and subpackage not named ``_*``)."""
    return sorted(info.name for info in _pkgutil.iter_modules(__path__) if not info.name.startswith("_"))


def __getattr__(name: str) -> _ModuleType:
    """``backproplib.activations`` and friends, imported on first use (PEP 562).

    ``import backproplib`` stays fast and needs neither matplotlib nor any submodule; the first
    ``backproplib.plotting`` imports matplotlib, as ``import backproplib.plotting`` would.
    """
    if name in _submodule_names():
        return _importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_submodule_names()})
