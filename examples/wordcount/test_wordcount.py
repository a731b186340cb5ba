"""The wordcount extension's own tests: its useful part, not its bugs.

They must pass both untraced and built with pymemcheck's trace rewrite.
"""
import unittest

import wordcount


class CountTest(unittest.TestCase):
    def test_counts_words_case_insensitively(self):
        self.assertEqual(wordcount.count("the cat and The hat"),
                         {"the": 2, "cat": 1, "and": 1, "hat": 1})

    def test_empty_text(self):
        self.assertEqual(wordcount.count(""), {})

    def test_many_distinct_words(self):
        words = " ".join(f"w{i}" for i in range(5000))
        counts = wordcount.count(words + " " + words)
        self.assertEqual(len(counts), 5000)
        self.assertTrue(all(value == 2 for value in counts.values()))

    def test_rejects_non_text(self):
        with self.assertRaises(TypeError):
            wordcount.count(b"bytes")


class LengthsTest(unittest.TestCase):
    def test_lengths(self):
        self.assertEqual(wordcount.lengths(["a", "bb", "", "dddd"]), [1, 2, 0, 4])

    def test_grows_past_its_first_capacity(self):
        words = ["x" * (i % 7) for i in range(1000)]
        self.assertEqual(wordcount.lengths(words), [len(w) for w in words])

    def test_error_frees_and_raises(self):
        with self.assertRaises(TypeError):
            wordcount.lengths(["ok", 3])


if __name__ == "__main__":
    unittest.main()
