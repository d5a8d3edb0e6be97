"""Signed action links: valid only for the same key, purpose and parts."""

from __future__ import annotations

from server.web.signing import sign, verify

KEY = "signing-test-key-" + "s" * 30


def test_a_signature_verifies_for_what_it_signed():
    signature = sign(KEY, "followup-done", 12, 34)
    assert len(signature) == 32 and int(signature, 16) >= 0
    assert verify(KEY, signature, "followup-done", 12, 34)
    # Parts are compared as text: the number and its string are the same part.
    assert verify(KEY, signature, "followup-done", "12", "34")


def test_another_purpose_part_order_or_key_fails():
    signature = sign(KEY, "followup-done", 12, 34)
    assert not verify(KEY, signature, "followup-snooze", 12, 34)
    assert not verify(KEY, signature, "followup-done", 12, 35)
    assert not verify(KEY, signature, "followup-done", 34, 12)
    assert not verify(KEY, signature, "followup-done", 12)
    assert not verify(KEY, signature, "followup-done", 12, 34, 56)
    assert not verify(KEY + "x", signature, "followup-done", 12, 34)


def test_parts_cannot_be_regrouped():
    # "1" + "23" and "12" + "3" are different messages, whatever the joined text.
    assert sign(KEY, "p", 1, 23) != sign(KEY, "p", 12, 3)
    assert sign(KEY, "p", "a", "b") != sign(KEY, "p", "ab")


def test_a_changed_or_truncated_signature_fails():
    signature = sign(KEY, "followup-done", 12, 34)
    flipped = ("0" if signature[0] != "0" else "1") + signature[1:]
    assert not verify(KEY, flipped, "followup-done", 12, 34)
    assert not verify(KEY, signature[:-1], "followup-done", 12, 34)
    assert not verify(KEY, "", "followup-done", 12, 34)
