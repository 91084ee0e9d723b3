"""Greetings, with words read from a data file next to this module."""
import os

_WORDS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "words.txt")


def words():
    """Returns the greeting words of words.txt, one per line."""
    with open(_WORDS) as f:
        return [line.strip() for line in f if line.strip()]


def greet(name):
    return "%s, %s!" % (words()[0], name)
