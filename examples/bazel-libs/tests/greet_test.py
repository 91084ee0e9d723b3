"""Unit test of the greet library, packed into its own file by pex_test."""
import unittest

import greet


class GreetTest(unittest.TestCase):
    def test_words_come_from_the_data_file(self):
        self.assertEqual(greet.words(), ["Hello", "Bonjour", "Hola"])

    def test_greet(self):
        self.assertEqual(greet.greet("Ada"), "Hello, Ada!")


if __name__ == "__main__":
    unittest.main()
