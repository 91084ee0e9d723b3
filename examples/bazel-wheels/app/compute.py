"""What the app does: a little linear algebra and a signature."""
import hashlib

import numpy
from cryptography.hazmat.primitives import hashes, hmac


def solve():
    """Solves a 2x2 linear system with numpy."""
    a = numpy.array([[3.0, 1.0], [1.0, 2.0]])
    b = numpy.array([9.0, 8.0])
    return numpy.linalg.solve(a, b)


def sign(message, key=b"rules_pex"):
    """Returns the HMAC-SHA256 of message, computed by cryptography."""
    h = hmac.HMAC(key, hashes.SHA256())
    h.update(message)
    return h.finalize()


def expected_signature(message, key=b"rules_pex"):
    """The same HMAC from the standard library, to check cryptography against."""
    import hmac as stdlib_hmac

    return stdlib_hmac.new(key, message, hashlib.sha256).digest()
