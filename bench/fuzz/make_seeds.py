#!/usr/bin/env python3
"""Writes the seed corpora of pipekit's fuzz targets (pipe-core/src/test/.../fuzz/*FuzzTest.java).

A seed is a raw fuzzer input. Jazzer's FuzzedDataProvider takes the targets' small parameters
(limits, widths, the seed of the cut points) from the end of the input and the wire or text from
the start, so each seed here is a meaningful body followed by a tail of 0xFF bytes, which gives
every parameter a mid-range value. The fuzzer mutates from there; what it saves on a crash lands
beside these files and is replayed by every plain `mvn test`.

Usage: bench/fuzz/make_seeds.py   (rewrites the seeds in place)
"""
import os
import struct

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "pipe-core", "src", "test", "resources", "io", "pipekit", "core", "fuzz")
TAIL = b"\xff" * 16


def frames(width, big, *bodies):
    fmt = {1: "B", 2: "H", 4: "I", 8: "Q"}[width]
    return b"".join(struct.pack((">" if big else "<") + fmt, len(b)) + b for b in bodies)


def write(target, method, name, data):
    folder = os.path.join(ROOT, target + "Inputs", method)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


u32 = lambda *bodies: frames(4, True, *bodies)
for method in ("anyBytesCutAnywhereGiveTheWiresFramesOrTheTypedError", "anyBytesTakenAsAStreamGiveTheFramesBodiesInOrder"):
    write("FrameReaderFuzzTest", method, "three-frames", u32(b"hello", b"", b"x" * 100) + TAIL)
    write("FrameReaderFuzzTest", method, "oversized-header", u32(b"ok") + b"\xff\xff\xff\xff" + b"body" + TAIL)
    write("FrameReaderFuzzTest", method, "truncated-body", u32(b"whole") + struct.pack(">I", 50) + b"only part" + TAIL)
    write("FrameReaderFuzzTest", method, "truncated-header", u32(b"whole") + b"\x00\x00" + TAIL)

for method in ("anyStreamReadsAsTheWiresFramesThenATypedEnd", "anyChunksFedToTheDecoderGiveTheWiresFrames"):
    # The width and byte order come from the tail too; these bodies are each valid for one of them.
    write("LengthPrefixFramingFuzzTest", method, "agent-request", u32(b"\x0b") + TAIL)
    write("LengthPrefixFramingFuzzTest", method, "u16le-frames", frames(2, False, b"ab", b"", b"cde") + TAIL)
    write("LengthPrefixFramingFuzzTest", method, "u64-huge", b"\xff" * 8 + b"body" + TAIL)
    write("LengthPrefixFramingFuzzTest", method, "u8-truncated", frames(1, True, b"abc") + b"\x09abc" + TAIL)
write("LengthPrefixFramingFuzzTest", "anyMessageWithinTheLimitSurvivesFramingAndReading", "message", b"any message" + TAIL)
write("LengthPrefixFramingFuzzTest", "anyMessageWithinTheLimitSurvivesFramingAndReading", "long-message", bytes(range(256)) * 2 + TAIL)

method = "chunksOfAnySizeGiveWholeMessagesOrTheTypedErrorAndAFreshStart"
write("MessageAssemblerFuzzTest", method, "few-chunks", b"chunk one, chunk two, chunk three" + TAIL)
write("MessageAssemblerFuzzTest", method, "many-bytes", bytes(range(256)) * 8 + TAIL)

write("MessageCodecsFuzzTest", "anyBytesDecodeExactlyOrAreRefused", "tchar-hello", "hello".encode("utf-16le") + b"\x00\x00" + b"\x01")
write("MessageCodecsFuzzTest", "anyBytesDecodeExactlyOrAreRefused", "utf8-mixed", "héllo, wörld ✓ 𝄞".encode("utf-8") + b"\x00")
write("MessageCodecsFuzzTest", "anyBytesDecodeExactlyOrAreRefused", "lone-surrogate", b"\x00\xd8a\x00" + b"\x01")
write("MessageCodecsFuzzTest", "anyBytesDecodeExactlyOrAreRefused", "overlong-utf8", b"\xc0\xaf\xe0\x80\xaf" + b"\x00")
write("MessageCodecsFuzzTest", "anyStringRoundTripsOrIsRefusedForAnUnpairedSurrogate", "text", "pipe ✓ 𝄞 text".encode("utf-8") + b"\x01")
