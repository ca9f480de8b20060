"""backproplib: the companion package of *Backpropagation, one derivative at a time*.

One small module per idea of the book:

- :mod:`backproplib.activations` - activation functions ``g`` and their derivatives ``g'(z)``
- :mod:`backproplib.losses` - per-sample losses and their derivatives with respect to the activation
- :mod:`backproplib.network` - the multi-layer perceptron, its forward pass and backpropagation
- :mod:`backproplib.gradcheck` - centred finite differences and relative errors
- :mod:`backproplib.plotting` - pictures of networks and computation graphs (needs matplotlib)

Notation (book, section "Notation at a glance"): ``z = W a_prev + b`` is the weighted input,
``a = g(z)`` the activation, ``C_0`` the loss of one sample and ``J`` the mean loss of a batch.
In code, samples are rows: ``X`` has shape ``(m, n_0)`` and ``Z = A_prev @ W.T + b``.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
