import unittest

import config


class LoadTest(unittest.TestCase):
    def test_defaults(self):
        self.assertEqual(config.load(""), {"greeting": "Hello", "events": []})

    def test_document(self):
        settings = config.load("greeting: Hi\nevents:\n  - 2024-03-01 09:00\n")
        self.assertEqual(settings["greeting"], "Hi")
        self.assertEqual(len(settings["events"]), 1)

    def test_native_loader(self):
        # The wheel's C extension (_yaml) is importable.
        self.assertEqual(config.loader(), "libyaml")


if __name__ == "__main__":
    unittest.main()
